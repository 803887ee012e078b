/**
 * LinkedIn Matched Audiences: DMP segment users (contacts) and DMP segment companies (the account as
 * a company), streamed in batches.
 *
 * Documentation (LinkedIn Marketing API, Microsoft Learn):
 * - users:     https://learn.microsoft.com/en-us/linkedin/marketing/matched-audiences/create-and-manage-segment-users
 * - companies: https://learn.microsoft.com/en-us/linkedin/marketing/matched-audiences/create-and-manage-segment-companies
 * - versions:  https://learn.microsoft.com/en-us/linkedin/marketing/versioning
 *
 * What the adapter sends, and where each part is documented:
 * - `POST https://api.linkedin.com/rest/dmpSegments/{id}/users` (or `/companies`): the versioned base
 *   path is `/rest/` (versioning page, "What's changing").
 * - `LinkedIn-Version: YYYYMM` on every call (versioning page); `X-Restli-Protocol-Version: 2.0.0`;
 *   `X-RestLi-Method: BATCH_CREATE` selects "Add or Remove Multiple Users/Companies" (users page).
 * - `Authorization: Bearer <token>` of a member with `rw_dmp_segments` (users page, "Permissions").
 * - Body `{ "elements": [{ "action": "ADD" | "REMOVE", "userIds": [{ "idType": "SHA256_EMAIL",
 *   "idValue": <64 hex> }] }] }` (users page, "Schema", "IdTypes": SHA256_EMAIL is "a HEX encoded
 *   string with length = 64"); for companies `{ "action", "companyName", "companyWebsiteDomain" }`
 *   (companies page, "Schema").
 * - The response lists one `{ "status" }` per element, in order; 201 also for an ID added again or
 *   removed again ("This is by design", users page): ADD and REMOVE are idempotent.
 * - Rate limits: per member per minute on /users and /companies, 429 when exceeded (users page,
 *   "Rate Limits"); the HTTP client waits and retries.
 *
 * Normalisation: the email trimmed and lower-cased, SHA-256, hex. First and last names are
 * optional match keys LinkedIn takes in clear text; the port sends no clear-text personal data,
 * so they are not sent.
 *
 * Token: a LinkedIn access token lasts 60 days; refreshing it programmatically is open to approved
 * partners only, against www.linkedin.com rather than the API host, so this adapter does not: a
 * 401 is a non-retryable `ProviderError` that says to renew the secret (docs/providers.md).
 */
import { ProviderHttpClient } from '../../platform/providers/http';
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
  normaliseEmail,
  refused,
  sha256Hex,
  type AdapterDeps,
  type AdapterSettings,
} from './shared';

export const LINKEDIN_API = 'https://api.linkedin.com';
/**
 * Marketing version June 2026 (the `li-lms-2026-06` view of the Matched Audiences pages); each
 * monthly version is supported for at least a year (versioning page).
 */
export const LINKEDIN_VERSION = '202606';
/**
 * Elements per BATCH_CREATE request. The pages above give per-minute request limits but the
 * excerpts found state no element limit; 5,000 keeps a request's body near 0.5 MB.
 * (An assumption, marked as one in docs/providers.md.)
 */
export const LINKEDIN_MAX_BATCH = 5000;

export function createLinkedInAdapter(
  settings: AdapterSettings,
  secret: unknown,
  deps: AdapterDeps = {},
): AudienceAdapter {
  const { accessToken } = accessTokenSecret('linkedin', secret);
  const http = new ProviderHttpClient({
    ...deps,
    provider: 'linkedin',
    baseUrl: settings.baseUrl ?? LINKEDIN_API,
    headers: () => ({
      authorization: `Bearer ${accessToken}`,
      'linkedin-version': LINKEDIN_VERSION,
      'x-restli-protocol-version': '2.0.0',
    }),
  });

  const send =
    (action: 'ADD' | 'REMOVE') => async (target: ProviderAudience, members: IdentifiedMember[]) => {
      checkBatch('linkedin', members, LINKEDIN_MAX_BATCH);
      if (members.length === 0) return { done: [], failed: [] };
      const companies = target.kind === 'company';
      const elements = members.map((m) =>
        companies
          ? {
              action,
              companyName: m.ids.companyName,
              ...(m.ids.companyWebsiteDomain ? { companyWebsiteDomain: m.ids.companyWebsiteDomain } : {}),
            }
          : { action, userIds: [{ idType: 'SHA256_EMAIL', idValue: m.ids.SHA256_EMAIL }] },
      );
      const path = `/rest/dmpSegments/${encodeURIComponent(target.listId)}/${companies ? 'companies' : 'users'}`;
      const res = await asProviderCall('linkedin', () =>
        http.request({
          method: 'POST',
          path,
          headers: { 'x-restli-method': 'BATCH_CREATE' },
          json: { elements },
        }),
      );
      if (res.status === 401)
        throw new ProviderError('linkedin', 'access token refused (401): renew the secret', false, 401);
      if (res.status < 200 || res.status >= 300)
        throw refused('linkedin', `${action} ${path}`, res.status, res.body);
      return perElement(members, res.body);
    };

  return {
    provider: 'linkedin',
    maxBatch: LINKEDIN_MAX_BATCH,
    kinds: ['contact', 'company'],
    identify: identifyForLinkedIn,
    add: send('ADD'),
    remove: send('REMOVE'),
  };
}

export function identifyForLinkedIn(member: AudienceMember): IdentifiedMember | undefined {
  if (member.kind === 'company') {
    const name = member.name.trim();
    if (!name) return undefined;
    const domain = member.domain?.trim().toLowerCase();
    return {
      memberId: member.memberId,
      kind: 'company',
      ids: { companyName: name, ...(domain ? { companyWebsiteDomain: domain } : {}) },
    };
  }
  const email = normaliseEmail(member.email);
  if (!email.includes('@')) return undefined;
  return { memberId: member.memberId, kind: 'contact', ids: { SHA256_EMAIL: sha256Hex(email) } };
}

/** One status per element, in request order (users page, batch response). */
function perElement(members: IdentifiedMember[], body: unknown): BatchOutcome {
  const statuses = (body as { elements?: { status?: number; message?: string }[] } | undefined)?.elements;
  const outcome: BatchOutcome = { done: [], failed: [] };
  members.forEach((m, i) => {
    const el = statuses?.[i];
    const status = el?.status ?? 201;
    if (status >= 200 && status < 300) outcome.done.push(m.memberId);
    else
      outcome.failed.push({
        memberId: m.memberId,
        reason: `element status ${status}${el?.message ? `: ${el.message}` : ''}`,
        retryable: status === 429 || status >= 500,
      });
  });
  return outcome;
}
