/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies are read loosely in tests */
import { beforeAll, describe, expect, it } from 'vitest';
import { EngagementRecordedDetail } from '../../functions/kernel/event-schemas';
import { RULES } from '../../functions/kernel/events';
import { signUnsubscribeToken } from '../../functions/kernel/unsubscribe-token';
import { account, expectErrorShape, SIGNING_KEY, startHarness } from '../support/api';
import { useHarness } from '../support/suite';

const taskOf = (e: { detail: any }) => e.detail.taskId ?? e.detail.properties?.taskId;
const ingested: unknown[][] = [];
const h = useHarness(() =>
  startHarness({
    ingest: async ({ events }) => {
      ingested.push(events);
      return { accepted: events.length, rejected: [] };
    },
  }),
);
beforeAll(async () => {
  await h.call('POST', '/accounts/import', { body: { accounts: [account(1), account(2)] } });
  const task = (taskId: string, priority: number, dueAt: string, owner = 'sdr-ana') => ({
    taskId,
    accountId: 'acct-00001',
    contactId: 'acct-00001-ch',
    owner,
    type: 'call' as const,
    status: 'open' as const,
    priority,
    dueAt,
    reason: 'step call-1',
    context: {
      contact: { name: 'Cam', role: 'champion' as const, timeZone: 'UTC', localTime: '09:00' },
      talkingPoints: [],
      recentEngagement: [],
    },
    createdAt: '2026-11-23T08:00:00.000Z',
  });
  await h.store.tasks.create(task('t-late', 2, '2026-11-23T12:00:00.000Z'));
  await h.store.tasks.create(task('t-urgent', 1, '2026-11-24T12:00:00.000Z'));
  await h.store.tasks.create(task('t-early', 2, '2026-11-23T10:00:00.000Z'));
  await h.store.tasks.create(task('t-bob', 1, '2026-11-23T10:00:00.000Z', 'sdr-bob'));
});

