/**
 * Local mode on its simulated clock: an account made MQA through POST /events falls back to
 * engaged, then to target, with no new event, by the daily re-score local mode runs once per
 * simulated day (the code the stack's scheduled Lambda runs), seen through the HTTP API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DETAIL_TYPES } from '../../functions/kernel/events';
import type { LocalRuntime } from '../../lib/local/runtime';
import { committeeMember } from '../support/accounts';
import { committee, startLocalForTest, until, type ApiClient } from '../support/local';

const TOKEN = 'e2e-rescore-token-0123456789';
const DAY = 86_400_000;
let rt: LocalRuntime;
let api: ApiClient;
let stop: (() => Promise<void>) | undefined;

beforeAll(async () => {
  // Ten simulated days per real second: the score of 160 decays below 48 in 24 days.
  ({ rt, api, stop } = await startLocalForTest('abm-local-rescore-', TOKEN, 864_000));
});

afterAll(async () => {
  await stop?.();
});

describe('local mode: the daily re-score on the simulated clock', () => {
  it('moves an MQA account back to engaged, then target, with no new event', async () => {
    const imported = await api.call('POST', '/accounts/import', { accounts: [committee('fading', 1)] });
    expect(imported.json).toMatchObject({ imported: 1, rejected: [] });
    const now = Date.parse((await api.call('GET', '/health')).json.time);
    const roles = ['economic_buyer', 'champion', 'technical_evaluator'] as const;
    const events = await api.call('POST', '/events', {
      events: roles.map((role) => ({
        eventId: `fading-${role}`,
        type: 'meeting.booked',
        occurredAt: new Date(now).toISOString(),
        accountId: 'fading',
        contactId: committeeMember('fading', role).contactId,
      })),
    });
    expect(events.json).toMatchObject({ accepted: 3, rejected: [] });
    await until('fading MQA', async () => (await api.call('GET', '/accounts/fading')).json?.stage === 'mqa');

    // 40 x (1.5 + 1.3 + 1.2) = 160 decays below 48 after 24.3 days, below 8 after 60.5 days.
    const engaged = await until(
      'fading back to engaged',
      async () => {
        const view = (await api.call('GET', '/accounts/fading')).json;
        return view?.stage === 'engaged' && view;
      },
      30_000,
    );
    expect(engaged.score.value).toBeLessThan(48);
    expect(Date.parse(engaged.score.asOf)).toBeGreaterThan(now + 24 * DAY);
    await until(
      'fading back to target',
      async () => (await api.call('GET', '/accounts/fading')).json?.stage === 'target',
      30_000,
    );

    const changes = rt.bus.recent
      .filter((e) => e.detailType === DETAIL_TYPES.stageChanged)
      .map((e) => e.detail as unknown as { accountId: string; from: string; to: string; score: number })
      .filter((d) => d.accountId === 'fading');
    expect(changes.map((d) => [d.from, d.to])).toEqual([
      ['target', 'mqa'],
      ['mqa', 'engaged'],
      ['engaged', 'target'],
    ]);
    expect(changes[1]!.score).toBeLessThan(48);
    expect(changes[2]!.score).toBeLessThan(8);
    // No engagement arrived after the meetings: the re-score made both moves.
    expect(rt.bus.recent.filter((e) => e.detailType === DETAIL_TYPES.engagementRecorded)).toHaveLength(3);

    // The schedule ran once per simulated day, at the stack's time of day (00:15 UTC).
    const runs = rt.rescoreSchedule.runs;
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs.every((r) => r.at.endsWith('T00:15:00.000Z') && r.ok)).toBe(true);
    expect(new Set(runs.map((r) => r.at.slice(0, 10))).size).toBe(runs.length);
  }, 90_000);
});
