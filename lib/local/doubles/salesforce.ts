/**
 * A Salesforce test double (local mode, contract tests, the CRM bench): the OAuth 2.0 client
 * credentials token endpoint and the REST API as functions/crm/adapters/salesforce.ts documents
 * them, checked the way Salesforce checks them, and the org's side of the Flow HTTP callouts
 * (Opportunity stage changes and closed Tasks, with the shared-secret header).
 *
 * It checks: the token request (form body, grant_type=client_credentials, the client id and
 * secret; else 400 invalid_client); `Authorization: Bearer <issued token>` on `/services/data/`
 * (else 401 INVALID_SESSION_ID); the versioned path (`/services/data/vNN.N/`); the SOQL the adapter
 * sends (Account by Website, Contact by Email, closed Tasks by Id); required fields (Account Name,
 * Contact LastName); a Task upsert's fields (Subject, ActivityDate as YYYY-MM-DD, Priority High |
 * Normal | Low, WhoId an existing Contact, WhatId an existing Account, OwnerId a User id; the
 * external id not repeated in the body). An upsert by an existing external id updates the one Task
 * (200), else creates it (201). Faults apply to every REST request after the auth check.
 */
import {
  bearer,
  formValue,
  parseJson,
  startDouble,
  type DoubleRequest,
  type DoubleResponse,
  type Faults,
} from './shared';
import { CrmRecords, faultResponse, type CrmDoubleServer } from './crm-shared';

export interface SalesforceDoubleCredentials {
  clientId: string;
  clientSecret: string;
  /** The My Domain URL the secret names (the double serves the token whatever the host). */
  domain: string;
}

export interface SalesforceDouble extends CrmDoubleServer {
  /** Closes a Task as an SDR does (Status Completed, an optional CallDisposition). */
  completeTask(id: string, callDisposition?: string): void;
  /** The Task holding this external id. */
  taskByExternalId(taskId: string): { id: string; properties: Record<string, unknown> } | undefined;
  /** Tokens issued so far. */
  tokensIssued(): number;
}

const PREFIX: Record<string, string> = { Account: '001', Contact: '003', Task: '00T' };
const PRIORITIES = ['High', 'Normal', 'Low'];
const EXTERNAL_ID = 'Abm_Task_Id__c';

