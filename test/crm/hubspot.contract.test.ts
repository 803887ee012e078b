/* eslint-disable @typescript-eslint/no-explicit-any -- bus event details are read loosely in tests */
/**
 * HubSpot through the CRM bridge against its double (lib/local/doubles/hubspot.ts): the SDR task
 * as the documented CRM v3 task (CALL, subject, body with why-now and talking points, due time,
 * owner, associations to the contact and the company found by email and domain or created), once
 * per SDR task under retries and injected faults (judged by the tasks the double holds); the v3
 * signed webhooks: a deal moving to a mapped stage becomes `crm.stage_changed`, a task completed
 * in HubSpot becomes the task's outcome once; a forged and a replayed webhook are refused.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DETAIL_TYPES } from '../../functions/kernel/events';
import { CrmTaskLinkRepository } from '../../functions/platform/store/crm-tasks';
import type { WebhookRequest } from '../../functions/webhooks';
import type { HubSpotWebhookEvent } from '../../lib/local/doubles';
import { crmTasksByTaskId, deliverUntilDone, startCrmRig, type CrmRig } from '../support/crm';

const URL_ = 'https://abm.example/webhooks/hubspot';
let rig: CrmRig<'hubspot'>;
let n = 0;

beforeAll(async () => {
  rig = await startCrmRig('hubspot', {
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
const tasksIn = (taskId: string) => crmTasksByTaskId(rig).get(taskId) ?? 0;
const links = () => rig.platform.repository(CrmTaskLinkRepository);
const request = (events: HubSpotWebhookEvent[], opts: { clientSecret?: string; timestamp?: number } = {}) => {
  const signed = rig.double.signedRequest(URL_, events, opts);
  return {
    method: 'POST',
    url: URL_,
    headers: signed.headers,
    rawBody: signed.body,
    contentType: 'application/json',
  } satisfies WebhookRequest;
};
const receive = (req: WebhookRequest) => rig.webhooks.receive('hubspot', req);

describe('HubSpot tasks (CRM v3)', () => {
  it('creates the call task with the documented request, associated with the contact and the company', async () => {
    const t = await task();
    const from = rig.double.details.length;
    expect(await rig.crm.handleBatch([rig.record(t)])).toEqual({ batchItemFailures: [] });
    const sent = rig.double.details.slice(from);
    expect(sent.every((r) => r.headers.authorization === 'Bearer local-hubspot-token')).toBe(true);
    expect(sent.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'POST /crm/v3/objects/contacts/search 200',
      'POST /crm/v3/objects/contacts 201',
      'POST /crm/v3/objects/companies/search 200',
      'POST /crm/v3/objects/companies 201',
      'POST /crm/v3/objects/tasks/search 200',
      'POST /crm/v3/objects/tasks 201',
    ]);
    const created = JSON.parse(sent.at(-1)!.body);
    const contact = rig.double.records
      .ofType('contacts')
      .find((c) => c.properties.email === `champion@${t.accountId}.example`)!;
    const company = rig.double.records
      .ofType('companies')
      .find((c) => c.properties.domain === `${t.accountId}.example`)!;
    expect(contact.properties).toMatchObject({ firstname: 'Dana', lastname: 'Cole' });
    expect(company.properties).toMatchObject({ name: 'Account 0' });
    expect(created.properties).toMatchObject({
      abm_task_id: t.taskId,
      hs_task_type: 'CALL',
      hs_task_status: 'NOT_STARTED',
      hs_task_priority: 'HIGH',
      hs_timestamp: t.dueAt,
      hubspot_owner_id: '12345678',
      hs_task_subject: 'Call Dana Cole (Account 0)',
    });
    expect(created.properties.hs_task_body).toContain('Why now: Visited pricing three times this week');
    expect(created.properties.hs_task_body).toContain('- Ask about the Q1 rollout');
    expect(created.properties.hs_task_body).toContain('- Mention the ROI booklet');
    expect(created.associations).toEqual([
      { to: { id: contact.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 204 }] },
      { to: { id: company.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 192 }] },
    ]);
    expect((await links().get(t.taskId))?.crmId).toBe(rig.double.records.ofType('tasks').at(-1)!.id);
  });

  it('finds the contact and the company of a later task instead of creating them again', async () => {
    const first = await rig.seedTask(1000, 20); // account 0 again
    const contacts = rig.double.records.ofType('contacts').length;
    const companies = rig.double.records.ofType('companies').length;
    await rig.crm.handleBatch([rig.record(first)]);
    expect(rig.double.records.ofType('contacts')).toHaveLength(contacts);
    expect(rig.double.records.ofType('companies')).toHaveLength(companies);
    expect(tasksIn(first.taskId)).toBe(1);
  });

  it('does not create a task twice: a redelivered event, a lost response (hang), a 409 on the unique id', async () => {
    const t = await task();
    await rig.crm.handleBatch([rig.record(t)]);
    const from = rig.double.details.length;
    await rig.crm.handleBatch([rig.record(t, 'again')]); // the link says it is done: no request
    expect(rig.double.details.length).toBe(from);

    // The create is applied but its response is lost; the client retries; the unique property
    // answers 409 and the adapter finds the task created by the lost attempt.
    const u = await task();
    // The searches (and the creates of a contact and a company not there yet) pass; the task create hangs.
    const has = (type: string, key: string, value: string) =>
      rig.double.records.ofType(type).some((r) => r.properties[key] === value);
    const passes =
      3 +
      (has('contacts', 'email', `champion@${u.accountId}.example`) ? 0 : 1) +
      (has('companies', 'domain', `${u.accountId}.example`) ? 0 : 1);
    rig.double.faults.script('hubspot', ...(Array(passes).fill(undefined) as never[]), 'hang');
    expect(await rig.crm.handleBatch([rig.record(u)])).toEqual({ batchItemFailures: [] });
    expect(tasksIn(u.taskId)).toBe(1);
    expect(rig.double.details.some((r) => r.path === '/crm/v3/objects/tasks' && r.status === 409)).toBe(true);
  });

  it('retries 429 (Retry-After) and 500, and fails the message for redelivery past the budget', async () => {
    const t = await task();
    rig.double.faults.script('hubspot', 'throttle', 'error', 'throttle');
    const sleepsBefore = rig.sleeps.length;
    expect(await rig.crm.handleBatch([rig.record(t)])).toEqual({ batchItemFailures: [] });
    expect(rig.sleeps.slice(sleepsBefore)).toContain(1000); // Retry-After: 1
    expect(tasksIn(t.taskId)).toBe(1);

    const u = await task();
    rig.double.faults.script('hubspot', ...Array(6).fill('error'));
    expect(await rig.crm.handleBatch([rig.record(u, 'm-u')])).toEqual({
      batchItemFailures: [{ itemIdentifier: 'm-u' }],
    });
    expect(rig.crm.metrics.get('hubspot', 'failures')).toBeGreaterThan(0);
    expect(await rig.crm.handleBatch([rig.record(u, 'm-u')])).toEqual({ batchItemFailures: [] });
    expect(tasksIn(u.taskId)).toBe(1);
  });

  it('under 5% 429s, 1% 500s and 1% lost responses: one task per SDR task, none lost', async () => {
    const tasks = [];
    for (let i = 0; i < 150; i++) tasks.push(await task());
    rig.double.faults.rate('hubspot', { throttle: 0.05, error: 0.01, hang: 0.01 }, 11);
    const { deadLettered } = await deliverUntilDone(
      rig,
      tasks.map((t) => rig.record(t)),
    );
    rig.double.faults.clear();
    expect(deadLettered).toEqual([]);
    const held = crmTasksByTaskId(rig);
    expect(tasks.map((t) => held.get(t.taskId))).toEqual(tasks.map(() => 1));
    for (const t of tasks) expect((await links().get(t.taskId))?.crmId).toBeTruthy();
    expect(rig.crm.metrics.get('hubspot', 'throttles')).toBeGreaterThan(0);
  });
});

describe('HubSpot webhooks (v3 signature)', () => {
  it('a deal moving to a mapped stage becomes crm.stage_changed for the account of its company', async () => {
    const deal = rig.double.createDeal('acct-00003.example', 'qualifiedtobuy');
    const moved = rig.double.moveDeal(deal, 'appointmentscheduled');
    expect(await receive(request([moved]))).toEqual({ received: 1, applied: 1, duplicates: 0, refused: 0 });
    const [e] = rig.publisher.ofType(DETAIL_TYPES.engagementRecorded) as any[];
    expect(e.detail).toMatchObject({
      eventId: `hubspot-${moved.eventId}`,
      type: 'crm.stage_changed',
      accountId: 'acct-00003',
      origin: 'crm',
      properties: { stage: 'opportunity', crmStage: 'appointmentscheduled', opportunityId: deal },
    });
    // An unmapped stage is acknowledged and ignored.
    const other = rig.double.moveDeal(deal, 'presentationscheduled');
    expect((await receive(request([other]))).applied).toBe(1);
    expect(rig.publisher.ofType(DETAIL_TYPES.engagementRecorded)).toHaveLength(1);
  });

  it('refuses a forged request and a replayed one (same event, or a timestamp past 5 minutes)', async () => {
    const deal = rig.double.createDeal('acct-00004.example', 'qualifiedtobuy');
    const moved = rig.double.moveDeal(deal, 'closedwon');
    await expect(receive(request([moved], { clientSecret: 'not-the-secret' }))).rejects.toMatchObject({
      status: 401,
    });
    const tampered = request([moved]);
    await expect(
      receive({ ...tampered, rawBody: tampered.rawBody.replace('closedwon', 'appointmentscheduled') }),
    ).rejects.toMatchObject({ status: 401 });
    await expect(receive(request([moved], { timestamp: Date.now() - 6 * 60_000 }))).rejects.toMatchObject({
      status: 401,
    });
    await expect(
      receive({ ...request([moved]), url: 'https://elsewhere.example/webhooks/hubspot' }),
    ).rejects.toMatchObject({ status: 401 });
    expect(rig.publisher.events).toHaveLength(0);

    const genuine = request([moved]);
    expect((await receive(genuine)).applied).toBe(1);
    expect(await receive(genuine)).toEqual({ received: 1, applied: 0, duplicates: 1, refused: 0 });
    expect(await receive(request([moved]))).toMatchObject({ duplicates: 1 }); // re-signed, same event id
    const stages = rig.publisher.ofType(DETAIL_TYPES.engagementRecorded) as any[];
    expect(stages.map((e) => e.detail.properties.stage)).toEqual(['customer']);
  });

  it('a task completed in HubSpot becomes its outcome once (webhook, then the poll finds it done)', async () => {
    const t = await task();
    await rig.crm.handleBatch([rig.record(t)]);
    const crmId = (await links().get(t.taskId))!.crmId!;
    const done = rig.double.completeTask(crmId);
    expect(await receive(request([done]))).toEqual({ received: 1, applied: 1, duplicates: 0, refused: 0 });
    expect((await rig.store.tasks.get(t.taskId))?.status).toBe('completed');
    const published = () =>
      (rig.publisher.ofType(DETAIL_TYPES.engagementRecorded) as any[]).filter(
        (e) => e.detail.properties.taskId === t.taskId,
      );
    expect(published().map((e) => [e.detail.type, e.detail.properties.outcome])).toEqual([
      ['sdr.call_logged', 'connected'],
    ]);
    await rig.crm.poll();
    expect(published()).toHaveLength(1);
    expect((await links().get(t.taskId))?.status).toBe('closed');
  });

  it('the bounded poll brings back a completion no webhook told of, once', async () => {
    const t = await task();
    await rig.crm.handleBatch([rig.record(t)]);
    rig.double.completeTask((await links().get(t.taskId))!.crmId!);
    const first = await rig.crm.poll();
    expect(first.completed).toBeGreaterThanOrEqual(1);
    expect((await rig.store.tasks.get(t.taskId))?.outcome).toBe('connected');
    const second = await rig.crm.poll();
    expect(second.completed).toBe(0);
    expect(
      (rig.publisher.ofType(DETAIL_TYPES.engagementRecorded) as any[]).filter(
        (e) => e.detail.properties.taskId === t.taskId,
      ),
    ).toHaveLength(1);
  });
});
