/**
 * Salesforce: SDR tasks as Task records (WhoId the Contact, WhatId the Account), through the REST
 * API with the OAuth 2.0 client credentials flow.
 *
 * Documentation (Salesforce developer docs):
 * - Task object: https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_objects_task.htm
 *   (fields WhoId, WhatId, Subject, ActivityDate (a date), Priority (High | Normal | Low), Description,
 *   OwnerId, TaskSubtype (Call), Status, IsClosed, CallDisposition; supported calls include upsert())
 * - token: `POST https://<My Domain>/services/oauth2/token` with `grant_type=client_credentials`,
 *   `client_id`, `client_secret`; the answer has `access_token` and `instance_url`
 *   (https://developer.salesforce.com/docs/atlas.en-us.chatterapi.meta/chatterapi/quickstart_connecting.htm;
 *   OAuth endpoints: https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_oauth_endpoints.htm)
 * - REST: versioned paths `/services/data/vXX.X/`: `query?q=<SOQL>`, `sobjects/<Object>` (create),
 *   `sobjects/Task/<externalIdField>/<value>` (PATCH: upsert by external id, 201 created / 200 updated)
 *
 * Idempotency: the Task is upserted by this product's task id in the external-id field
 * `Abm_Task_Id__c` (README "Connect your CRM"), so a repeated creation (a lost response, a retry)
 * updates the one Task instead of making a second. Contacts are found by Email and Accounts by
 * Website (the domain) before they are created.
 *
 * `baseUrl`, when set, serves both the token and the REST calls (a proxy, local mode's double);
 * else the token goes to the secret's `domain` and the REST calls to the token's `instance_url`.
 */
import { ProviderHttpClient, type HttpRequest } from '../../platform/providers/http';
import type { CrmAdapter, CrmCompletion, CrmTaskRequest } from '../port';
import { CrmError } from '../port';
import { expectOk, outcomeOf, type CrmAdapterDeps } from './shared';

/** REST API version (Winter '25). */
export const SALESFORCE_API_VERSION = 'v62.0';
export const SALESFORCE_TASK_ID_FIELD = 'Abm_Task_Id__c';
const PRIORITY = { 1: 'High', 2: 'Normal', 3: 'Low' } as const;
/** Ids per poll query (an IN list well inside SOQL's 100,000-character statement limit). */
export const SALESFORCE_MAX_POLL = 200;

export interface SalesforceSecret {
  clientId: string;
  clientSecret: string;
  /** The org's My Domain URL (`https://<name>.my.salesforce.com`): the token endpoint's host. */
  domain: string;
}

/**
 * TaskSubtype of each task kind (Task object reference: Call, Email, Task, among others;
 * https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_task.htm).
 */
const SALESFORCE_TASK_SUBTYPE = { call: 'Call', email: 'Email', todo: 'Task' } as const;

export function salesforceSecret(secret: unknown): SalesforceSecret {
  const s = (secret ?? {}) as Partial<Record<keyof SalesforceSecret, unknown>>;
  for (const k of ['clientId', 'clientSecret', 'domain'] as const)
    if (typeof s[k] !== 'string' || s[k] === '')
      throw new Error(
        'salesforce: the secret must be a JSON object with "clientId", "clientSecret" and "domain"',
      );
  return s as SalesforceSecret;
}

/** A SOQL string literal: backslash and single quote escaped. */
export const soqlString = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

