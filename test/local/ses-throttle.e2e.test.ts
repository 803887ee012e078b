/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies are read loosely in tests */
/**
 * Local mode with SES's sending rate emulated (ABM_SES_MAX_SEND_RATE): a burst of sends past the
 * rate is never failed nor skipped. Without pacing, local SES throttles the burst and every
 * throttled touch is deferred and sent later; with pacing (as a deploy with config.ses.maxSendRate
 * does), the sends wait for their slots. Either way each contact gets exactly one mail, and the
 * ledger and the campaign say sent.
 */
import { describe, expect, it } from 'vitest';
import { executionNameFor } from '../../functions/kernel/execution';
import { storeOf } from '../../functions/platform/store-of';
import { committee, mails, putEmailDrip, startLocalForTest, untilCampaign } from '../support/local';

const TOKEN = 'e2e-ses-throttle-token-0123456789';
const ACCOUNTS = Array.from({ length: 10 }, (_, i) => `burst-${i}`);
const ROLES = ['economic_buyer', 'champion'] as const;

/** Launches one mail to two contacts of each account at once; returns what came of it. */
async function burst(pace: boolean) {
  // 20 simulated seconds per real second; 0.5 sends per simulated second = 10 per real second.
  const local = await startLocalForTest('abm-ses-throttle-', TOKEN, 20, {
    env: { ABM_SES_MAX_SEND_RATE: '0.5' },
    options: { pace },
  });
  try {
    const { rt, api } = local;
    // aws-ses-v2-local keeps one mail store per process: this run's mail only.
    await rt.ses.clear();
    const imported = await api.call('POST', '/accounts/import', {
      accounts: ACCOUNTS.map((id) => committee(id, 1)),
    });
    expect(imported.json?.imported).toBe(ACCOUNTS.length);
    await putEmailDrip(api, 'burst', ['hello'], { every: 'P1D', to: ROLES });
    const launch = await api.call('POST', '/campaigns', {
      campaignId: 'burst-1',
      name: 'Burst',
      sequenceId: 'burst',
      audience: { accountIds: ACCOUNTS },
    });
    expect(launch.json?.enrolled).toBe(ACCOUNTS.length);
    const view = await untilCampaign(api, 'burst-1', 'completed', 90_000);
    const store = storeOf(rt.platform);
    const touches = (
      await Promise.all(ACCOUNTS.map((id) => store.touches.ofExecution(id, executionNameFor('burst-1', id))))
    ).flat();
    const line = await store.sendRate.line();
    return { view, touches, mail: await mails(rt.sesUrl), throttled: rt.ses.sendStats().throttled, line };
  } finally {
    await local.stop();
  }
}

function expectEachOnce(result: Awaited<ReturnType<typeof burst>>) {
  const to = result.mail.map((m) => m.destination.to[0]).sort();
  const expected = ACCOUNTS.flatMap((id) => [`dana@${id}.example`, `sam@${id}.example`]).sort();
  expect(to).toEqual(expected);
  expect(result.touches).toHaveLength(expected.length);
  expect(new Set(result.touches.map((t) => t.status))).toEqual(new Set(['sent']));
  const step = (result.view.steps as any[]).find((s) => s.stepId === 'hello');
  expect(step).toMatchObject({ sent: expected.length, skipped: 0, failed: 0, deferred: 0, uncertain: 0 });
}

describe('local mode with SES limited to its sending rate', () => {
  it('unpaced: SES throttles the burst; each throttled touch is deferred and sent later, once', async () => {
    const result = await burst(false);
    expect(result.throttled).toBeGreaterThan(0);
    expect(result.line).toBeUndefined();
    expectEachOnce(result);
  }, 120_000);

  it('paced: the sends wait for their slots of the rate, and each is sent once', async () => {
    const result = await burst(true);
    // Every send reserved a slot of the rate (a throttled one, another).
    expect(result.line!.reservations).toBeGreaterThanOrEqual(ACCOUNTS.length * ROLES.length);
    expectEachOnce(result);
  }, 120_000);
});
