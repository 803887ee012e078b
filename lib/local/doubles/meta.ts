/**
 * A test double of Meta's custom audience users edge, checking what the documentation requires
 * (functions/ads/adapters/meta.ts cites the pages): POST (add) or DELETE (remove)
 * /v{N}.0/{audience_id}/users of a live version; an `access_token` (form body, query or Bearer);
 * a `payload` of `{ schema: "EMAIL_SHA256", data: [...] }` with 1 to 10,000 entries. Entries that
 * are not 64 hex characters are not applied and come back in `invalid_entry_samples`, like Meta's.
 * Errors use the Graph error shape `{ error: { message, type, code } }`.
 */
import {
  audienceOf,
  bearer,
  formValue,
  HEX64,
  parseJson,
  startDouble,
  type DoubleResponse,
  type DoubleServer,
  type Faults,
  type Membership,
} from './shared';

export const META_DOUBLE_MAX_BATCH = 10_000;
/** Versions the double takes (the Graph API versions page lists them as available). */
export const META_DOUBLE_VERSIONS: readonly string[] = ['v24.0', 'v25.0', 'v26.0'];

const graphError = (code: number, message: string, type = 'OAuthException'): DoubleResponse => ({
  status: 400,
  body: { error: { message, type, code, fbtrace_id: 'double' } },
});

export function startMetaDouble(faults: Faults, accessToken: string): Promise<DoubleServer> {
  const audiences = new Map<string, Membership>();
  let sessions = 0;
  return startDouble('meta', audiences, (req) => {
    const m = /^\/(v\d+\.\d+)\/(\d+)\/users$/.exec(req.path);
    if (!m)
      return {
        status: 404,
        body: { error: { message: `Unknown path ${req.path}`, type: 'GraphMethodException', code: 100 } },
      };
    if (!META_DOUBLE_VERSIONS.includes(m[1]!)) return graphError(2635, `Version ${m[1]} is not available`);
    if (req.method !== 'POST' && req.method !== 'DELETE')
      return graphError(100, `Unsupported ${req.method} request`);
    const token = formValue(req, 'access_token') ?? bearer(req);
    if (token !== accessToken) return graphError(190, 'Invalid OAuth access token.');
    const payload = parseJson(formValue(req, 'payload') ?? '') as
      { schema?: unknown; data?: unknown } | undefined;
    if (!payload) return graphError(100, 'payload: a JSON object is required', 'GraphMethodException');
    const schema = Array.isArray(payload.schema) ? payload.schema : [payload.schema];
    if (schema.length !== 1 || schema[0] !== 'EMAIL_SHA256')
      return graphError(100, 'payload.schema: this double takes EMAIL_SHA256', 'GraphMethodException');
    const data = payload.data;
    if (!Array.isArray(data) || data.length === 0)
      return graphError(100, 'payload.data: a non-empty array is required');
    if (data.length > META_DOUBLE_MAX_BATCH)
      return graphError(
        100,
        `payload.data: at most ${META_DOUBLE_MAX_BATCH} entries per call, got ${data.length}`,
      );

    const fault = faults.next('meta');
    if (fault === 'throttle')
      return {
        status: 429,
        headers: { 'retry-after': String(faults.retryAfterSeconds) },
        body: { error: { message: 'Too many calls', code: 80003 } },
      };
    if (fault === 'graphThrottle')
      return graphError(
        80003,
        'There have been too many calls to this ad-account. Wait a bit and try again.',
      );
    if (fault === 'error')
      return { status: 500, body: { error: { message: 'An unknown error occurred', code: 1 } } };

    const audience = audienceOf(audiences, m[2]!);
    const invalid: Record<string, string> = {};
    data.forEach((entry, i) => {
      const value = Array.isArray(entry) ? entry[0] : entry;
      if (typeof value !== 'string' || !HEX64.test(value)) invalid[String(value)] = 'Invalid format';
      else if (fault === 'partial' && i === 0) invalid[value] = 'Invalid format';
      else if (req.method === 'POST') audience.add(value);
      else audience.remove(value);
    });
    if (fault === 'hang') return { hang: true };
    return {
      status: 200,
      body: {
        audience_id: m[2],
        session_id: String(++sessions),
        num_received: data.length,
        num_invalid_entries: Object.keys(invalid).length,
        invalid_entry_samples: invalid,
      },
    };
  });
}
