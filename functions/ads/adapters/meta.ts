/**
 * Meta (Facebook, Instagram) customer-file custom audiences: the users edge of a custom audience.
 *
 * Documentation (Meta for Developers):
 * - users edge: https://developers.facebook.com/docs/marketing-api/reference/custom-audience/users
 * - guide, hashing and normalising:
 *   https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences
 * - versions:   https://developers.facebook.com/docs/graph-api/changelog/versions/
 * - errors:     https://developers.facebook.com/documentation/ads-commerce/marketing-api/error-reference
 * - rate limits: https://developers.facebook.com/docs/marketing-api/overview/rate-limiting
 *
 * What the adapter sends, and where each part is documented:
 * - `POST /v26.0/{custom_audience_id}/users` adds, `DELETE` on the same edge removes (users edge,
 *   "Updating" and "Deleting"); host graph.facebook.com; v26.0 is the latest Graph/Marketing API
 *   version (released July 29, 2026, versions page).
 * - Parameters `payload` = `{ "schema": "EMAIL_SHA256", "data": [<64 hex>, ...] }` and
 *   `access_token` (users edge); sent form-encoded in the body, so the token is never in a URL.
 * - At most 10,000 records per call ("You can add an unlimited number of records for an audience,
 *   but only a maximum of 10000 at a time", users edge).
 * - The response's `num_received`, `num_invalid_entries` and `invalid_entry_samples` (users edge):
 *   entries named in the samples are this batch's partial failures (bad data: not retryable).
 * - Sessions (`session_id`, `batch_seq`, `last_batch_flag`) tie several calls of one upload
 *   together, for uploads over 10,000 records that replace an audience; every call here is one
 *   self-contained add or remove of at most 10,000 records, so none is needed.
 * - Rate limits come back as error codes 4, 17, 613 and 80003 (error reference, rate-limiting
 *   page), often with HTTP 400: retried like a 429. Code 190 is an invalid access token.
 *
 * Normalisation: email "trim leading and trailing whitespace and convert all characters to
 * lowercase", then SHA-256, hex (guide, "Hashing and Normalizing Data").
 * Token: a system user's access token does not expire; Meta has no refresh-token grant for it.
 */
import { ProviderHttpClient, type HttpResponse } from '../../platform/providers/http';
import type {
  AudienceAdapter,
  AudienceMember,
  BatchOutcome,
  IdentifiedMember,
  ProviderAudience,
} from '../port';
import { ProviderError } from '../port';
import {
  accessTokenSecret,
  asProviderCall,
  checkBatch,
  indexBy,
  normaliseEmail,
  refused,
  sha256Hex,
  type AdapterDeps,
  type AdapterSettings,
} from './shared';

export const META_API = 'https://graph.facebook.com';
export const META_VERSION = 'v26.0';
export const META_MAX_BATCH = 10_000;
/** Graph error codes that mean "too many calls, wait" (error reference; rate-limiting page). */
export const META_THROTTLE_CODES: readonly number[] = [4, 17, 613, 80003];

interface GraphError {
  error?: { code?: number; message?: string };
}

function graphErrorCode(res: HttpResponse): number | undefined {
  return (res.body as GraphError | undefined)?.error?.code;
}

export function createMetaAdapter(
  settings: AdapterSettings,
  secret: unknown,
  deps: AdapterDeps = {},
): AudienceAdapter {
  const { accessToken } = accessTokenSecret('meta', secret);
  const http = new ProviderHttpClient({
    ...deps,
    provider: 'meta',
    baseUrl: settings.baseUrl ?? META_API,
    isThrottled: (res) => res.status === 400 && META_THROTTLE_CODES.includes(graphErrorCode(res) ?? -1),
  });

  const send =
    (method: 'POST' | 'DELETE') => async (target: ProviderAudience, members: IdentifiedMember[]) => {
      checkBatch('meta', members, META_MAX_BATCH);
      if (members.length === 0) return { done: [], failed: [] };
      const path = `/${META_VERSION}/${encodeURIComponent(target.listId)}/users`;
      const payload = { schema: 'EMAIL_SHA256', data: members.map((m) => m.ids.EMAIL_SHA256) };
      const res = await asProviderCall('meta', () =>
        http.request({
          method,
          path,
          form: { payload: JSON.stringify(payload), access_token: accessToken },
        }),
      );
      if (graphErrorCode(res) === 190 || res.status === 401)
        throw new ProviderError(
          'meta',
          'access token refused (code 190): renew the secret',
          false,
          res.status,
        );
      if (res.status < 200 || res.status >= 300)
        throw refused('meta', `${method} ${path}`, res.status, res.body);
      return fromSamples(members, res.body);
    };

  return {
    provider: 'meta',
    maxBatch: META_MAX_BATCH,
    kinds: ['contact'],
    identify: identifyForMeta,
    add: send('POST'),
    remove: send('DELETE'),
  };
}

export function identifyForMeta(member: AudienceMember): IdentifiedMember | undefined {
  if (member.kind !== 'contact') return undefined;
  const email = normaliseEmail(member.email);
  if (!email.includes('@')) return undefined;
  return { memberId: member.memberId, kind: 'contact', ids: { EMAIL_SHA256: sha256Hex(email) } };
}

interface UsersResponse {
  num_received?: number;
  num_invalid_entries?: number;
  invalid_entry_samples?: Record<string, string> | string[];
}

/** Members named among the invalid samples failed; the rest of the batch is done. */
function fromSamples(members: IdentifiedMember[], body: unknown): BatchOutcome {
  const r = (body ?? {}) as UsersResponse;
  const samples = r.invalid_entry_samples ?? {};
  const reasons = new Map<string, string>(
    Array.isArray(samples) ? samples.map((s) => [s, 'invalid entry']) : Object.entries(samples),
  );
  const byHash = indexBy(members, (m) => m.ids.EMAIL_SHA256);
  const outcome: BatchOutcome = { done: [], failed: [] };
  const failedIds = new Set<string>();
  for (const [entry, reason] of reasons)
    for (const m of byHash.get(entry) ?? []) {
      failedIds.add(m.memberId);
      outcome.failed.push({ memberId: m.memberId, reason: `invalid entry: ${reason}`, retryable: false });
    }
  const unexplained = (r.num_invalid_entries ?? 0) - failedIds.size;
  for (const m of members) {
    if (failedIds.has(m.memberId)) continue;
    // More invalid entries than samples name: which ones is unknown, so none is claimed done; a
    // retry of an idempotent add or remove is harmless.
    if (unexplained > 0)
      outcome.failed.push({
        memberId: m.memberId,
        reason: 'batch had unnamed invalid entries',
        retryable: true,
      });
    else outcome.done.push(m.memberId);
  }
  return outcome;
}