export function createSalesforceAdapter(
  settings: { baseUrl?: string },
  secret: unknown,
  deps: CrmAdapterDeps = {},
): CrmAdapter {
  const creds = salesforceSecret(secret);
  const auth = new ProviderHttpClient({
    ...deps,
    provider: 'salesforce',
    baseUrl: settings.baseUrl ?? creds.domain,
  });
  let session: Promise<{ token: string; api: ProviderHttpClient }> | undefined;

  async function login(): Promise<{ token: string; api: ProviderHttpClient }> {
    const res = await auth.request({
      method: 'POST',
      path: '/services/oauth2/token',
      form: {
        grant_type: 'client_credentials',
        client_id: creds.clientId,
        client_secret: creds.clientSecret,
      },
    });
    expectOk('salesforce', 'token', res, [200]);
    const body = res.body as { access_token?: string; instance_url?: string };
    if (!body.access_token) throw new CrmError('salesforce', 'token response without access_token', false);
    const token = body.access_token;
    const api = new ProviderHttpClient({
      ...deps,
      provider: 'salesforce',
      baseUrl: settings.baseUrl ?? body.instance_url ?? creds.domain,
      headers: async () => ({ authorization: `Bearer ${(await current()).token}` }),
      onUnauthorized: async () => {
        session = undefined; // the next header read logs in again
        await current();
        return true;
      },
    });
    return { token, api };
  }
  const current = () => {
    session ??= login().catch((err: unknown) => {
      session = undefined;
      throw err;
    });
    return session;
  };
  const call = async (req: HttpRequest) => {
    const { api } = await current();
    return api.request(req);
  };
  const base = `/services/data/${SALESFORCE_API_VERSION}`;

  async function query<T>(soql: string): Promise<T[]> {
    const res = await call({ method: 'GET', path: `${base}/query`, query: { q: soql } });
    expectOk('salesforce', 'query', res, [200]);
    return (res.body as { records?: T[] }).records ?? [];
  }

  async function create(object: string, fields: Record<string, unknown>): Promise<string> {
    const res = await call({ method: 'POST', path: `${base}/sobjects/${object}`, json: fields });
    expectOk('salesforce', `create ${object}`, res, [201]);
    return (res.body as { id: string }).id;
  }

  return {
    provider: 'salesforce',
    maxPoll: SALESFORCE_MAX_POLL,
    async createTask(task: CrmTaskRequest) {
      let accountId: string | undefined;
      if (task.company.domain) {
        const domain = task.company.domain.toLowerCase();
        accountId =
          (
            await query<{ Id: string }>(
              `SELECT Id FROM Account WHERE Website = ${soqlString(domain)} LIMIT 1`,
            )
          )[0]?.Id ?? (await create('Account', { Name: task.company.name, Website: domain }));
      }
      let contactId: string | undefined;
      if (task.contact) {
        const email = task.contact.email.toLowerCase();
        contactId =
          (
            await query<{ Id: string }>(`SELECT Id FROM Contact WHERE Email = ${soqlString(email)} LIMIT 1`)
          )[0]?.Id ??
          (await create('Contact', {
            LastName: task.contact.lastName,
            ...(task.contact.firstName ? { FirstName: task.contact.firstName } : {}),
            Email: email,
            ...(accountId ? { AccountId: accountId } : {}),
          }));
      }
      const res = await call({
        method: 'PATCH',
        path: `${base}/sobjects/Task/${SALESFORCE_TASK_ID_FIELD}/${encodeURIComponent(task.taskId)}`,
        json: {
          Subject: task.subject,
          Description: task.body,
          ActivityDate: task.dueAt.slice(0, 10),
          Priority: PRIORITY[task.priority],
          TaskSubtype: SALESFORCE_TASK_SUBTYPE[task.kind],
          ...(contactId ? { WhoId: contactId } : {}),
          ...(accountId ? { WhatId: accountId } : {}),
          ...(task.ownerId ? { OwnerId: task.ownerId } : {}),
        },
      });
      expectOk('salesforce', 'upsert Task', res, [200, 201]);
      return (res.body as { id: string }).id;
    },
    async completed(crmIds) {
      if (crmIds.length === 0) return [];
      const rows = await query<{ Id: string; CallDisposition?: string | null; Description?: string | null }>(
        `SELECT Id, CallDisposition FROM Task WHERE IsClosed = true AND Id IN (${crmIds.map(soqlString).join(', ')})`,
      );
      return rows.map((r): CrmCompletion => ({
        crmId: r.Id,
        outcome: outcomeOf(r.CallDisposition),
        ...(r.CallDisposition ? { notes: `Salesforce: ${r.CallDisposition}` } : {}),
      }));
    },
  };
}