describe('SDR queue', () => {
  it('lists by owner and status, by priority then due time', async () => {
    const res = await h.call('GET', '/tasks', { query: { owner: 'sdr-ana', status: 'open' } });
    expect(res.status).toBe(200);
    expect(res.json.items.map((t: any) => t.taskId)).toEqual(['t-urgent', 't-early', 't-late']);
    // Without an owner: every owner's open tasks, by due time (test/api/task-queue.test.ts), the
    // import's research tasks (due in 3 days) among them.
    const all = await h.call('GET', '/tasks', { query: { status: 'open' } });
    expect(all.json.items.map((t: any) => t.taskId)).toEqual([
      't-bob',
      't-early',
      't-late',
      't-urgent',
      'research-acct-00001-1',
      'research-acct-00002-1',
    ]);
    expectErrorShape(await h.call('GET', '/tasks', { query: { owner: 'sdr-ana', status: 'snoozed' } }), 400);
  });

  it('completes with an outcome and notes; the outcome becomes an engagement event', async () => {
    const res = await h.call('POST', '/tasks/t-urgent/complete', {
      body: { outcome: 'meeting_booked', notes: 'Tuesday 10:00' },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      status: 'completed',
      outcome: 'meeting_booked',
      notes: 'Tuesday 10:00',
    });
    const [engagement] = h.publisher.ofType('engagement.recorded');
    expect(engagement).toMatchObject({
      source: 'abm.ingest',
      detail: {
        type: 'meeting.booked',
        accountId: 'acct-00001',
        contactId: 'acct-00001-ch',
        role: 'champion',
        origin: 'sdr',
        properties: { outcome: 'meeting_booked' },
      },
    });
    expect(h.publisher.ofType('sdr.task.completed')).toHaveLength(1);
    const open = await h.call('GET', '/tasks', { query: { owner: 'sdr-ana' } });
    expect(open.json.items.map((t: any) => t.taskId)).toEqual(['t-early', 't-late']);
    // The scorer's rule matches it (engagement.recorded, from its one source abm.ingest); the id
    // derives from the task.
    expect(RULES.scorerIngest.source).toContain(engagement!.source);
    expect(RULES.scorerIngest['detail-type']).toContain(engagement!.detailType);
    expect(engagement!.detail.eventId).toBe('sdr-task-t-urgent');
    expect(EngagementRecordedDetail.safeParse(engagement!.detail).success).toBe(true);
    // The same completion again: an idempotent 200 with the same task, and nothing published again.
    const again = await h.call('POST', '/tasks/t-urgent/complete', { body: { outcome: 'meeting_booked' } });
    expect(again.status).toBe(200);
    expect(again.json).toEqual(res.json);
    expect(h.publisher.ofType('engagement.recorded')).toHaveLength(1);
    expect(h.publisher.ofType('sdr.task.completed')).toHaveLength(1);
    // Another outcome conflicts, and publishes nothing.
    expectErrorShape(
      await h.call('POST', '/tasks/t-urgent/complete', { body: { outcome: 'voicemail' } }),
      409,
    );
    expect(h.publisher.events.filter((e) => taskOf(e) === 't-urgent')).toHaveLength(2);
  });

  it('a call outcome becomes sdr.call_logged; a failed publish is retried once, never twice', async () => {
    const publish = h.publisher.publish.bind(h.publisher);
    h.publisher.publish = async () => {
      throw new Error('bus down');
    };
    try {
      const failed = await h.call('POST', '/tasks/t-bob/complete', { body: { outcome: 'connected' } });
      expect(failed.status).toBe(500);
    } finally {
      h.publisher.publish = publish;
    }
    // The task is completed, but its outcome was not published: the retry publishes it.
    expect((await h.store.tasks.get('t-bob'))?.status).toBe('completed');
    const mine = () => h.publisher.events.filter((e) => taskOf(e) === 't-bob');
    expect(mine()).toHaveLength(0);
    const [a, b] = await Promise.all([
      h.call('POST', '/tasks/t-bob/complete', { body: { outcome: 'connected' } }),
      h.call('POST', '/tasks/t-bob/complete', { body: { outcome: 'connected' } }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect((await h.call('POST', '/tasks/t-bob/complete', { body: { outcome: 'connected' } })).status).toBe(
      200,
    );
    expect(mine().map((e) => e.detailType)).toEqual(['engagement.recorded', 'sdr.task.completed']);
    expect(mine()[0]).toMatchObject({
      source: 'abm.ingest',
      detail: {
        eventId: 'sdr-task-t-bob',
        type: 'sdr.call_logged',
        contactId: 'acct-00001-ch',
        role: 'champion',
        properties: { outcome: 'connected', taskId: 't-bob' },
      },
    });
  });

  it.each([
    ['unknown outcome', { outcome: 'maybe' }, 400],
    ['missing outcome', { notes: 'x' }, 400],
    ['notes too long', { outcome: 'voicemail', notes: 'x'.repeat(4001) }, 400],
  ])('%s -> %s', async (_n, body, status) => {
    expectErrorShape(await h.call('POST', '/tasks/t-late/complete', { body }), status);
    expect((await h.store.tasks.get('t-late'))?.status).toBe('open');
  });

  it('unknown task -> 404', async () => {
    expectErrorShape(await h.call('POST', '/tasks/ghost/complete', { body: { outcome: 'no_answer' } }), 404);
  });
});

describe('unsubscribe', () => {
  const token = (exp: number, c = 'acct-00002-eb') =>
    signUnsubscribeToken({ a: 'acct-00002', c, exp, k: 'q1' }, SIGNING_KEY);
  const future = Date.parse('2026-12-31T00:00:00Z') / 1000;

  it('GET shows a browser a confirmation page and changes nothing', async () => {
    const res = await h.call('GET', '/unsubscribe', {
      query: { t: token(future) },
      headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' },
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toMatch(/<form method="post"/);
    expect(
      (await h.store.accounts.getContact('acct-00002', 'acct-00002-eb'))?.unsubscribedAt,
    ).toBeUndefined();
  });

  it('POST (one-click) suppresses the contact at once', async () => {
    const res = await h.call('POST', '/unsubscribe', {
      query: { t: token(future) },
      raw: 'List-Unsubscribe=One-Click',
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ unsubscribed: true, accountId: 'acct-00002', contactId: 'acct-00002-eb' });
    expect((await h.store.accounts.getContact('acct-00002', 'acct-00002-eb'))?.unsubscribedAt).toBeDefined();
    expect(await h.store.accounts.isSuppressed('eve@acct-00002.example')).toBe(true);
  });

  it.each([
    ['expired', () => token(Date.parse('2026-11-01T00:00:00Z') / 1000), /expired/],
    ['tampered', () => token(future).slice(0, -3) + 'AAA', /not valid/],
    ['malformed', () => 'not-a-token-at-all', /not valid/],
  ])('a %s token -> 400 in the error shape', async (_n, make, message) => {
    const e = expectErrorShape(await h.call('POST', '/unsubscribe', { query: { t: make() } }), 400);
    expect(e.message).toMatch(message);
  });

  it('a missing token -> 400; a token for an erased contact -> 404', async () => {
    expectErrorShape(await h.call('GET', '/unsubscribe'), 400);
    expectErrorShape(await h.call('POST', '/unsubscribe', { query: { t: token(future, 'gone') } }), 404);
  });
});

describe('POST /events', () => {
  it('hands the events to the ingestion service and answers 202', async () => {
    const events = [
      { eventId: 'ev-1', type: 'web.visit', occurredAt: '2026-11-22T10:00:00Z', accountId: 'acct-00001' },
    ];
    const res = await h.call('POST', '/events', { body: { events } });
    expect(res.status).toBe(202);
    expect(res.json).toEqual({ accepted: 1, rejected: [] });
    expect(ingested).toEqual([events]);
    expectErrorShape(await h.call('POST', '/events', { body: { events: [] } }), 400);
    expectErrorShape(await h.call('POST', '/events', { body: {} }), 400);
  });
});

describe('local mode auth', () => {
  it('with a bearer token configured, IAM routes need it and /health and /unsubscribe do not', async () => {
    const { createRouter } = await import('../../functions/api/router');
    const router = createRouter(h.router.routes, { bearerToken: 's3cret' });
    const local = {
      handleHttp: async (req: Parameters<typeof router.handleHttp>[0]) => {
        const res = await router.handleHttp(req);
        return { ...res, json: JSON.parse(res.body) };
      },
    };
    expectErrorShape(await local.handleHttp({ method: 'GET', path: '/accounts' }), 401, 'unauthorized');
    expect(
      (
        await local.handleHttp({
          method: 'GET',
          path: '/accounts',
          headers: { Authorization: 'Bearer s3cret' },
        })
      ).status,
    ).toBe(200);
    expect((await local.handleHttp({ method: 'GET', path: '/health' })).status).toBe(200);
    expect((await local.handleHttp({ method: 'GET', path: '/unsubscribe' })).status).toBe(400);
  });
});

describe('POST /events through the ingestion service', () => {
  it('publishes engagement for good events, rejects bad ones by index, and keeps the error shape', async () => {
    // The platform's own ingestion (functions/ingest), as the Lambda and local mode wire it.
    const { createApi } = await import('../../functions/api/app');
    const router = createApi(h.platform, { launch: h.launch, router: { validateResponses: true } });
    const before = h.publisher.ofType('engagement.recorded').length;
    const res = await router.handleHttp({
      method: 'POST',
      path: '/events',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        events: [
          {
            eventId: 'ev-web',
            type: 'web.visit',
            occurredAt: '2026-11-22T10:00:00Z',
            accountId: 'acct-00001',
            properties: { page: '/pricing' },
          },
          {
            eventId: 'ev-bad',
            type: 'web.teleport',
            occurredAt: '2026-11-22T10:00:00Z',
            accountId: 'acct-00001',
          },
        ],
      }),
    });
    expect(res.status).toBe(202);
    const body = JSON.parse(res.body);
    expect(body.accepted).toBe(1);
    expect(body.rejected).toEqual([expect.objectContaining({ index: 1 })]);
    expect(h.publisher.ofType('engagement.recorded').length).toBe(before + 1);
  });
});
