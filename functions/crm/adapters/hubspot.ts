/**
 * HubSpot: SDR tasks as CRM tasks, associated with the contact and the company.
 *
 * Documentation (HubSpot developer docs):
 * - tasks:        https://developers.hubspot.com/docs/api/crm/tasks ("Create a task": `POST
 *   /crm/v3/objects/tasks`, `properties` with `hs_timestamp` (required: the due date, ISO or epoch
 *   ms), `hs_task_subject`, `hs_task_body`, `hs_task_status` (NOT_STARTED | COMPLETED),
 *   `hs_task_priority` (LOW | MEDIUM | HIGH), `hs_task_type` (EMAIL | CALL | TODO),
 *   `hubspot_owner_id`; `associations: [{ to: { id }, types: [{ associationCategory:
 *   "HUBSPOT_DEFINED", associationTypeId }] }]`, task -> contact 204, task -> company 192)
 * - search:       https://developers.hubspot.com/docs/api/crm/search (`POST /crm/v3/objects/{type}/search`
 *   with `filterGroups[].filters[] { propertyName, operator: "EQ", value }`)
 * - batch read:   `POST /crm/v3/objects/tasks/batch/read` (`inputs: [{ id }]`, `properties`)
 * - auth:         a private app's access token as `Authorization: Bearer` (scopes
 *   crm.objects.contacts.read/write, crm.objects.companies.read/write, tasks)
 *
 * Idempotency: HubSpot documents no idempotency key for object creation. Each task carries this
 * product's task id in a custom task property `abm_task_id`, created with "unique values"
 * (README "Connect your CRM"): a creation that repeats one an earlier attempt made (a lost
 * response) is refused with 409, and the adapter then finds the task by that property. Before
 * creating, it searches by the property too (a retry after a crash). Contacts are unique by
 * email in HubSpot (409 on a duplicate, then found by search); companies are matched by domain.
 */
import { ProviderHttpClient } from '../../platform/providers/http';
import type { CrmAdapter, CrmCompletion, CrmTaskRequest } from '../port';
import { CrmError } from '../port';
import { expectOk, outcomeOf, type CrmAdapterDeps } from './shared';

export const HUBSPOT_API = 'https://api.hubapi.com';
/** The custom task property holding this product's task id (unique values). */
export const HUBSPOT_TASK_ID_PROPERTY = 'abm_task_id';
/** HUBSPOT_DEFINED association types (tasks page, "Associations"). */
export const HUBSPOT_TASK_TO_CONTACT = 204;
export const HUBSPOT_TASK_TO_COMPANY = 192;
const PRIORITY = { 1: 'HIGH', 2: 'MEDIUM', 3: 'LOW' } as const;
/** Batch read takes up to 100 inputs. */
export const HUBSPOT_MAX_BATCH_READ = 100;

/** hs_task_type of each task kind (https://developers.hubspot.com/docs/api/crm/tasks: EMAIL, CALL, TODO). */
const HUBSPOT_TASK_TYPE = { call: 'CALL', email: 'EMAIL', todo: 'TODO' } as const;

export function hubspotAccessToken(secret: unknown): string {
  const s = secret as { accessToken?: unknown } | undefined;
  if (!s || typeof s.accessToken !== 'string' || s.accessToken === '')
    throw new Error('hubspot: the secret must be a JSON object with "accessToken" (a private app token)');
  return s.accessToken;
}

export interface HubSpotAdapter extends CrmAdapter {
  /** The domain of a deal's first associated company, or of a company (stage webhooks). */
  domainOf(kind: 'deal' | 'company', id: string): Promise<string | undefined>;
}

