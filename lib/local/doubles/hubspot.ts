/**
 * A HubSpot test double (local mode, contract tests, the CRM bench): the CRM objects API as
 * functions/crm/adapters/hubspot.ts documents it, checked the way HubSpot checks it, and HubSpot's
 * side of the webhooks (signed v3 requests to a target URL).
 *
 * It checks: `Authorization: Bearer <the private app token>` (else 401); JSON bodies; the search
 * body (`filterGroups[].filters[]` with EQ); a task's properties (`hs_timestamp` required,
 * `hs_task_type` EMAIL | CALL | TODO, `hs_task_status` NOT_STARTED | COMPLETED, `hs_task_priority`
 * LOW | MEDIUM | HIGH, `hubspot_owner_id` digits) and associations (HUBSPOT_DEFINED, task -> contact
 * 204 to an existing contact, task -> company 192 to an existing company). Unique values: a
 * contact's `email`, a task's `abm_task_id` (the custom property created with unique values): a
 * second create answers 409. Faults (lib/local/doubles/shared.ts) apply to every API request after
 * the auth check; `hang` applies the request and never answers.
 */
import { hubspotSignatureV3 } from '../../../functions/crm';
import {
  bearer,
  parseJson,
  startDouble,
  type DoubleRequest,
  type DoubleResponse,
  type Faults,
} from './shared';
import { CrmRecords, faultResponse, type CrmDoubleServer } from './crm-shared';

const TASK_TYPES = ['EMAIL', 'CALL', 'TODO'];
const TASK_STATUSES = ['NOT_STARTED', 'COMPLETED'];
const PRIORITIES = ['LOW', 'MEDIUM', 'HIGH'];
const UNIQUE: Record<string, string | undefined> = { contacts: 'email', tasks: 'abm_task_id' };
const OBJECT_TYPE_IDS: Record<string, string> = {
  contacts: '0-1',
  companies: '0-2',
  deals: '0-3',
  tasks: '0-27',
};

export interface HubSpotDoubleCredentials {
  accessToken: string;
  /** The app's client secret: what the double signs webhooks with. */
  clientSecret: string;
}

export interface HubSpotDouble extends CrmDoubleServer {
  /** Marks a task COMPLETED (as an SDR does in HubSpot) and returns the generic webhook event. */
  completeTask(id: string): HubSpotWebhookEvent;
  /** A deal associated with the company of this domain (created when absent). */
  createDeal(domain: string, dealstage: string): string;
  /** Moves a deal to a stage and returns the webhook event HubSpot sends for it. */
  moveDeal(id: string, dealstage: string): HubSpotWebhookEvent;
  /** The headers and body HubSpot sends for these events to `url` (v3 signature). */
  signedRequest(
    url: string,
    events: HubSpotWebhookEvent[],
    opts?: { clientSecret?: string; timestamp?: number },
  ): { headers: Record<string, string>; body: string };
  /** POSTs events to `url` signed with the v3 signature (or as told), as HubSpot does. */
  sendWebhook(
    url: string,
    events: HubSpotWebhookEvent[],
    opts?: { clientSecret?: string; timestamp?: number; signedUrl?: string },
  ): Promise<{ status: number; body: unknown }>;
}

export interface HubSpotWebhookEvent {
  eventId: number;
  subscriptionType: string;
  objectId: number;
  objectTypeId?: string;
  propertyName: string;
  propertyValue: string;
  occurredAt: number;
  portalId: number;
  attemptNumber: number;
}

