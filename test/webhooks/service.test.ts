/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies are read loosely in tests */
/**
 * POST /webhooks/{provider} through the API router (local mode serves it so; on AWS its own
 * function runs the same route): a request is applied only once verified by its receiver, each
 * provider event once (a replay, a redelivery and a concurrent duplicate change nothing), and a
 * failure to apply gives the event back so the provider's retry applies it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EventIngestor } from '../../functions/api/routes';
import { ingestFeature } from '../../functions/ingest';
import { DETAIL_TYPES } from '../../functions/kernel/events';
import { account, startHarness, type Harness } from '../support/api';
import {
  HmacTestReceiver,
  signWebhook,
  TEST_WEBHOOK_KEY,
  TEST_WEBHOOK_SECRET_NAME,
} from '../support/webhooks';

let h: Harness;
let receiver: HmacTestReceiver;
let failIngest = 0;

const post = (provider: string, payload: unknown, key = TEST_WEBHOOK_KEY) => {
  const raw = JSON.stringify(payload);
  return h.call('POST', `/webhooks/${provider}`, {
    raw,
    contentType: 'application/json',
    headers: { 'x-signature': signWebhook(raw, key), host: 'abm.example', 'x-forwarded-proto': 'https' },
  });
};
const recorded = () => h.publisher.ofType(DETAIL_TYPES.engagementRecorded);

beforeAll(async () => {
  receiver = new HmacTestReceiver('lob');
  // The product's ingestion, with a fault a test can switch on.
  const real: { ingest?: EventIngestor } = {};
  h = await startHarness({
    webhookReceivers: () => new Map([['lob', receiver]]),
    providerSecrets: { [TEST_WEBHOOK_SECRET_NAME]: { key: TEST_WEBHOOK_KEY } },
    ingest: async (body) => {
      if (failIngest > 0) {
        failIngest--;
        throw new Error('the bus is down');
      }
      return real.ingest!(body);
    },
  });
  real.ingest = ingestFeature(h.platform);
  expect(
    (await h.call('POST', '/accounts/import', { body: { accounts: [account(1)] } })).status,
  ).toBeLessThan(300);
});
afterAll(async () => h?.stop());
beforeEach(() => {
  h.publisher.events.length = 0;
  failIngest = 0;
});

describe('POST /webhooks/{provider}', () => {
  it('applies a verified event once, and answers a replay as a duplicate', async () => {
    const first = await post('lob', { id: 'evt-1', accountId: 'acct-00001' });
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ received: 1, applied: 1, duplicates: 0, refused: 0 });
    expect(recorded().map((e: any) => e.detail.eventId)).toEqual(['lob-evt-1']);
    expect(receiver.seen.at(-1)?.url).toBe('https://abm.example/webhooks/lob');

    const replay = await post('lob', { id: 'evt-1', accountId: 'acct-00001' });
    expect(replay.status).toBe(200);
    expect(replay.json).toEqual({ received: 1, applied: 0, duplicates: 1, refused: 0 });
    expect(recorded()).toHaveLength(1);
  });

  it('refuses a forged request with 401 and applies nothing', async () => {
    const forged = await post('lob', { id: 'evt-2', accountId: 'acct-00001' }, 'not-the-key');
    expect(forged.status).toBe(401);
    expect(forged.json.error.code).toBe('unauthorized');
    expect(recorded()).toHaveLength(0);
    // The event id was not taken by the forged request: the genuine one still applies.
    const genuine = await post('lob', { id: 'evt-2', accountId: 'acct-00001' });
    expect(genuine.json.applied).toBe(1);
  });

  it('answers 404 for a provider this deployment does not configure, and 400 for an unknown one', async () => {
    expect((await post('hubspot', { id: 'x' })).status).toBe(404);
    expect((await post('mailchimp', { id: 'x' })).status).toBe(400);
  });

  it('needs no bearer token (the signature is the authorisation)', async () => {
    const res = await post('lob', { id: 'evt-3', accountId: 'acct-00001' });
    expect(res.status).toBe(200);
  });

  it('gives the event back when applying it fails, so the provider retry applies it once', async () => {
    failIngest = 1;
    const failed = await post('lob', { id: 'evt-6', accountId: 'acct-00001' });
    expect(failed.status).toBe(500);
    expect(recorded()).toHaveLength(0);
    const retried = await post('lob', { id: 'evt-6', accountId: 'acct-00001' });
    expect(retried.json).toEqual({ received: 1, applied: 1, duplicates: 0, refused: 0 });
    expect(recorded().map((e: any) => e.detail.eventId)).toEqual(['lob-evt-6']);
  });

  it('applies concurrent deliveries of one event once', async () => {
    const all = await Promise.all(
      Array.from({ length: 8 }, () => post('lob', { id: 'evt-7', accountId: 'acct-00001' })),
    );
    expect(all.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(all.reduce((n, r) => n + r.json.applied, 0)).toBe(1);
    expect(recorded()).toHaveLength(1);
  });

  it('counts an effect the product refuses for good (an unknown task) and does not retry it', async () => {
    const res = await post('lob', { id: 'evt-4', accountId: 'acct-00001', taskId: 'no-such-task' });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ received: 1, applied: 1, duplicates: 0, refused: 1 });
  });

  it('completes an SDR task from the CRM once', async () => {
    const at = '2026-11-23T09:00:00.000Z';
    await h.store.tasks.create({
      taskId: 'task-w1',
      accountId: 'acct-00001',
      owner: 'sdr-ana',
      type: 'call',
      status: 'open',
      priority: 1,
      dueAt: at,
      reason: 'test',
      context: { talkingPoints: [], recentEngagement: [], lastTouches: [] },
      createdAt: at,
    });
    const res = await post('lob', { id: 'evt-5', accountId: 'acct-00001', taskId: 'task-w1' });
    expect(res.json).toEqual({ received: 1, applied: 1, duplicates: 0, refused: 0 });
    const task = (await h.call('GET', '/tasks', { query: { owner: 'sdr-ana', status: 'completed' } })).json;
    expect(task.items.map((t: any) => [t.taskId, t.outcome])).toEqual([['task-w1', 'connected']]);
    const again = await post('lob', { id: 'evt-5', accountId: 'acct-00001', taskId: 'task-w1' });
    expect(again.json.duplicates).toBe(1);
  });
});