export function createHubSpotAdapter(
  settings: { baseUrl?: string },
  secret: unknown,
  deps: CrmAdapterDeps = {},
): HubSpotAdapter {
  const token = hubspotAccessToken(secret);
  const http = new ProviderHttpClient({
    ...deps,
    provider: 'hubspot',
    baseUrl: settings.baseUrl ?? HUBSPOT_API,
    headers: () => ({ authorization: `Bearer ${token}` }),
  });
  const call = (req: Parameters<ProviderHttpClient['request']>[0]) => http.request(req);

  async function findOne(type: string, propertyName: string, value: string): Promise<string | undefined> {
    const res = await call({
      method: 'POST',
      path: `/crm/v3/objects/${type}/search`,
      json: {
        filterGroups: [{ filters: [{ propertyName, operator: 'EQ', value }] }],
        properties: [propertyName],
        limit: 1,
      },
    });
    expectOk('hubspot', `search ${type}`, res, [200]);
    return (res.body as { results?: { id: string }[] }).results?.[0]?.id;
  }

  /** Finds by a property, else creates; a 409 (created meanwhile, or by a lost attempt) finds it again. */
  async function findOrCreate(
    type: string,
    propertyName: string,
    value: string,
    properties: Record<string, string>,
    extra: Record<string, unknown> = {},
  ): Promise<string> {
    const found = await findOne(type, propertyName, value);
    if (found) return found;
    const res = await call({
      method: 'POST',
      path: `/crm/v3/objects/${type}`,
      json: { properties, ...extra },
    });
    if (res.status === 409) {
      const again = await findOne(type, propertyName, value);
      if (again) return again;
      throw new CrmError(
        'hubspot',
        `${type} ${propertyName}=${value} conflicts but is not found yet`,
        true,
        409,
      );
    }
    expectOk('hubspot', `create ${type}`, res);
    return (res.body as { id: string }).id;
  }

  async function getObject(
    path: string,
    query: Record<string, string>,
  ): Promise<Record<string, unknown> | undefined> {
    const res = await call({ method: 'GET', path, query });
    if (res.status === 404) return undefined;
    expectOk('hubspot', `GET ${path}`, res, [200]);
    return res.body as Record<string, unknown>;
  }

  return {
    provider: 'hubspot',
    maxPoll: HUBSPOT_MAX_BATCH_READ,
    async createTask(task: CrmTaskRequest) {
      const associations: unknown[] = [];
      if (task.contact) {
        const contactId = await findOrCreate('contacts', 'email', task.contact.email.toLowerCase(), {
          email: task.contact.email.toLowerCase(),
          lastname: task.contact.lastName,
          ...(task.contact.firstName ? { firstname: task.contact.firstName } : {}),
        });
        associations.push(association(contactId, HUBSPOT_TASK_TO_CONTACT));
      }
      if (task.company.domain) {
        const domain = task.company.domain.toLowerCase();
        const companyId = await findOrCreate('companies', 'domain', domain, {
          name: task.company.name,
          domain,
        });
        associations.push(association(companyId, HUBSPOT_TASK_TO_COMPANY));
      }
      return findOrCreate(
        'tasks',
        HUBSPOT_TASK_ID_PROPERTY,
        task.taskId,
        {
          [HUBSPOT_TASK_ID_PROPERTY]: task.taskId,
          hs_timestamp: task.dueAt,
          hs_task_subject: task.subject,
          hs_task_body: task.body,
          hs_task_type: HUBSPOT_TASK_TYPE[task.kind],
          hs_task_status: 'NOT_STARTED',
          hs_task_priority: PRIORITY[task.priority],
          ...(task.ownerId ? { hubspot_owner_id: task.ownerId } : {}),
        },
        { associations },
      );
    },
    async completed(crmIds) {
      if (crmIds.length === 0) return [];
      const res = await call({
        method: 'POST',
        path: '/crm/v3/objects/tasks/batch/read',
        json: { properties: ['hs_task_status'], inputs: crmIds.map((id) => ({ id })) },
      });
      expectOk('hubspot', 'batch read tasks', res, [200, 207]);
      const results =
        (res.body as { results?: { id: string; properties?: Record<string, string> }[] }).results ?? [];
      return results
        .filter((r) => r.properties?.hs_task_status === 'COMPLETED')
        .map((r): CrmCompletion => ({ crmId: r.id, outcome: outcomeOf(undefined) }));
    },
    async domainOf(kind, id) {
      let companyId = id;
      if (kind === 'deal') {
        const deal = await getObject(`/crm/v3/objects/deals/${encodeURIComponent(id)}`, {
          associations: 'companies',
        });
        const first = (deal?.associations as { companies?: { results?: { id: string }[] } } | undefined)
          ?.companies?.results?.[0]?.id;
        if (!first) return undefined;
        companyId = first;
      }
      const company = await getObject(`/crm/v3/objects/companies/${encodeURIComponent(companyId)}`, {
        properties: 'domain',
      });
      const domain = (company?.properties as { domain?: unknown } | undefined)?.domain;
      return typeof domain === 'string' && domain !== '' ? domain.toLowerCase() : undefined;
    },
  };
}

const association = (id: string, associationTypeId: number) => ({
  to: { id },
  types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId }],
});