export async function startHubSpotDouble(
  faults: Faults,
  creds: HubSpotDoubleCredentials,
): Promise<HubSpotDouble> {
  const records = new CrmRecords();
  let eventIds = 1000;
  const ids = { n: 100 };
  const newId = () => String(++ids.n);

  const handle = (req: DoubleRequest): DoubleResponse => {
    if (bearer(req) !== creds.accessToken)
      return {
        status: 401,
        body: {
          status: 'error',
          category: 'INVALID_AUTHENTICATION',
          message: 'Authentication credentials not found.',
        },
      };
    const fault = faultResponse(faults, 'hubspot');
    if (fault && fault !== 'hang') return fault;
    const out = route(req);
    return fault === 'hang' ? { hang: true } : out;
  };

  const bad = (message: string): DoubleResponse => ({
    status: 400,
    body: { status: 'error', category: 'VALIDATION_ERROR', message },
  });

  function route(req: DoubleRequest): DoubleResponse {
    let m: RegExpExecArray | null;
    const json = req.body ? (parseJson(req.body) as Record<string, unknown> | undefined) : undefined;
    if (req.method !== 'GET' && !String(req.headers['content-type'] ?? '').startsWith('application/json'))
      return bad('Content-Type must be application/json');
    if (
      req.method === 'POST' &&
      (m = /^\/crm\/v3\/objects\/(contacts|companies|tasks|deals)\/search$/.exec(req.path))
    ) {
      const filters = (
        json?.filterGroups as
          { filters?: { propertyName?: string; operator?: string; value?: string }[] }[] | undefined
      )?.[0]?.filters;
      if (!filters || filters.length === 0) return bad('filterGroups[0].filters is required');
      if (filters.some((f) => f.operator !== 'EQ' || typeof f.propertyName !== 'string'))
        return bad('only EQ filters');
      const found = records
        .ofType(m[1]!)
        .filter((r) =>
          filters.every(
            (f) =>
              String(r.properties[f.propertyName!] ?? '').toLowerCase() ===
              String(f.value ?? '').toLowerCase(),
          ),
        );
      const limit = Number(json?.limit ?? 10);
      return { status: 200, body: { total: found.length, results: found.slice(0, limit).map(view) } };
    }
    if (req.method === 'POST' && (m = /^\/crm\/v3\/objects\/(contacts|companies|tasks)$/.exec(req.path))) {
      const type = m[1]!;
      const properties = json?.properties as Record<string, unknown> | undefined;
      if (!properties || typeof properties !== 'object') return bad('properties is required');
      const problem =
        type === 'tasks'
          ? checkTask(properties, json?.associations)
          : type === 'contacts' && !properties.email
            ? 'email is required'
            : undefined;
      if (problem) return bad(problem);
      const unique = UNIQUE[type];
      if (unique && properties[unique] !== undefined) {
        const dup = records
          .ofType(type)
          .find(
            (r) => String(r.properties[unique]).toLowerCase() === String(properties[unique]).toLowerCase(),
          );
        if (dup)
          return {
            status: 409,
            body: {
              status: 'error',
              category: 'CONFLICT',
              message: `A ${type} with ${unique} ${String(properties[unique])} already exists. Existing ID: ${dup.id}`,
            },
          };
      }
      const id = newId();
      const assoc = ((json?.associations as { to: { id: string } }[] | undefined) ?? []).map((a) => a.to.id);
      records.put(type, id, { ...properties, ...(type === 'tasks' ? { associations: assoc } : {}) });
      return { status: 201, body: view(records.get(type, id)!) };
    }
    if (req.method === 'POST' && req.path === '/crm/v3/objects/tasks/batch/read') {
      const inputs = json?.inputs as { id?: string }[] | undefined;
      if (!Array.isArray(inputs) || inputs.length > 100) return bad('inputs: 1 to 100 ids');
      return {
        status: 200,
        body: {
          status: 'COMPLETE',
          results: inputs
            .map((i) => records.get('tasks', String(i.id)))
            .filter((r) => r !== undefined)
            .map(view),
        },
      };
    }
    if (req.method === 'GET' && (m = /^\/crm\/v3\/objects\/(deals|companies)\/([^/]+)$/.exec(req.path))) {
      const r = records.get(m[1]!, m[2]!);
      if (!r)
        return {
          status: 404,
          body: { status: 'error', category: 'OBJECT_NOT_FOUND', message: 'Object not found' },
        };
      const body: Record<string, unknown> = view(r);
      if (m[1] === 'deals' && req.query.associations === 'companies')
        body.associations = {
          companies: { results: [{ id: String(r.properties.companyId), type: 'deal_to_company' }] },
        };
      return { status: 200, body };
    }
    return { status: 404, body: { status: 'error', message: `no route ${req.method} ${req.path}` } };
  }

  function checkTask(p: Record<string, unknown>, associations: unknown): string | undefined {
    if (p.hs_timestamp === undefined || Number.isNaN(Date.parse(String(p.hs_timestamp))))
      return 'hs_timestamp is required (ISO 8601 or epoch ms)';
    if (p.hs_task_type !== undefined && !TASK_TYPES.includes(String(p.hs_task_type)))
      return 'hs_task_type: EMAIL, CALL or TODO';
    if (p.hs_task_status !== undefined && !TASK_STATUSES.includes(String(p.hs_task_status)))
      return 'hs_task_status: NOT_STARTED or COMPLETED';
    if (p.hs_task_priority !== undefined && !PRIORITIES.includes(String(p.hs_task_priority)))
      return 'hs_task_priority: LOW, MEDIUM or HIGH';
    if (p.hubspot_owner_id !== undefined && !/^\d+$/.test(String(p.hubspot_owner_id)))
      return 'hubspot_owner_id: an owner id';
    for (const a of (associations as
      | { to?: { id?: string }; types?: { associationCategory?: string; associationTypeId?: number }[] }[]
      | undefined) ?? []) {
      const type = a.types?.[0];
      if (type?.associationCategory !== 'HUBSPOT_DEFINED')
        return 'associationCategory must be HUBSPOT_DEFINED';
      const target =
        type.associationTypeId === 204
          ? 'contacts'
          : type.associationTypeId === 192
            ? 'companies'
            : undefined;
      if (!target) return `association type ${type.associationTypeId} is not task -> contact/company`;
      if (!records.get(target, String(a.to?.id))) return `association to unknown ${target} ${a.to?.id}`;
    }
    return undefined;
  }

  const server = await startDouble('hubspot', new Map(), handle);
  const event = (
    objectType: string,
    id: string,
    propertyName: string,
    propertyValue: string,
  ): HubSpotWebhookEvent => ({
    eventId: ++eventIds,
    subscriptionType: objectType === 'deals' ? 'deal.propertyChange' : 'object.propertyChange',
    objectId: Number(id),
    ...(objectType === 'deals' ? {} : { objectTypeId: OBJECT_TYPE_IDS[objectType] }),
    propertyName,
    propertyValue,
    occurredAt: Date.now(),
    portalId: 62515,
    attemptNumber: 0,
  });
  return {
    ...server,
    records,
    completeTask(id) {
      const r = records.get('tasks', id);
      if (!r) throw new Error(`no HubSpot task ${id}`);
      r.properties.hs_task_status = 'COMPLETED';
      return event('tasks', id, 'hs_task_status', 'COMPLETED');
    },
    createDeal(domain, dealstage) {
      let company = records.ofType('companies').find((c) => c.properties.domain === domain);
      if (!company) {
        const id = newId();
        records.put('companies', id, { name: domain, domain });
        company = records.get('companies', id)!;
      }
      const id = newId();
      records.put('deals', id, { dealstage, companyId: company.id });
      return id;
    },
    moveDeal(id, dealstage) {
      const r = records.get('deals', id);
      if (!r) throw new Error(`no HubSpot deal ${id}`);
      r.properties.dealstage = dealstage;
      return event('deals', id, 'dealstage', dealstage);
    },
    signedRequest,
    async sendWebhook(url, events, opts = {}) {
      const { headers, body } = signedRequest(opts.signedUrl ?? url, events, opts);
      const res = await fetch(url, { method: 'POST', headers, body });
      const text = await res.text();
      return { status: res.status, body: parseJson(text) ?? text };
    },
    snapshot: (names) => ({ ...server.snapshot(names), records: records.snapshot() }),
  };

  function signedRequest(
    url: string,
    events: HubSpotWebhookEvent[],
    opts: { clientSecret?: string; timestamp?: number } = {},
  ): { headers: Record<string, string>; body: string } {
    const body = JSON.stringify(events);
    const timestamp = String(opts.timestamp ?? Date.now());
    const signature = hubspotSignatureV3(
      opts.clientSecret ?? creds.clientSecret,
      'POST',
      url,
      body,
      timestamp,
    );
    return {
      headers: {
        'content-type': 'application/json',
        'x-hubspot-signature-v3': signature,
        'x-hubspot-request-timestamp': timestamp,
      },
      body,
    };
  }
}

const view = (r: { id: string; properties: Record<string, unknown> }) => ({
  id: r.id,
  properties: Object.fromEntries(
    Object.entries(r.properties).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
  ),
  createdAt: new Date(0).toISOString(),
  archived: false,
});
