/**
 * A test double of Google's OAuth token endpoint and the Data Manager API's
 * `audienceMembers:ingest` / `:remove`, checking what the documentation requires
 * (functions/ads/adapters/google.ts cites the pages):
 * - POST /token (form): `grant_type=refresh_token` with the client id, secret and refresh token
 *   it was started with; answers `{ access_token, expires_in, token_type }`.
 * - POST /v1/audienceMembers:ingest|remove with `Authorization: Bearer <issued token>` and a JSON
 *   body: 1 to 10 `destinations` (`operatingAccount.accountType` GOOGLE_ADS, a numeric
 *   `accountId`, a `productDestinationId`), 1 to 10,000 `audienceMembers`, each with 1 to 10
 *   `userIdentifiers`, `encoding: "HEX"` with 64-hex `emailAddress` hashes, consent values of the
 *   Consent enum. Members that break a rule make the whole request a 400 `INVALID_ARGUMENT` whose
 *   `google.rpc.BadRequest` names each one (`audience_members[i]...`); nothing is applied.
 */
import {
  audienceOf,
  bearer,
  HEX64,
  parseJson,
  startDouble,
  type DoubleResponse,
  type DoubleServer,
  type Faults,
  type Membership,
} from './shared';

export const GOOGLE_DOUBLE_MAX_MEMBERS = 10_000;
export const GOOGLE_DOUBLE_MAX_DESTINATIONS = 10;
export const GOOGLE_DOUBLE_MAX_IDENTIFIERS = 10;
const CONSENT_VALUES = ['CONSENT_GRANTED', 'CONSENT_DENIED', 'CONSENT_STATUS_UNSPECIFIED'];

