/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies are read loosely in tests */
/**
 * Local mode in simulate mode, through the HTTP API: time stands still until
 * POST /_local/clock/advance, which runs every step falling due in order and answers once nothing
 * is in flight; GET /_local/clock shows the mode and the now.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advance, committee, putEmailDrip, startLocalForTest, type ApiClient } from '../support/local';

const TOKEN = 'clock-e2e-token-0123456789';
const DAY = 86_400_000;
let api: ApiClient;
let stop: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ api, stop } = await startLocalForTest('abm-clock-e2e-', TOKEN, 'simulate'));
});

afterAll(async () => {
  await stop?.();
});

const sentTouches = async (accountId: string) => {
  const res = await api.call('GET', `/accounts/${accountId}`);
  return (res.json.touches as any[])
    .filter((t) => t.status === 'sent')
    .map((t) => ({ step: t.stepId as string, at: t.at as string }))
    .sort((a, b) => a.at.localeCompare(b.at) || a.step.localeCompare(b.step));
};

describe('simulate mode', () => {
  it('stands still, then a skip ahead runs each due step in order and answers when settled', async () => {
    const clock = await api.call('GET', '/_local/clock');
    expect(clock.json).toEqual({ mode: 'simulate', now: '2026-03-02T08:00:00.000Z' });
    const start = Date.parse(clock.json.now);
    expect((await api.call('GET', '/_local/clock', undefined, { token: null })).status).toBe(401);

    await putEmailDrip(api, 'drip', ['one', 'two', 'three'], { every: 'P1D', to: ['champion'] });
    expect(
      (
        await api.call('POST', '/accounts/import', {
          accounts: [committee('acme', 2), committee('globex', 2)],
        })
      ).status,
    ).toBe(200);
    const launch = await api.call('POST', '/campaigns', {
      campaignId: 'drip-1',
      name: 'Drip',
      sequenceId: 'drip',
      audience: { accountIds: ['acme', 'globex'] },
      holdoutPercent: 0,
    });
    expect(launch.status, launch.text).toBeLessThan(300);

    // Nothing moves the clock but an advance: the first step (due now) runs, the rest waits.
    expect(await advance(api, { by: 'PT0S' })).toBe(clock.json.now);
    await new Promise((r) => setTimeout(r, 300));
    expect((await api.call('GET', '/_local/clock')).json.now).toBe(clock.json.now);
    for (const id of ['acme', 'globex'])
      expect(await sentTouches(id)).toEqual([{ step: 'one', at: clock.json.now }]);

    // Three days on: steps two and three ran at their due times, in order, before the answer.
    const now = await advance(api, { by: 'P3D' });
    expect(now).toBe(new Date(start + 3 * DAY).toISOString());
    for (const id of ['acme', 'globex'])
      expect(await sentTouches(id)).toEqual(
        ['one', 'two', 'three'].map((step, i) => ({ step, at: new Date(start + i * DAY).toISOString() })),
      );
    const campaign = await api.call('GET', '/campaigns/drip-1');
    expect(campaign.json.status).toBe('completed');

    const to = new Date(start + 10 * DAY).toISOString();
    expect(await advance(api, { to })).toBe(to);
    const back = await api.call('POST', '/_local/clock/advance', { to: clock.json.now });
    expect(back.status).toBe(400);
    expect(back.text).toMatch(/before now/);
    expect((await api.call('POST', '/_local/clock/advance', { by: 'soon' })).status).toBe(400);
  });
});
