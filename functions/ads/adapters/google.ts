/**
 * Google Customer Match through the Data Manager API.
 *
 * Why the Data Manager API and not the Google Ads API's OfflineUserDataJobService: one synchronous
 * call adds (`audienceMembers:ingest`) or removes (`audienceMembers:remove`) a batch, where the job
 * service needs create job, add operations, run job and poll per change; it needs no developer
 * token and no `login-customer-id` header (the account path travels in the request's
 * `Destination`); it takes per-member EEA consent; and Google names it the home of new Customer
 * Match features ("Upgrade ... to the Data Manager API",
 * https://developers.google.com/data-manager/api/devguides/audiences/display-video/customer-match/upgrade).
 *
 * Documentation (Google for Developers, Data Manager API v1):
 * - ingest:   https://developers.google.com/data-manager/api/reference/rest/v1/audienceMembers/ingest
 * - remove:   https://developers.google.com/data-manager/api/reference/rest/v1/audienceMembers/remove
 * - members:  https://developers.google.com/data-manager/api/reference/rest/v1/AudienceMember ,
 *             https://developers.google.com/data-manager/api/reference/rest/v1/UserData ,
 *             https://developers.google.com/data-manager/api/reference/rest/v1/Consent
 * - destinations: https://developers.google.com/data-manager/api/devguides/concepts/destinations
 * - formatting:   https://developers.google.com/data-manager/api/devguides/concepts/formatting
 * - limits:       https://developers.google.com/data-manager/api/devguides/limits
 * - OAuth refresh: https://developers.google.com/identity/protocols/oauth2/web-server#offline
 *
 * What the adapter sends, and where each part is documented:
 * - `POST https://datamanager.googleapis.com/v1/audienceMembers:ingest` and `...:remove`
 *   (ingest/remove pages, "HTTP request"), `Authorization: Bearer` of an OAuth token with the
 *   `https://www.googleapis.com/auth/datamanager` scope ("Authorization scopes").
 * - `destinations: [{ operatingAccount: { accountType: "GOOGLE_ADS", accountId }, loginAccount?,
 *   productDestinationId: <user list id> }]` (destinations page: the operating account receives the
 *   data, the login account is the manager the credentials reach it through; no request headers
 *   in IngestionService requests).
 * - `audienceMembers: [{ userData: { userIdentifiers: [{ emailAddress: <64 hex> }] }, consent:
 *   { adUserData, adPersonalization } }]`, `encoding: "HEX"` (UserData, Consent pages; consent is
 *   `CONSENT_GRANTED` or `CONSENT_DENIED`, left out when unknown), and on ingest
 *   `termsOfService: { customerMatchTermsOfServiceStatus: "ACCEPTED" }` (ingest page).
 * - At most 10,000 audience members per request, 10 destinations (limits page, "Request limits");
 *   300 requests per minute per project, 429 `RESOURCE_EXHAUSTED` beyond ("Project limits").
 * - A request with invalid members is refused whole with 400 `INVALID_ARGUMENT` and a
 *   `google.rpc.BadRequest` detail whose `fieldViolations[].field` names `audience_members[i]`:
 *   those members are this batch's partial failures (not retryable), and the rest is sent again.
 *
 * Normalisation (formatting page): lower case; leading, trailing and intermediate whitespace
 * removed; for gmail.com and googlemail.com, dots before the @ removed and a `+` and everything after
 * it in the local part removed; then SHA-256, hex.
 */
import { ProviderHttpClient } from '../../platform/providers/http';
import type {
  AudienceAdapter,
  AudienceMember,
  BatchOutcome,
  ConsentStatus,
  IdentifiedMember,
  ProviderAudience,
} from '../port';
import { ProviderError } from '../port';
import {
  asProviderCall,
  checkBatch,
  refused,
  sha256Hex,
  type AdapterDeps,
  type AdapterSettings,
} from './shared';

export const GOOGLE_DATA_MANAGER_API = 'https://datamanager.googleapis.com';
export const GOOGLE_OAUTH_API = 'https://oauth2.googleapis.com';
export const GOOGLE_MAX_BATCH = 10_000;
export const GOOGLE_SCOPE = 'https://www.googleapis.com/auth/datamanager';

