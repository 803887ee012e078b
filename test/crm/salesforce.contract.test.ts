/* eslint-disable @typescript-eslint/no-explicit-any -- bus event details are read loosely in tests */
/**
 * Salesforce through the CRM bridge against its double (lib/local/doubles/salesforce.ts): the
 * client-credentials token, the Task upserted by the external id on the versioned REST path
 * (WhoId, WhatId, Subject, ActivityDate, Priority, Description, OwnerId), once per SDR task under
 * retries and injected faults (judged by the Tasks the double holds); the bounded poll and the
 * Flow callouts (shared secret): a closed Task becomes the task's outcome once, an Opportunity
 * stage change becomes `crm.stage_changed`; a forged and a replayed callout are refused.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DETAIL_TYPES } from '../../functions/kernel/events';
import { CrmTaskLinkRepository } from '../../functions/platform/store/crm-tasks';
import type { WebhookRequest } from '../../functions/webhooks';
import { LOCAL_CRM_SECRETS } from '../../lib/local/doubles';
import { crmTasksByTaskId, deliverUntilDone, startCrmRig, type CrmRig } from '../support/crm';

let rig: CrmRig<'salesforce'>;
let n = 0;

beforeAll(async () => {
  rig = await startCrmRig('salesforce', {
    // A lost response (the double's hang) costs one timeout; 250 ms also cut off slow first
    // requests of a fresh process on a loaded machine, whose retries the exact-request tests saw.
    policy: { timeoutMs: 1000 },
  });
  await rig.seedAccounts(20);
});
afterAll(() => rig?.stop());
beforeEach(() => {
  rig.double.faults.clear();
  rig.publisher.events.length = 0;
});

const task = () => rig.seedTask(n++, 20);
const links = () => rig.platform.repository(CrmTaskLinkRepository);
const callout = (body: Record<string, unknown>, secret: string = LOCAL_CRM_SECRETS.salesforce.sharedSecret) =>
  ({
    method: 'POST',
    url: 'https://abm.example/webhooks/salesforce',
    headers: { 'content-type': 'application/json', 'x-abm-webhook-secret': secret },
    rawBody: JSON.stringify({ sentAt: new Date().toISOString(), ...body }),
    contentType: 'application/json',
  }) satisfies WebhookRequest;
const receive = (req: WebhookRequest) => rig.webhooks.receive('salesforce', req);

describe('Salesforce Tasks (REST API)', () => {
  it('logs in with client credentials and upserts the Task by its external id with the documented fields', async () => {
    const t = await task();
    const from = rig.double.details.length;
    expect(await rig.crm.handleBatch([rig.record(t)])).toEqual({ batchItemFailures: [] });
    const sent = rig.double.details.slice(from);
    const [token] = sent;
    expect(token).toMatchObject({ method: 'POST', path: '/services/oauth2/token', status: 200 });
    expect(Object.fromEntries(new URLSearchParams(token!.body))).toEqual({
      grant_type: 'client_credentials',
      client_id: LOCAL_CRM_SECRETS.salesforce.clientId,
      client_secret: LOCAL_CRM_SECRETS.salesforce.clientSecret,
    });
    expect(sent.slice(1).map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'GET /services/data/v62.0/query 200',
      'POST /services/data/v62.0/sobjects/Account 201',
      'GET /services/data/v62.0/query 200',
      'POST /services/data/v62.0/sobjects/Contact 201',
      `PATCH /services/data/v62.0/sobjects/Task/Abm_Task_Id__c/${t.taskId} 201`,
    ]);
    expect(sent.slice(1).every((r) => r.headers.authorization === 'Bearer 00Dlocal!1')).toBe(true);
    expect(sent[1]!.query.q).toBe(`SELECT Id FROM Account WHERE Website = '${t.accountId}.example' LIMIT 1`);
    const account = rig.double.records.ofType('Account').at(-1)!;
    const contact = rig.double.records.ofType('Contact').at(-1)!;
    expect(account.properties).toEqual({ Name: 'Account 0', Website: `${t.accountId}.example` });
    expect(contact.properties).toEqual({
      FirstName: 'Dana',
      LastName: 'Cole',
      Email: `champion@${t.accountId}.example`,
      AccountId: account.id,
    });
    const upsert = JSON.parse(sent.at(-1)!.body);
    expect(upsert).toMatchObject({
      Subject: 'Call Dana Cole (Account 0)',
      ActivityDate: '2026-11-24',
      Priority: 'High',
      TaskSubtype: 'Call',
      WhoId: contact.id,
      WhatId: account.id,
      OwnerId: '005000000000001AAA',
    });
    expect(upsert.Description).toContain('Why now: Visited pricing three times this week');
    expect(upsert.Description).toContain('- Ask about the Q1 rollout');
    expect((await links().get(t.taskId))?.crmId).toBe(rig.double.taskByExternalId(t.taskId)!.id);
  });

  it('a lost response and the retry update the one Task (upsert), never a second', async () => {
    const t = await task();
    const has = (type: string, key: string, value: string) =>
      rig.double.records.ofType(type).some((r) => r.properties[key] === value);
    const passes =
      2 +
      (has('Account', 'Website', `${t.accountId}.example`) ? 0 : 1) +
      (has('Contact', 'Email', `champion@${t.accountId}.example`) ? 0 : 1);
    rig.double.faults.script('salesforce', ...(Array(passes).fill(undefined) as never[]), 'hang');
    expect(await rig.crm.handleBatch([rig.record(t)])).toEqual({ batchItemFailures: [] });
    expect(crmTasksByTaskId(rig).get(t.taskId)).toBe(1);
    const upserts = rig.double.details.filter((r) => r.path.endsWith(`/Abm_Task_Id__c/${t.taskId}`));
    expect(upserts.map((r) => r.status)).toEqual([0, 200]);
  });

  it('under 5% 429s, 1% 500s and 1% lost responses: one Task per SDR task, none lost', async () => {
    const tasks = [];
    for (let i = 0; i < 150; i++) tasks.push(await task());
    rig.double.faults.rate('salesforce', { throttle: 0.05, error: 0.01, hang: 0.01 }, 13);
    const { deadLettered } = await deliverUntilDone(
      rig,
      tasks.map((t) => rig.record(t)),
    );
    rig.double.faults.clear();
    expect(deadLettered).toEqual([]);
    const held = crmTasksByTaskId(rig);
    expect(tasks.map((t) => held.get(t.taskId))).toEqual(tasks.map(() => 1));
    for (const t of tasks) expect((await links().get(t.taskId))?.crmId).toBeTruthy();
  });

  it('the bounded poll brings a closed Task back as its outcome (CallDisposition), once', async () => {
    const t = await task();
    await rig.crm.handleBatch([rig.record(t)]);
    rig.double.completeTask((await links().get(t.taskId))!.crmId!, 'Meeting booked');
    const first = await rig.crm.poll();
    expect(first.completed).toBe(1);
    const stored = await rig.store.tasks.get(t.taskId);
    expect([stored?.status, stored?.outcome, stored?.notes]).toEqual([
      'completed',
      'meeting_booked',
      'Salesforce: Meeting booked',
    ]);
    const poll = rig.double.details.filter((r) => r.query.q?.includes('IsClosed = true')).at(-1)!;
    expect(poll.query.q).toMatch(
      /^SELECT Id, CallDisposition FROM Task WHERE IsClosed = true AND Id IN \('00T/,
    );
    expect((await rig.crm.poll()).completed).toBe(0);
    const outcomes = (rig.publisher.ofType(DETAIL_TYPES.engagementRecorded) as any[]).filter(
      (e) => e.detail.properties.taskId === t.taskId,
    );
    expect(outcomes.map((e) => e.detail.type)).toEqual(['meeting.booked']);
  });
});

describe('Salesforce Flow callouts (shared secret)', () => {
  it('an Opportunity stage change becomes crm.stage_changed for the account of its Website', async () => {
    const res = await receive(
      callout({
        eventId: 'opp-1-1',
        opportunityId: '006000000000001AAA',
        stageName: 'Needs Analysis',
        accountWebsite: 'https://www.acct-00005.example/',
      }),
    );
    expect(res).toEqual({ received: 1, applied: 1, duplicates: 0, refused: 0 });
    const [e] = rig.publisher.ofType(DETAIL_TYPES.engagementRecorded) as any[];
    expect(e.detail).toMatchObject({
      eventId: 'salesforce-opp-1-1',
      type: 'crm.stage_changed',
      accountId: 'acct-00005',
      properties: { stage: 'opportunity', crmStage: 'Needs Analysis', opportunityId: '006000000000001AAA' },
    });
  });

  it('refuses a forged callout and a replayed one (same event id, or sent more than 5 minutes ago)', async () => {
    const body = { eventId: 'opp-2-1', stageName: 'Closed Won', accountWebsite: 'acct-00006.example' };
    await expect(receive(callout(body, 'guess'))).rejects.toMatchObject({ status: 401 });
    await expect(
      receive(callout({ ...body, sentAt: new Date(Date.now() - 6 * 60_000).toISOString() })),
    ).rejects.toMatchObject({ status: 401 });
    expect(rig.publisher.events).toHaveLength(0);
    expect((await receive(callout(body))).applied).toBe(1);
    expect(await receive(callout(body))).toEqual({ received: 1, applied: 0, duplicates: 1, refused: 0 });
    expect(rig.publisher.ofType(DETAIL_TYPES.engagementRecorded)).toHaveLength(1);
  });

  it('a Task closed in Salesforce (Flow callout) becomes its outcome once; the poll then closes the link', async () => {
    const t = await task();
    await rig.crm.handleBatch([rig.record(t)]);
    const crmId = (await links().get(t.taskId))!.crmId!;
    rig.double.completeTask(crmId, 'No answer');
    const res = await receive(
      callout({ eventId: `task-${crmId}`, taskId: crmId, status: 'Completed', callDisposition: 'No answer' }),
    );
    expect(res.applied).toBe(1);
    expect((await rig.store.tasks.get(t.taskId))?.outcome).toBe('no_answer');
    await rig.crm.poll();
    expect((await links().get(t.taskId))?.status).toBe('closed');
    const outcomes = (rig.publisher.ofType(DETAIL_TYPES.engagementRecorded) as any[]).filter(
      (e) => e.detail.properties.taskId === t.taskId,
    );
    expect(outcomes).toHaveLength(1);
  });
});
