/**
 * A test double of LinkedIn's DMP segment users and companies batch endpoints, checking what the
 * documentation requires (functions/ads/adapters/linkedin.ts cites the pages):
 * POST /rest/dmpSegments/{id}/users|companies; `Authorization: Bearer <token>`; a `LinkedIn-Version`
 * of a supported month; `X-Restli-Protocol-Version: 2.0.0`; `X-RestLi-Method: BATCH_CREATE`;
 * `{ elements: [...] }` of 1 to 5,000 elements, each with `action` ADD or REMOVE and, for users,
 * `userIds` whose SHA256_EMAIL is 64 hex characters; for companies a name, domain, page or URN.
 * It answers one `{ status }` per element (201, also for an ADD of a member already held), 400 for a
 * malformed element. A user is keyed by its hash; a company by its domain, else its name.
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

export const LINKEDIN_DOUBLE_MAX_BATCH = 5000;
/** The oldest version the double takes (monthly versions live at least a year). */
export const LINKEDIN_DOUBLE_OLDEST_VERSION = '202512';

interface Element {
  action?: unknown;
  userIds?: { idType?: unknown; idValue?: unknown }[];
  companyName?: unknown;
  companyWebsiteDomain?: unknown;
  companyPageUrl?: unknown;
  organizationUrn?: unknown;
}

const error = (status: number, message: string): DoubleResponse => ({ status, body: { status, message } });

export function startLinkedInDouble(faults: Faults, accessToken: string): Promise<DoubleServer> {
  const audiences = new Map<string, Membership>();
  return startDouble('linkedin', audiences, (req) => {
    const m = /^\/rest\/dmpSegments\/([^/]+)\/(users|companies)$/.exec(req.path);
    if (!m) return error(404, `no resource ${req.path}`);
    if (req.method !== 'POST') return error(405, `${req.method} is not allowed`);
    if (bearer(req) !== accessToken)
      return { status: 401, body: { status: 401, serviceErrorCode: 65600, message: 'Invalid access token' } };
    const version = String(req.headers['linkedin-version'] ?? '');
    if (!/^\d{6}$/.test(version)) return error(400, 'A valid LinkedIn-Version header (YYYYMM) is required');
    if (version < LINKEDIN_DOUBLE_OLDEST_VERSION) return error(426, `Version ${version} is deprecated`);
    if (req.headers['x-restli-protocol-version'] !== '2.0.0')
      return error(400, 'X-Restli-Protocol-Version 2.0.0 is required');
    if (String(req.headers['x-restli-method'] ?? '').toUpperCase() !== 'BATCH_CREATE')
      return error(400, 'a batch of elements needs X-RestLi-Method: BATCH_CREATE');
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json'))
      return error(415, 'JSON body required');
    const body = parseJson(req.body) as { elements?: Element[] } | undefined;
    const elements = body?.elements;
    if (!Array.isArray(elements) || elements.length === 0)
      return error(400, 'elements: a non-empty array is required');
    if (elements.length > LINKEDIN_DOUBLE_MAX_BATCH)
      return error(400, `elements: at most ${LINKEDIN_DOUBLE_MAX_BATCH} per batch, got ${elements.length}`);

    const companies = m[2] === 'companies';
    const keyed = elements.map((el) => keyOf(el, companies));
    const fault = faults.next('linkedin');
    if (fault === 'throttle')
      return {
        status: 429,
        headers: { 'retry-after': String(faults.retryAfterSeconds) },
        body: { status: 429, message: 'Too Many Requests' },
      };
    if (fault === 'error') return error(500, 'Internal Server Error');

    const audience = audienceOf(audiences, m[1]!);
    const statuses = keyed.map((k, i) => {
      if (typeof k !== 'string') return { status: 400, message: k.problem };
      if (fault === 'partial' && i === 0)
        return { status: 500, message: 'Internal error processing the element' };
      if (elements[i]!.action === 'ADD') audience.add(k);
      else audience.remove(k);
      return { status: 201 };
    });
    if (fault === 'hang') return { hang: true };
    return { status: 200, body: { elements: statuses } };
  });
}

function keyOf(el: Element, companies: boolean): string | { problem: string } {
  if (el.action !== 'ADD' && el.action !== 'REMOVE') return { problem: 'action must be ADD or REMOVE' };
  if (companies) {
    const key = [el.companyWebsiteDomain, el.companyName, el.companyPageUrl, el.organizationUrn].find(
      (v): v is string => typeof v === 'string' && v.trim() !== '',
    );
    return (
      key ?? {
        problem: 'a company needs companyName, companyWebsiteDomain, companyPageUrl or organizationUrn',
      }
    );
  }
  if (!Array.isArray(el.userIds) || el.userIds.length === 0)
    return { problem: 'userIds: a non-empty array is required' };
  const sha = el.userIds.find((u) => u.idType === 'SHA256_EMAIL');
  if (!sha) return { problem: 'no SHA256_EMAIL user id' };
  if (typeof sha.idValue !== 'string' || !HEX64.test(sha.idValue))
    return { problem: 'SHA256_EMAIL must be a HEX encoded string with length = 64' };
  return sha.idValue;
}
