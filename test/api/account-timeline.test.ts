/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies are read loosely in tests */
/**
 * GET /accounts/{id}/timeline: touches by channel, engagement and stage changes from the score
 * state, SDR tasks and outcomes, newest first and paged; the next scheduled step in the contact's zone.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { scorerFeature } from '../../functions/scoring/scorer';
import { account, expectErrorShape, SEQUENCE, startHarness, TEMPLATE } from '../support/api';
import { detail, envelopeRecord } from '../support/scoring';
import { useHarness } from '../support/suite';

const h = useHarness(() => startHarness());
const MIN = 60_000;
let t0: number;
const at = (m: number) => new Date(t0 + m * MIN).toISOString();

beforeAll(async () => {
  t0 = h.clock.now().getTime();
  await h.call('PUT', '/templates/intro', { body: TEMPLATE });
  await h.call('PUT', '/sequences/tier1', { body: SEQUENCE });
  const acct = account(1, {
    contacts: [
      {
        contactId: 'eb',
        name: 'Eve Buyer',
        email: 'eve@a.example',
        role: 'economic_buyer',
        timeZone: 'Europe/Berlin',
      },
      {
        contactId: 'ch',
        name: 'Cam Champion',
        email: 'cam@a.example',
        role: 'champion',
        timeZone: 'America/New_York',
      },
    ],
  });
  await h.call('POST', '/accounts/import', { body: { accounts: [acct] } });
  const launched = await h.call('POST', '/campaigns', {
    body: { campaignId: 'c1', name: 'C1', sequenceId: 'tier1', audience: { accountIds: ['acct-00001'] } },
  });
  expect(launched.status).toBe(202);
  const touch = (stepId: string, contactId: string, status: string, m: number, reason?: string) =>
    h.store.touches.record({
      touchId: `c1--acct-00001#${stepId}#${contactId}`,
      accountId: 'acct-00001',
      campaignId: 'c1',
      executionName: 'c1--acct-00001',
      stepId,
      channel: 'email',
      contactId,
      status: status as any,
      at: at(m),
      ...(reason ? { reason } : {}),
    });
  await touch('intro', 'eb', 'sent', 1);
  await touch('intro', 'ch', 'skipped', 2, 'no_consent');
  await h.store.enrollments.update('acct-00001', 'c1', (e) => ({ ...e, stepId: 'call-1' }));
  await touch('call-1', 'ch', 'deferred', 3, `send_window until ${at(24 * 60)}`);
  h.clock.set(t0 + 5 * MIN);
  await scorerFeature(h.platform).handleBatch([
    envelopeRecord('acct-00001', [
      detail('acct-00001', 'e-click', 'email.clicked', t0 + 4 * MIN, { contactId: 'eb' }),
    ]),
  ]);
  await h.store.tasks.create({
    taskId: 'task-1',
    accountId: 'acct-00001',
    contactId: 'ch',
    owner: 'sdr-ana',
    type: 'call',
    status: 'open',
    priority: 1,
    dueAt: at(60),
    reason: 'clicked twice',
    context: { talkingPoints: [], recentEngagement: [] },
    createdAt: at(6),
  });
  h.clock.set(t0 + 7 * MIN);
  await h.call('POST', '/tasks/task-1/complete', {
    body: { outcome: 'connected', notes: 'call back Friday' },
  });
  h.clock.set(t0 + 8 * MIN);
});

describe('GET /accounts/{id}/timeline', () => {
  it('merges touches, engagement, tasks and outcomes newest first, with the next step in each zone', async () => {
    const res = await h.call('GET', '/accounts/acct-00001/timeline');
    expect(res.status).toBe(200);
    const own = res.json.items.filter((e: any) => !e.taskId?.startsWith('research-'));
    expect(own.map((e: any) => [e.kind, e.at])).toEqual([
      ['task_completed', at(7)],
      ['task_created', at(6)],
      ['engagement', at(4)],
      ['touch', at(3)],
      ['touch', at(2)],
      ['touch', at(1)],
    ]);
    expect(own[0]).toMatchObject({ outcome: 'connected', notes: 'call back Friday' });
    expect(own[2]).toMatchObject({ type: 'email.clicked', contactId: 'eb', role: 'economic_buyer' });
    expect(own[2].summary).toContain('Eve Buyer');
    expect(own[4]).toMatchObject({
      channel: 'email',
      status: 'skipped',
      reason: 'no_consent',
      stepId: 'intro',
    });
    expect(res.json.next).toEqual([
      {
        campaignId: 'c1',
        sequenceId: 'tier1',
        enrollmentStatus: 'running',
        stepId: 'call-1',
        at: at(24 * 60),
        contacts: [
          {
            contactId: 'ch',
            name: 'Cam Champion',
            timeZone: 'America/New_York',
            // 2026-11-24T09:00Z is 04:00 in New York (EST, UTC-5).
            localTime: '2026-11-24 04:00',
          },
        ],
      },
    ]);
  });

  it('pages newest first without skipping or repeating an entry', async () => {
    const whole = (await h.call('GET', '/accounts/acct-00001/timeline', { query: { limit: '100' } })).json
      .items;
    const paged: any[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 20; i++) {
      const res = await h.call('GET', '/accounts/acct-00001/timeline', {
        query: { limit: '2', ...(cursor ? { cursor } : {}) },
      });
      expect(res.status).toBe(200);
      if (cursor) expect(res.json.next).toEqual([]);
      paged.push(...res.json.items);
      cursor = res.json.cursor ?? undefined;
      if (!cursor) break;
    }
    expect(paged).toEqual(whole);
  });

  it('answers an unknown account with a 404 and bad input with a 400', async () => {
    expectErrorShape(await h.call('GET', '/accounts/nope/timeline'), 404);
    expectErrorShape(await h.call('GET', '/accounts/a%23b/timeline'), 400);
    expectErrorShape(await h.call('GET', '/accounts/acct-00001/timeline', { query: { cursor: 'zz' } }), 400);
    expectErrorShape(await h.call('GET', '/accounts/acct-00001/timeline', { query: { limit: '0' } }), 400);
  });
});