export interface GoogleDoubleCredentials {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

const status = (code: number, grpc: string, message: string, details: unknown[] = []): DoubleResponse => ({
  status: code,
  body: { error: { code, message, status: grpc, details } },
});

interface Account {
  accountType?: unknown;
  accountId?: unknown;
}

interface Destination {
  operatingAccount?: Account;
  loginAccount?: Account;
  productDestinationId?: unknown;
}

interface Body {
  destinations?: Destination[];
  audienceMembers?: Member[];
  encoding?: unknown;
}

interface Member {
  userData?: { userIdentifiers?: Record<string, unknown>[] };
  consent?: Record<string, unknown>;
}

export function startGoogleDouble(
  faults: Faults,
  credentials: GoogleDoubleCredentials,
): Promise<DoubleServer> {
  const audiences = new Map<string, Membership>();
  const tokens = new Set<string>();
  let issued = 0;
  return startDouble('google', audiences, (req) => {
    if (req.path === '/token') {
      const form = new URLSearchParams(req.body);
      if (req.method !== 'POST') return { status: 405, body: { error: 'invalid_request' } };
      if (form.get('grant_type') !== 'refresh_token')
        return { status: 400, body: { error: 'unsupported_grant_type' } };
      if (
        form.get('client_id') !== credentials.clientId ||
        form.get('client_secret') !== credentials.clientSecret
      )
        return { status: 401, body: { error: 'invalid_client' } };
      if (form.get('refresh_token') !== credentials.refreshToken)
        return {
          status: 400,
          body: { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' },
        };
      const token = `ya29.double-${++issued}`;
      tokens.add(token);
      return {
        status: 200,
        body: {
          access_token: token,
          expires_in: 3599,
          token_type: 'Bearer',
          scope: 'https://www.googleapis.com/auth/datamanager',
        },
      };
    }
    const m = /^\/v1\/audienceMembers:(ingest|remove)$/.exec(req.path);
    if (!m) return status(404, 'NOT_FOUND', `no method ${req.path}`);
    if (req.method !== 'POST') return status(405, 'INVALID_ARGUMENT', `${req.method} is not allowed`);
    const token = bearer(req);
    if (!token || !tokens.has(token))
      return status(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.');
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json'))
      return status(400, 'INVALID_ARGUMENT', 'a JSON body is required');
    const body = parseJson(req.body) as Body | undefined;
    const problem = requestProblem(body);
    if (problem) return badRequest([{ field: problem.field, description: problem.description }]);
    const members = body!.audienceMembers!;
    const violations = members.flatMap((member, i) => memberViolations(member, i));

    const fault = faults.next('google');
    if (fault === 'throttle')
      return {
        ...status(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded'),
        headers: { 'retry-after': String(faults.retryAfterSeconds) },
      };
    if (fault === 'error') return status(500, 'INTERNAL', 'Internal error encountered.');
    if (fault === 'expireToken') {
      tokens.clear();
      return status(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.');
    }
    if (fault === 'partial' && !violations.some((v) => v.field.startsWith('audience_members[0]')))
      violations.unshift({
        field: 'audience_members[0].user_data.user_identifiers[0].email_address',
        description: 'The member was refused.',
        reason: 'INVALID_HEX_ENCODING',
      });
    if (violations.length > 0) return badRequest(violations);

    for (const d of body!.destinations!) {
      const audience = audienceOf(audiences, String(d.productDestinationId));
      for (const member of members)
        for (const id of member.userData!.userIdentifiers!) {
          const hash = id.emailAddress as string;
          if (m[1] === 'ingest') audience.add(hash);
          else audience.remove(hash);
        }
    }
    if (fault === 'hang') return { hang: true };
    return { status: 200, body: { requestId: `double-${Date.now()}-${members.length}` } };
  });
}

function badRequest(
  fieldViolations: { field: string; description: string; reason?: string }[],
): DoubleResponse {
  return status(400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.', [
    { '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations },
  ]);
}

function requestProblem(body: Body | undefined): { field: string; description: string } | undefined {
  if (!body) return { field: 'body', description: 'not JSON' };
  const ds = body.destinations;
  if (!Array.isArray(ds) || ds.length === 0 || ds.length > GOOGLE_DOUBLE_MAX_DESTINATIONS)
    return { field: 'destinations', description: `1 to ${GOOGLE_DOUBLE_MAX_DESTINATIONS} destinations` };
  for (const [i, d] of ds.entries()) {
    if (
      d?.operatingAccount?.accountType !== 'GOOGLE_ADS' ||
      !/^\d+$/.test(String(d?.operatingAccount?.accountId))
    )
      return {
        field: `destinations[${i}].operating_account`,
        description: 'a GOOGLE_ADS account with a numeric id',
      };
    if (
      d.loginAccount !== undefined &&
      (d.loginAccount.accountType !== 'GOOGLE_ADS' || !/^\d+$/.test(String(d.loginAccount.accountId)))
    )
      return {
        field: `destinations[${i}].login_account`,
        description: 'a GOOGLE_ADS account with a numeric id',
      };
    if (typeof d.productDestinationId !== 'string' || d.productDestinationId === '')
      return { field: `destinations[${i}].product_destination_id`, description: 'required' };
  }
  const ms = body.audienceMembers;
  if (!Array.isArray(ms) || ms.length === 0 || ms.length > GOOGLE_DOUBLE_MAX_MEMBERS)
    return { field: 'audience_members', description: `1 to ${GOOGLE_DOUBLE_MAX_MEMBERS} members` };
  if (body.encoding !== 'HEX')
    return { field: 'encoding', description: 'HEX (this double) is required for user data' };
  return undefined;
}

function memberViolations(
  member: Member,
  i: number,
): { field: string; description: string; reason: string }[] {
  const ids = member?.userData?.userIdentifiers;
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > GOOGLE_DOUBLE_MAX_IDENTIFIERS)
    return [
      {
        field: `audience_members[${i}].user_data`,
        description: '1 to 10 user identifiers',
        reason: 'INVALID_ARGUMENT',
      },
    ];
  const out: { field: string; description: string; reason: string }[] = [];
  ids.forEach((id, j) => {
    if (typeof id.emailAddress !== 'string' || !HEX64.test(id.emailAddress))
      out.push({
        field: `audience_members[${i}].user_data.user_identifiers[${j}].email_address`,
        description: 'not a hex-encoded SHA-256 hash',
        reason: 'INVALID_HEX_ENCODING',
      });
  });
  for (const key of ['adUserData', 'adPersonalization'])
    if (member.consent?.[key] !== undefined && !CONSENT_VALUES.includes(String(member.consent[key])))
      out.push({
        field: `audience_members[${i}].consent.${key}`,
        description: 'not a ConsentStatus',
        reason: 'INVALID_ARGUMENT',
      });
  return out;
}
