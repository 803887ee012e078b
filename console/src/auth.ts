/**
 * How the console signs in. On AWS the deployment writes /console/config.json
 * (lib/infra/constructs/console-site.ts): the console's API and its Cognito user pool. The user
 * signs in through Cognito's managed login with the authorization code flow and PKCE (S256), run by
 * oidc-client-ts (loaded only then), and every API call carries the access token, which the API's
 * JWT authorizer checks. In local mode there is no config.json: the user types the local bearer
 * token instead (main.tsx).
 *
 * Cognito's endpoints: https://docs.aws.amazon.com/cognito/latest/developerguide/authorization-endpoint.html,
 * token-endpoint.html and logout-endpoint.html in the same guide.
 */
import { getToken, setApiBase, setToken, setTokenSource } from './api';

export interface CognitoConfig {
  auth: 'cognito';
  /** The console's HTTP API (JWT), e.g. https://abc123.execute-api.us-east-1.amazonaws.com */
  apiUrl: string;
  /** The user pool's issuer, https://cognito-idp.<region>.amazonaws.com/<pool id> */
  issuer: string;
  /** The managed login domain, https://<prefix>.auth.<region>.amazoncognito.com */
  authDomain: string;
  clientId: string;
}

const CONFIG_URL = '/console/config.json';
const CALLBACK = '/console/';
let config: CognitoConfig | null = null;

export function cognito(): CognitoConfig | null {
  return config;
}

/** An https URL (Cognito's, API Gateway's), or http on this machine's loopback (a test double). */
function isHttps(v: unknown): v is string {
  return (
    typeof v === 'string' && /^(https:\/\/[^\s/]+|http:\/\/(127\.0\.0\.1|localhost)(:\d+)?)(\/|$)/.test(v)
  );
}

/**
 * Reads config.json once at start: `{"auth":"token"}` (local mode, lib/local/console-static.ts) or
 * no file leaves token sign-in; a Cognito one switches to it; anything else is an error to show.
 */
export async function loadConfig(fetchImpl: typeof fetch = fetch): Promise<CognitoConfig | null> {
  let body: unknown;
  try {
    const res = await fetchImpl(CONFIG_URL, { cache: 'no-store', headers: { accept: 'application/json' } });
    if (res.status === 404) return (config = null);
    if (!res.ok) throw new Error(`${CONFIG_URL}: HTTP ${res.status}`);
    body = await res.json();
  } catch (err) {
    throw new Error(`${CONFIG_URL} could not be read: ${String(err)}`);
  }
  const c = body as Partial<CognitoConfig> | { auth?: 'token' } | null;
  if (c?.auth === 'token') return (config = null);
  if (
    c?.auth !== 'cognito' ||
    !isHttps(c.apiUrl) ||
    !isHttps(c.issuer) ||
    !isHttps(c.authDomain) ||
    typeof c.clientId !== 'string' ||
    c.clientId === ''
  )
    throw new Error(
      `${CONFIG_URL} is not a console configuration (auth, apiUrl, issuer, authDomain, clientId)`,
    );
  // Kept without trailing slashes: every endpoint below is built by appending a path.
  const trim = (url: string) => url.replace(/\/+$/, '');
  config = {
    auth: 'cognito',
    apiUrl: trim(c.apiUrl),
    issuer: trim(c.issuer),
    authDomain: trim(c.authDomain),
    clientId: c.clientId,
  };
  setApiBase(config.apiUrl);
  setTokenSource(freshToken);
  return config;
}

type Manager = InstanceType<(typeof import('oidc-client-ts'))['UserManager']>;
let managerOf: { config: CognitoConfig; manager: Promise<Manager> } | undefined;

/** The OIDC client for this configuration (oidc-client-ts is loaded the first time). */
function manager(): Promise<Manager> {
  const c = config;
  if (!c) return Promise.reject(new Error('not configured for Cognito'));
  if (managerOf?.config !== c) managerOf = { config: c, manager: createManager(c) };
  return managerOf.manager;
}