export interface GoogleSecret {
  /** An OAuth client of the Google Cloud project that has the Data Manager API enabled. */
  clientId: string;
  clientSecret: string;
  /** A refresh token granted the datamanager scope by a user with access to the Google Ads account. */
  refreshToken: string;
}

export function googleSecret(secret: unknown): GoogleSecret {
  const s = (secret ?? {}) as Partial<GoogleSecret>;
  const missing = (['clientId', 'clientSecret', 'refreshToken'] as const).filter(
    (k) => typeof s[k] !== 'string' || s[k] === '',
  );
  if (missing.length > 0)
    throw new Error(
      `google: the secret must be a JSON object with ${missing.map((k) => `"${k}"`).join(', ')}`,
    );
  return { clientId: s.clientId!, clientSecret: s.clientSecret!, refreshToken: s.refreshToken! };
}

/** The formatting page's email rules (see the header). */
export function normaliseEmailForGoogle(email: string): string {
  const lower = email.replace(/\s+/g, '').toLowerCase();
  const at = lower.lastIndexOf('@');
  if (at < 0) return lower;
  let local = lower.slice(0, at);
  const domain = lower.slice(at + 1);
  if (domain === 'gmail.com' || domain === 'googlemail.com') {
    const plus = local.indexOf('+');
    if (plus >= 0) local = local.slice(0, plus);
    local = local.replace(/\./g, '');
  }
  return `${local}@${domain}`;
}

const CONSENT: Record<ConsentStatus, string | undefined> = {
  granted: 'CONSENT_GRANTED',
  denied: 'CONSENT_DENIED',
  unspecified: undefined,
};

function digits(id: string | undefined, what: string): string | undefined {
  if (id === undefined) return undefined;
  const d = id.replace(/-/g, '');
  if (!/^\d+$/.test(d))
    throw new Error(`google: ${what} must be digits (dashes allowed), got ${JSON.stringify(id)}`);
  return d;
}