export async function startSalesforceDouble(
  faults: Faults,
  creds: SalesforceDoubleCredentials,
): Promise<SalesforceDouble> {
  const records = new CrmRecords();
  const tokens = new Set<string>();
  let n = 0;
  const newId = (object: string) => `${PREFIX[object]}${String(++n).padStart(12, '0')}AAA`;
  const error = (status: number, errorCode: string, message: string): DoubleResponse => ({
    status,
    body: [{ errorCode, message }],
  });
  let baseUrl = '';

  const handle = (req: DoubleRequest): DoubleResponse => {
    if (req.method === 'POST' && req.path === '/services/oauth2/token') {
      if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded'))
        return { status: 400, body: { error: 'invalid_request', error_description: 'form body expected' } };
      if (formValue(req, 'grant_type') !== 'client_credentials')
        return {
          status: 400,
          body: { error: 'unsupported_grant_type', error_description: 'grant type not supported' },
        };
      if (
        formValue(req, 'client_id') !== creds.clientId ||
        formValue(req, 'client_secret') !== creds.clientSecret
      )
        return {
          status: 400,
          body: { error: 'invalid_client', error_description: 'invalid client credentials' },
        };
      const token = `00Dlocal!${tokens.size + 1}`;
      tokens.add(token);
      return {
        status: 200,
        body: {
          access_token: token,
          instance_url: baseUrl,
          token_type: 'Bearer',
          issued_at: String(Date.now()),
        },
      };
    }
    const m = /^\/services\/data\/v(\d+\.\d)\/(.*)$/.exec(req.path);
    if (!m) return error(404, 'NOT_FOUND', `The requested resource does not exist: ${req.path}`);
    const token = bearer(req);
    if (!token || !tokens.has(token)) return error(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
    const fault = faultResponse(faults, 'salesforce');
    if (fault && fault !== 'hang') return fault;
    const out = rest(req, m[2]!);
    return fault === 'hang' ? { hang: true } : out;
  };

  function rest(req: DoubleRequest, path: string): DoubleResponse {
    let m: RegExpExecArray | null;
    const json = req.body ? (parseJson(req.body) as Record<string, unknown> | undefined) : undefined;
    if (req.method !== 'GET' && !String(req.headers['content-type'] ?? '').startsWith('application/json'))
      return error(415, 'UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json');
    if (req.method === 'GET' && path === 'query') return query(req.query.q ?? '');
    if (req.method === 'POST' && (m = /^sobjects\/(Account|Contact)$/.exec(path))) {
      const object = m[1]!;
      if (!json) return error(400, 'JSON_PARSER_ERROR', 'body is not JSON');
      const required = object === 'Account' ? 'Name' : 'LastName';
      if (typeof json[required] !== 'string' || json[required] === '')
        return error(400, 'REQUIRED_FIELD_MISSING', `Required fields are missing: [${required}]`);
      if (
        object === 'Contact' &&
        json.AccountId !== undefined &&
        !records.get('Account', String(json.AccountId))
      )
        return error(400, 'INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id');
      const id = newId(object);
      records.put(object, id, { ...json });
      return { status: 201, body: { id, success: true, errors: [] } };
    }
    if (req.method === 'PATCH' && (m = /^sobjects\/Task\/([A-Za-z0-9_]+)\/(.+)$/.exec(path))) {
      if (m[1] !== EXTERNAL_ID)
        return error(
          400,
          'NOT_FOUND',
          `Provided external ID field does not exist or is not accessible: ${m[1]}`,
        );
      if (!json) return error(400, 'JSON_PARSER_ERROR', 'body is not JSON');
      const problem = checkTask(json);
      if (problem) return error(400, 'FIELD_INTEGRITY_EXCEPTION', problem);
      const externalId = m[2]!;
      const existing = records.ofType('Task').find((t) => t.properties[EXTERNAL_ID] === externalId);
      if (existing) {
        Object.assign(existing.properties, json);
        return { status: 200, body: { id: existing.id, success: true, errors: [], created: false } };
      }
      const id = newId('Task');
      records.put('Task', id, { ...json, [EXTERNAL_ID]: externalId, Status: 'Not Started', IsClosed: false });
      return { status: 201, body: { id, success: true, errors: [], created: true } };
    }
    return error(404, 'NOT_FOUND', `The requested resource does not exist: ${path}`);
  }

  function checkTask(t: Record<string, unknown>): string | undefined {
    if (EXTERNAL_ID in t) return `${EXTERNAL_ID} is in the URL of an upsert, not in its body`;
    if (typeof t.Subject !== 'string' || t.Subject.length > 255)
      return 'Subject: a string of up to 255 characters';
    if (t.ActivityDate !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(String(t.ActivityDate)))
      return 'ActivityDate: YYYY-MM-DD';
    if (t.Priority !== undefined && !PRIORITIES.includes(String(t.Priority)))
      return 'Priority: High, Normal or Low';
    if (t.WhoId !== undefined && !records.get('Contact', String(t.WhoId)))
      return `WhoId ${String(t.WhoId)}: no such Contact`;
    if (t.WhatId !== undefined && !records.get('Account', String(t.WhatId)))
      return `WhatId ${String(t.WhatId)}: no such Account`;
    if (t.OwnerId !== undefined && !/^005[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$/.test(String(t.OwnerId)))
      return 'OwnerId: a User id';
    return undefined;
  }

  function query(soql: string): DoubleResponse {
    const str = (s: string) => s.replace(/\\'/g, "'").replace(/\\\\/g, '\\');
    let m: RegExpExecArray | null;
    let rows: { type: string; id: string; properties: Record<string, unknown> }[];
    let fields: string[];
    if ((m = /^SELECT Id FROM Account WHERE Website = '((?:[^'\\]|\\.)*)' LIMIT 1$/.exec(soql))) {
      const v = str(m[1]!);
      rows = records
        .ofType('Account')
        .filter((r) => r.properties.Website === v)
        .slice(0, 1);
      fields = ['Id'];
    } else if ((m = /^SELECT Id FROM Contact WHERE Email = '((?:[^'\\]|\\.)*)' LIMIT 1$/.exec(soql))) {
      const v = str(m[1]!).toLowerCase();
      rows = records
        .ofType('Contact')
        .filter((r) => String(r.properties.Email).toLowerCase() === v)
        .slice(0, 1);
      fields = ['Id'];
    } else if (
      (m =
        /^SELECT Id, CallDisposition FROM Task WHERE IsClosed = true AND Id IN \(((?:'[^']*'(?:, )?)+)\)$/.exec(
          soql,
        ))
    ) {
      const wanted = new Set(m[1]!.split(', ').map((s) => s.slice(1, -1)));
      rows = records.ofType('Task').filter((r) => wanted.has(r.id) && r.properties.IsClosed === true);
      fields = ['Id', 'CallDisposition'];
    } else return error(400, 'MALFORMED_QUERY', `the double does not know this query: ${soql}`);
    return {
      status: 200,
      body: {
        totalSize: rows.length,
        done: true,
        records: rows.map((r) => ({
          attributes: { type: r.type, url: `/services/data/v62.0/sobjects/${r.type}/${r.id}` },
          ...Object.fromEntries(fields.map((f) => [f, f === 'Id' ? r.id : (r.properties[f] ?? null)])),
        })),
      },
    };
  }

  const server = await startDouble('salesforce', new Map(), handle);
  baseUrl = server.baseUrl;
  return {
    ...server,
    records,
    completeTask(id, callDisposition) {
      const r = records.get('Task', id);
      if (!r) throw new Error(`no Salesforce Task ${id}`);
      Object.assign(r.properties, {
        Status: 'Completed',
        IsClosed: true,
        ...(callDisposition ? { CallDisposition: callDisposition } : {}),
      });
    },
    taskByExternalId: (taskId) => records.ofType('Task').find((t) => t.properties[EXTERNAL_ID] === taskId),
    tokensIssued: () => tokens.size,
    snapshot: (names) => ({ ...server.snapshot(names), records: records.snapshot() }),
  };
}