async function createManager(c: CognitoConfig): Promise<Manager> {
  const { UserManager, WebStorageStateStore } = await import('oidc-client-ts');
  return new UserManager({
    authority: c.issuer,
    client_id: c.clientId,
    redirect_uri: `${location.origin}${CALLBACK}`,
    response_type: 'code',
    scope: 'openid email profile',
    // Cognito's endpoints, given rather than discovered: one request fewer before the redirect.
    metadata: {
      issuer: c.issuer,
      authorization_endpoint: `${c.authDomain}/oauth2/authorize`,
      token_endpoint: `${c.authDomain}/oauth2/token`,
      userinfo_endpoint: `${c.authDomain}/oauth2/userInfo`,
      revocation_endpoint: `${c.authDomain}/oauth2/revoke`,
      jwks_uri: `${c.issuer}/.well-known/jwks.json`,
    },
    loadUserInfo: false,
    automaticSilentRenew: false,
    // The PKCE verifier and state live in this tab's session only.
    stateStore: new WebStorageStateStore({ store: sessionStorage }),
    userStore: new WebStorageStateStore({ store: sessionStorage }),
  });
}

/** Sends the browser to Cognito's managed login; it comes back to /console/ with a code. */
export async function signIn(returnTo: string): Promise<void> {
  const mgr = await manager();
  await mgr.signinRedirect({ state: { returnTo } });
}

/**
 * True when this page load is Cognito's redirect back: a `state` with a `code`, or with an `error`
 * (a refused sign-in, which completeSignIn then reports).
 */
export function isSignInCallback(url: URL = new URL(location.href)): boolean {
  return (
    url.pathname === CALLBACK &&
    url.searchParams.has('state') &&
    (url.searchParams.has('code') || url.searchParams.has('error'))
  );
}

/**
 * Finishes the sign-in Cognito redirected back with: exchanges the code (with the PKCE verifier)
 * for tokens, keeps the access token for the API, and returns where the user was going.
 */
export async function completeSignIn(): Promise<string> {
  const mgr = await manager();
  const user = await mgr.signinRedirectCallback();
  setToken(user.access_token);
  const returnTo = (user.state as { returnTo?: string } | undefined)?.returnTo;
  return typeof returnTo === 'string' && returnTo.startsWith('/') && !returnTo.startsWith('//')
    ? returnTo
    : '/';
}

/** Renew the access token this long before it expires. */
const RENEW_BEFORE_S = 60;
let renewing: Promise<string | null> | undefined;

/**
 * The access token for the next API call: the one kept, or, within a minute of its expiry, a new
 * one from Cognito's token endpoint with the refresh token (`grant_type=refresh_token`; the refresh
 * token lasts a working day), so a console left open is not sent back to sign-in every hour. A
 * refresh refused (expired, revoked) signs out. One renewal at a time serves every call.
 */
async function freshToken(): Promise<string | null> {
  const kept = getToken();
  if (!kept) return null;
  const mgr = await manager();
  const user = await mgr.getUser();
  if (!user?.refresh_token || user.access_token !== kept) return kept;
  if ((user.expires_in ?? Infinity) > RENEW_BEFORE_S) return kept;
  renewing ??= mgr
    .signinSilent()
    .then((renewed) => {
      setToken(renewed?.access_token ?? null);
      return renewed?.access_token ?? null;
    })
    .catch(() => {
      setToken(null);
      return null;
    })
    .finally(() => {
      renewing = undefined;
    });
  return renewing;
}

/**
 * Forgets the token; on AWS also revokes the refresh token (Cognito's /oauth2/revoke: it and the
 * access tokens it issued stop working) and ends the managed login session (Cognito's /logout).
 */
export async function signOut(): Promise<void> {
  setToken(null);
  const c = config;
  if (!c) return;
  try {
    await (await manager()).revokeTokens(['refresh_token']);
  } catch {
    // Already expired or revoked, or Cognito unreachable: the session ends at /logout regardless.
  }
  for (const key of Object.keys(sessionStorage)) if (key.startsWith('oidc.')) sessionStorage.removeItem(key);
  const logout = new URL(`${c.authDomain}/logout`);
  logout.searchParams.set('client_id', c.clientId);
  logout.searchParams.set('logout_uri', `${location.origin}${CALLBACK}`);
  location.assign(logout.toString());
}