export function createGoogleAdapter(
  settings: AdapterSettings,
  secret: unknown,
  deps: AdapterDeps = {},
): AudienceAdapter {
  const credentials = googleSecret(secret);
  const customerId = digits(settings.customerId, 'customerId');
  if (!customerId) throw new Error('google: customerId (the Google Ads account of the lists) is required');
  const loginCustomerId = digits(settings.loginCustomerId, 'loginCustomerId');
  const now = deps.now ?? Date.now;

  // Outside production both calls go to the one host baseUrl names (the local double serves /token).
  const oauth = new ProviderHttpClient({
    ...deps,
    provider: 'google',
    baseUrl: settings.baseUrl ?? GOOGLE_OAUTH_API,
  });
  let token: { value: string; expiresAt: number } | undefined;
  const refresh = async (): Promise<string> => {
    const res = await asProviderCall('google', () =>
      oauth.request({
        method: 'POST',
        path: '/token',
        form: {
          grant_type: 'refresh_token',
          client_id: credentials.clientId,
          client_secret: credentials.clientSecret,
          refresh_token: credentials.refreshToken,
        },
      }),
    );
    const body = res.body as { access_token?: string; expires_in?: number } | undefined;
    if (res.status !== 200 || !body?.access_token)
      throw new ProviderError(
        'google',
        `token refresh refused (${res.status}): renew the secret's refresh token`,
        false,
        res.status,
      );
    // Refreshed a minute early, so a token never expires in flight.
    token = { value: body.access_token, expiresAt: now() + ((body.expires_in ?? 3600) - 60) * 1000 };
    return token.value;
  };
  const accessToken = async () => (token && token.expiresAt > now() ? token.value : refresh());

  const http = new ProviderHttpClient({
    ...deps,
    provider: 'google',
    baseUrl: settings.baseUrl ?? GOOGLE_DATA_MANAGER_API,
    headers: async () => ({ authorization: `Bearer ${await accessToken()}` }),
    onUnauthorized: async () => {
      token = undefined;
      return true;
    },
  });

  const destination = (listId: string) => ({
    operatingAccount: { accountType: 'GOOGLE_ADS', accountId: customerId },
    ...(loginCustomerId ? { loginAccount: { accountType: 'GOOGLE_ADS', accountId: loginCustomerId } } : {}),
    productDestinationId: listId,
  });

  const send = (op: 'ingest' | 'remove') => async (target: ProviderAudience, members: IdentifiedMember[]) => {
    checkBatch('google', members, GOOGLE_MAX_BATCH);
    const outcome: BatchOutcome = { done: [], failed: [] };
    let pending = members;
    // Each round either ends the batch or drops at least one refused member, so this terminates.
    while (pending.length > 0) {
      const body = {
        destinations: [destination(target.listId)],
        audienceMembers: pending.map((m) => audienceMember(m, op)),
        encoding: 'HEX',
        ...(op === 'ingest' ? { termsOfService: { customerMatchTermsOfServiceStatus: 'ACCEPTED' } } : {}),
      };
      const path = `/v1/audienceMembers:${op}`;
      const res = await asProviderCall('google', () => http.request({ method: 'POST', path, json: body }));
      if (res.status >= 200 && res.status < 300) {
        outcome.done.push(...pending.map((m) => m.memberId));
        break;
      }
      const refusedAt =
        res.status === 400 ? violatedMembers(res.body, pending.length) : new Map<number, string>();
      if (refusedAt.size === 0) throw refused('google', `${op} ${path}`, res.status, res.body);
      for (const [i, reason] of refusedAt)
        outcome.failed.push({ memberId: pending[i]!.memberId, reason, retryable: false });
      pending = pending.filter((_, i) => !refusedAt.has(i));
    }
    return outcome;
  };

  return {
    provider: 'google',
    maxBatch: GOOGLE_MAX_BATCH,
    kinds: ['contact'],
    identify: identifyForGoogle,
    add: send('ingest'),
    remove: send('remove'),
  };
}

export function identifyForGoogle(member: AudienceMember): IdentifiedMember | undefined {
  if (member.kind !== 'contact') return undefined;
  const email = normaliseEmailForGoogle(member.email);
  if (!email.includes('@')) return undefined;
  return {
    memberId: member.memberId,
    kind: 'contact',
    ids: { emailAddress: sha256Hex(email) },
    consent: member.consent,
  };
}

function audienceMember(m: IdentifiedMember, op: 'ingest' | 'remove') {
  const consent: Record<string, string> = {};
  if (op === 'ingest' && m.consent) {
    const adUserData = CONSENT[m.consent.adUserData];
    const adPersonalization = CONSENT[m.consent.adPersonalization];
    if (adUserData) consent.adUserData = adUserData;
    if (adPersonalization) consent.adPersonalization = adPersonalization;
  }
  return {
    userData: { userIdentifiers: [{ emailAddress: m.ids.emailAddress }] },
    ...(Object.keys(consent).length > 0 ? { consent } : {}),
  };
}

interface GoogleErrorBody {
  error?: {
    details?: {
      '@type'?: string;
      fieldViolations?: { field?: string; description?: string; reason?: string }[];
    }[];
  };
}

/** The members a 400's BadRequest detail names (`audience_members[3]...` or `audienceMembers[3]...`). */
function violatedMembers(body: unknown, count: number): Map<number, string> {
  const out = new Map<number, string>();
  for (const detail of (body as GoogleErrorBody | undefined)?.error?.details ?? []) {
    if (!detail['@type']?.endsWith('google.rpc.BadRequest')) continue;
    for (const v of detail.fieldViolations ?? []) {
      const m = /^(?:audience_members|audienceMembers)\[(\d+)\]/.exec(v.field ?? '');
      if (!m) return new Map(); // a violation outside the members: the request itself is wrong
      const i = Number(m[1]);
      if (i < count) out.set(i, `${v.reason ?? 'INVALID_ARGUMENT'}: ${v.description ?? v.field}`);
    }
  }
  return out;
}
