/**
 * The console's sign-in on AWS, in a real browser, against test doubles that check what Cognito's
 * and API Gateway's documentation require (there is no AWS here):
 *
 * - the site: console/dist served as CloudFront would (the deployment's viewer-request function,
 *   its Content-Security-Policy, a config.json with the deployment's shape: lib/infra/constructs/console-site.ts);
 * - managed login: /oauth2/authorize (authorization code, PKCE with S256, state, the registered
 *   redirect URI), a sign-in form, /oauth2/token (checks the code verifier against the challenge;
 *   CORS for the console's origin), /logout (client_id and logout_uri);
 *   https://docs.aws.amazon.com/cognito/latest/developerguide/authorization-endpoint.html,
 *   token-endpoint.html, logout-endpoint.html;
 * - the console's API: a JWT authorizer (issuer, `client_id` as the audience of an access token,
 *   the `openid` scope; 401 otherwise) and CORS for the console's origin only, in front of a real
 *   local mode: https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html,
 *   http-api-cors.html.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONSOLE_DIST,
  ROUTER_FUNCTION,
  consoleContentSecurityPolicy,
} from '../../lib/infra/constructs/console-site';
import { axeViolations, buildConsoleIfStale, launchBrowser, openPage, screenshot } from '../support/browser';
import { committee, startLocalForTest } from '../support/local';

const LOCAL_TOKEN = 'cognito-browser-local-token-0123456789';
const CLIENT_ID = 'console-client-7f3a';
const USER = { email: 'ops@example.com', password: 'Correct-horse-9!', sub: 'user-sub-1' };

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void | Promise<void>;

async function listen(handler: Handler): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      Promise.resolve(handler(req, res, Buffer.concat(chunks).toString('utf8'))).catch((err) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');
function jwt(claims: Record<string, unknown>): string {
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: 'test' }));
  const body = b64url(JSON.stringify(claims));
  const sig = createHash('sha256').update(`${head}.${body}.key`).digest('base64url');
  return `${head}.${body}.${sig}`;
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JWT's claims, read loosely
function claimsOf(token: string): Record<string, any> | undefined {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/** On the managed login double's page: the user's email, password and authenticator code, then Sign in. */
async function fillManagedLogin(page: Page, totp: string): Promise<void> {
  await page.getByLabel('Email').fill(USER.email);
  await page.getByLabel('Password').fill(USER.password);
  await page.getByLabel('Authenticator code').fill(totp);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

let browser: Browser;
let local: Awaited<ReturnType<typeof startLocalForTest>>;
let site: { server: Server; origin: string };
let idp: { server: Server; origin: string };
let apiGw: { server: Server; origin: string };
let issuer: string;
/** What the doubles saw, for the assertions. */
const seen = {
  authorize: [] as URLSearchParams[],
  token: [] as URLSearchParams[],
  logout: [] as URLSearchParams[],
  revoke: [] as URLSearchParams[],
  api: [] as { method: string; path: string; authorized: boolean; origin?: string }[],
  rejected: [] as string[],
};
const codes = new Map<string, { challenge: string; redirectUri: string; used: boolean }>();
const issued = new Set<string>();
const refreshTokens = new Set<string>();
let revoked = false;
/** Seconds an access token lasts (Cognito's default is an hour). */
let accessTtl = 3600;

function cors(req: IncomingMessage, allowed: string): Record<string, string> {
  return req.headers.origin === allowed ? { 'access-control-allow-origin': allowed, vary: 'origin' } : {};
}

/**
 * CORS of Cognito's form-posted endpoints (token, revoke) for the console's origin: a preflight is
 * answered here (undefined returned); otherwise the headers the answer carries.
 */
function formPostCors(req: IncomingMessage, res: ServerResponse): Record<string, string> | undefined {
  const allow = cors(req, site.origin);
  if (req.method !== 'OPTIONS') return allow;
  res.writeHead(204, {
    ...allow,
    'access-control-allow-methods': 'POST',
    'access-control-allow-headers': 'content-type',
  });
  res.end();
  return undefined;
}

beforeAll(async () => {
  buildConsoleIfStale();
  local = await startLocalForTest('abm-cognito-', LOCAL_TOKEN, 'simulate');
  const imported = await local.api.call('POST', '/accounts/import', {
    accounts: [committee('northwind', 1), committee('globex', 2)],
  });
  expect(imported.status, imported.text).toBeLessThan(300);

  // Listen first: each double needs the others' origins.
  let siteHandler: Handler = () => undefined;
  let idpHandler: Handler = () => undefined;
  let apiHandler: Handler = () => undefined;
  site = await listen((a, b, c) => siteHandler(a, b, c));
  idp = await listen((a, b, c) => idpHandler(a, b, c));
  apiGw = await listen((a, b, c) => apiHandler(a, b, c));
  issuer = `${idp.origin}/us-east-1_TEST`;
  const redirectUri = `${site.origin}/console/`;

  // The site: CloudFront's viewer-request function, then the bucket, with the deployment's headers.
  const route = new Function(`${ROUTER_FUNCTION}; return handler;`)() as (e: unknown) => any; // eslint-disable-line @typescript-eslint/no-explicit-any
  const csp = consoleContentSecurityPolicy(apiGw.origin, idp.origin);
  const config = {
    auth: 'cognito',
    apiUrl: apiGw.origin,
    issuer,
    authDomain: idp.origin,
    clientId: CLIENT_ID,
  };
  const types: Record<string, string> = {
    '.html': 'text/html',
    '.js': 'text/javascript',
    '.css': 'text/css',
  };
  siteHandler = (req, res) => {
    const r = route({ request: { uri: new URL(req.url!, site.origin).pathname } });
    if (r.statusCode) {
      res.writeHead(r.statusCode, { location: r.headers.location.value });
      return void res.end();
    }
    const headers = {
      'content-security-policy': csp,
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
    };
    if (r.uri === '/console/config.json') {
      res.writeHead(200, { ...headers, 'content-type': 'application/json', 'cache-control': 'no-cache' });
      return void res.end(JSON.stringify(config));
    }
    const file = path.join(CONSOLE_DIST, r.uri.replace(/^\/console\//, ''));
    if (!file.startsWith(CONSOLE_DIST + path.sep) || !statSync(file, { throwIfNoEntry: false })?.isFile()) {
      res.writeHead(403, headers); // S3 behind origin access control: 403 for a missing key
      return void res.end();
    }
    res.writeHead(200, {
      ...headers,
      'content-type': types[path.extname(file)] ?? 'application/octet-stream',
    });
    res.end(readFileSync(file));
  };

  // Managed login.
  idpHandler = (req, res, body) => {
    const url = new URL(req.url!, idp.origin);
    if (req.method === 'GET' && url.pathname === '/oauth2/authorize') {
      const q = url.searchParams;
      seen.authorize.push(q);
      const problems = [
        q.get('response_type') !== 'code' && 'response_type',
        q.get('client_id') !== CLIENT_ID && 'client_id',
        q.get('redirect_uri') !== redirectUri && 'redirect_uri',
        q.get('code_challenge_method') !== 'S256' && 'code_challenge_method',
        !/^[A-Za-z0-9_-]{43}$/.test(q.get('code_challenge') ?? '') && 'code_challenge',
        !q.get('state') && 'state',
        !(q.get('scope') ?? '').split(' ').includes('openid') && 'scope',
      ].filter(Boolean);
      if (problems.length) {
        res.writeHead(400, { 'content-type': 'text/plain' });
        return void res.end(`invalid_request: ${problems.join(', ')}`);
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return void res.end(`<!doctype html><html lang="en"><head><title>Sign in</title><link rel="icon" href="data:,"></head><body><main>
<h1>Sign in</h1><form method="post" action="/login?${q.toString()}">
<label>Email <input name="username" type="email"></label>
<label>Password <input name="password" type="password"></label>
<label>Authenticator code <input name="totp" inputmode="numeric"></label>
<button type="submit">Sign in</button></form>
<p><a href="${q.get('redirect_uri')}?error=access_denied&amp;error_description=User+cancelled&amp;state=${q.get('state')}">Cancel</a></p></main></body></html>`);
    }
    if (req.method === 'POST' && url.pathname === '/login') {
      const form = new URLSearchParams(body);
      const q = url.searchParams;
      if (
        form.get('username') !== USER.email ||
        form.get('password') !== USER.password ||
        !/^\d{6}$/.test(form.get('totp') ?? '')
      ) {
        res.writeHead(401, { 'content-type': 'text/plain' });
        return void res.end('Incorrect username, password or code');
      }
      const code = randomBytes(16).toString('hex');
      codes.set(code, {
        challenge: q.get('code_challenge')!,
        redirectUri: q.get('redirect_uri')!,
        used: false,
      });
      const back = new URL(q.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', q.get('state')!);
      res.writeHead(302, { location: back.toString() });
      return void res.end();
    }
    if (url.pathname === '/oauth2/token') {
      const allow = formPostCors(req, res);
      if (!allow) return;
      const form = new URLSearchParams(body);
      seen.token.push(form);
      const grant = codes.get(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      const fail = (error: string) => {
        res.writeHead(400, { ...allow, 'content-type': 'application/json' });
        res.end(JSON.stringify({ error }));
      };
      if ((req.headers['content-type'] ?? '').split(';')[0] !== 'application/x-www-form-urlencoded')
        return fail('invalid_request');
      if (form.get('client_id') !== CLIENT_ID) return fail('invalid_client');
      const tokens = () => {
        const now = Math.floor(Date.now() / 1000);
        const access = jwt({
          iss: issuer,
          sub: USER.sub,
          client_id: CLIENT_ID,
          token_use: 'access',
          scope: 'openid email profile',
          iat: now,
          exp: now + accessTtl,
          jti: randomBytes(8).toString('hex'),
        });
        const id = jwt({
          iss: issuer,
          sub: USER.sub,
          aud: CLIENT_ID,
          token_use: 'id',
          email: USER.email,
          iat: now,
          exp: now + accessTtl,
        });
        issued.add(access);
        return { access_token: access, id_token: id, token_type: 'Bearer', expires_in: accessTtl };
      };
      // A refresh: new access and ID tokens, the refresh token itself is not renewed (as Cognito).
      if (form.get('grant_type') === 'refresh_token') {
        if (!refreshTokens.has(form.get('refresh_token') ?? '')) return fail('invalid_grant');
        res.writeHead(200, { ...allow, 'content-type': 'application/json', 'cache-control': 'no-store' });
        return void res.end(JSON.stringify(tokens()));
      }
      if (form.get('grant_type') !== 'authorization_code') return fail('unsupported_grant_type');
      if (!grant || grant.used || form.get('redirect_uri') !== grant.redirectUri)
        return fail('invalid_grant');
      if (
        !/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) ||
        b64url(createHash('sha256').update(verifier).digest()) !== grant.challenge
      )
        return fail('invalid_grant');
      grant.used = true;
      const refresh = `r-${randomBytes(16).toString('hex')}`;
      refreshTokens.add(refresh);
      res.writeHead(200, { ...allow, 'content-type': 'application/json', 'cache-control': 'no-store' });
      return void res.end(JSON.stringify({ ...tokens(), refresh_token: refresh }));
    }
    if (url.pathname === '/oauth2/revoke') {
      const allow = formPostCors(req, res);
      if (!allow) return;
      const form = new URLSearchParams(body);
      seen.revoke.push(form);
      if (form.get('client_id') !== CLIENT_ID) {
        res.writeHead(400, { ...allow, 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ error: 'invalid_client' }));
      }
      refreshTokens.delete(form.get('token') ?? '');
      res.writeHead(200, allow);
      return void res.end();
    }
    if (req.method === 'GET' && url.pathname === '/logout') {
      seen.logout.push(url.searchParams);
      const to = url.searchParams.get('logout_uri');
      if (url.searchParams.get('client_id') !== CLIENT_ID || to !== redirectUri) {
        res.writeHead(400, { 'content-type': 'text/plain' });
        return void res.end('invalid logout_uri');
      }
      res.writeHead(302, { location: to });
      return void res.end();
    }
    res.writeHead(404);
    res.end();
  };

  // API Gateway: CORS for the console's origin, the JWT authorizer, then the real router.
  apiHandler = async (req, res, body) => {
    const url = new URL(req.url!, apiGw.origin);
    const allow = cors(req, site.origin);
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        ...allow,
        'access-control-allow-methods': 'GET,POST,PUT,DELETE',
        'access-control-allow-headers': 'authorization,content-type,if-match',
      });
      return void res.end();
    }
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const claims = claimsOf(token);
    const authorized =
      !revoked &&
      issued.has(token) &&
      claims?.iss === issuer &&
      (claims.aud ?? claims.client_id) === CLIENT_ID &&
      String(claims.scope ?? '')
        .split(' ')
        .includes('openid') &&
      claims.exp > Date.now() / 1000;
    seen.api.push({ method: req.method!, path: url.pathname, authorized, origin: req.headers.origin });
    if (!authorized) {
      seen.rejected.push(`${req.method} ${url.pathname}`);
      res.writeHead(401, {
        ...allow,
        'content-type': 'application/json',
        'www-authenticate': 'Bearer error="invalid_token"',
      });
      return void res.end(JSON.stringify({ message: 'Unauthorized' }));
    }
    const upstream = await fetch(`${local.rt.url}${url.pathname}${url.search}`, {
      method: req.method,
      headers: {
        authorization: `Bearer ${LOCAL_TOKEN}`,
        ...(req.headers['content-type'] ? { 'content-type': req.headers['content-type'] } : {}),
      },
      body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
    });
    res.writeHead(upstream.status, {
      ...allow,
      'content-type': upstream.headers.get('content-type') ?? 'application/json',
    });
    res.end(Buffer.from(await upstream.arrayBuffer()));
  };

  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  for (const s of [site, idp, apiGw]) s?.server.close();
  await local?.stop();
});

describe('the console on AWS (Cognito managed login, PKCE, the JWT API)', () => {
  it('signs in with the authorization code and PKCE, calls the API with the access token, and signs out', async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(`${site.origin}/console/accounts/northwind?from=mail`);
    const signIn = page.getByRole('button', { name: 'Sign in' });
    await signIn.waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'cognito-sign-in');
    // Nothing was asked of the API before a token existed.
    expect(seen.api).toEqual([]);

    await signIn.click();
    await page.waitForURL(`${idp.origin}/oauth2/authorize?**`);
    const authorize = seen.authorize.at(-1)!;
    expect(authorize.get('code_challenge_method')).toBe('S256');
    await fillManagedLogin(page, '123456');

    // Back on the page the user asked for, with the data the API (through the JWT) returned.
    await page.waitForURL(`${site.origin}/console/accounts/northwind?from=mail`);
    await page.getByRole('heading', { name: 'Account northwind', level: 1 }).waitFor();
    await screenshot(page, 'cognito-signed-in');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts' }).click();
    await page.getByRole('link', { name: 'Account globex' }).waitFor();

    // The code was exchanged once, with the verifier whose S256 hash the authorize request carried.
    expect(seen.token).toHaveLength(1);
    const token = seen.token[0]!;
    expect(b64url(createHash('sha256').update(token.get('code_verifier')!).digest())).toBe(
      authorize.get('code_challenge'),
    );
    expect(token.get('client_id')).toBe(CLIENT_ID);
    // Every API call was cross-origin from the console and authorized by the access token.
    expect(seen.api.length).toBeGreaterThan(0);
    for (const call of seen.api) expect(call).toMatchObject({ authorized: true, origin: site.origin });
    expect(seen.api.some((c) => c.path === '/_local/clock')).toBe(false);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Campaigns' }).click();
    await page.getByRole('heading', { name: 'Campaigns', level: 1 }).waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(seen.logout.at(-1)?.get('logout_uri')).toBe(`${site.origin}/console/`);
    // The refresh token was revoked before the session ended: it renews nothing any more.
    const revoked = seen.revoke.at(-1);
    expect(revoked?.get('token_type_hint')).toBe('refresh_token');
    expect(revoked?.get('token')).toMatch(/^r-/);
    expect(refreshTokens.has(revoked!.get('token')!)).toBe(false);
    expect(await page.evaluate('Object.keys(sessionStorage)')).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('renews the access token with the refresh token before it expires, without a sign-in', async () => {
    accessTtl = 30; // within the minute before expiry from the start: every call renews first
    try {
      const { page, errors } = await openPage(browser);
      await page.goto(`${site.origin}/console/campaigns`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await fillManagedLogin(page, '111111');
      await page.waitForURL(`${site.origin}/console/campaigns`);
      await page.getByRole('heading', { name: 'Campaigns', level: 1 }).waitFor();
      const before = seen.token.filter((f) => f.get('grant_type') === 'refresh_token').length;
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tasks' }).click();
      await page.getByRole('heading', { name: 'Tasks', level: 1 }).waitFor();
      await page.waitForLoadState('networkidle');
      const refreshes = seen.token.filter((f) => f.get('grant_type') === 'refresh_token');
      expect(refreshes.length).toBeGreaterThan(before);
      for (const f of refreshes) expect(f.get('client_id')).toBe(CLIENT_ID);
      // Still signed in, and every call went out with a token the authorizer accepted.
      expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(1);
      expect(seen.rejected).toEqual([]);
      expect(errors).toEqual([]);
      await page.context().close();
    } finally {
      accessTtl = 3600;
    }
  });

  it('says why when Cognito sends the user back without signing in, and offers Sign in again', async () => {
    const { page } = await openPage(browser);
    await page.goto(`${site.origin}/console/accounts`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Cancel' }).click();
    await page.getByText('User cancelled').waitFor();
    expect(new URL(page.url()).search).toBe('');
    expect(await page.getByRole('button', { name: 'Sign in' }).count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    await page.context().close();
  });

  it('goes back to sign-in when the API refuses the token (expired or revoked)', async () => {
    const { page } = await openPage(browser);
    await page.goto(`${site.origin}/console/tasks`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await fillManagedLogin(page, '654321');
    await page.waitForURL(`${site.origin}/console/tasks`);
    await page.getByRole('heading', { name: 'Tasks', level: 1 }).waitFor();

    // Every request of the page answered before the token is refused.
    await page.waitForLoadState('networkidle');
    revoked = true;
    try {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts' }).click();
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      expect(seen.rejected.length).toBeGreaterThan(0);
    } finally {
      revoked = false;
    }
    await page.context().close();
  });

  it('a code replayed, or exchanged without its verifier, is refused by the token endpoint double', async () => {
    const [code] = [...codes.entries()].find(([, g]) => g.used)!;
    const res = await fetch(`${idp.origin}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: CLIENT_ID,
        code,
        redirect_uri: `${site.origin}/console/`,
        code_verifier: 'x'.repeat(43),
      }),
    });
    expect(res.status).toBe(400);
  });
});
