/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies are read loosely in tests */
/**
 * The launch forecast against what the engine then does (issue 16, "Forecast before launch"): in
 * local mode on its simulated clock, a dry run of a launch, then the launch, the clock advanced
 * until the campaign completes with no engagement event: the touch ledger's sent touches, by
 * channel and by week, equal the forecast's exactly, and the campaign ends inside its finish range.
 * The sequence is not trivial: a send window in each contact's zone, an await that times out, a
 * branch, frequency caps that defer touches (two accounts were touched just before), an ads step,
 * an SDR task, and a direct-mail step within a step budget and, for one account, an account budget.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNELS } from '../../functions/kernel/model';
import { EnrollmentRepository } from '../../functions/platform/store/enrollments';
import { TouchRepository } from '../../functions/platform/store/touches';
import type { LocalRuntime } from '../../lib/local/runtime';
import {
  ALWAYS,
  advance,
  committee,
  startLocalForTest,
  until,
  untilCampaign,
  type ApiClient,
} from '../support/local';
import { ledgerCounts } from '../support/forecast';

const TOKEN = 'e2e-forecast-token-0123456789';
const ADDRESS = { line1: '1 Main St', city: 'Chicago', postalCode: '60601', country: 'US' };
let rt: LocalRuntime;
let api: ApiClient;
let stop: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ rt, api, stop } = await startLocalForTest('abm-local-forecast-', TOKEN, 'simulate'));
}, 60_000);

afterAll(async () => {
  await stop?.();
});

/** An account whose contacts all have a postal address (direct mail reaches them). */
function withAddresses(id: string, extra: Record<string, unknown> = {}) {
  const c = committee(id, 1, extra);
  return { ...c, contacts: c.contacts.map((contact) => ({ ...contact, postalAddress: ADDRESS })) };
}

const SEQUENCE = {
  name: 'forecast e2e',
  sendWindow: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' },
  frequencyCap: { perContact: 2, window: 'P7D', onCapped: 'defer' },
  steps: [
    { id: 'intro', channel: 'email', after: 'P0D', to: 'all', template: 'fc-intro' },
    { id: 'ads', channel: 'ads', after: 'P0D', audience: 'fc-audience', to: 'all' },
    { id: 'call', channel: 'sdr_task', after: 'P1D', to: ['champion'], taskType: 'call' },
    { id: 'wait', type: 'await_engagement', timeout: 'P3D', until: { minScore: 40 }, onTimeout: 'next' },
    { id: 'route', type: 'branch', cases: [{ if: { minScore: 40 }, goto: 'follow' }], default: 'gift' },
    {
      id: 'gift',
      channel: 'direct_mail',
      after: 'PT2H',
      to: 'all',
      piece: 'roi-booklet',
      maxCostCents: 5000,
      costCents: 2000,
    },
    {
      id: 'follow',
      channel: 'email',
      after: 'P2D',
      to: ['economic_buyer', 'champion'],
      template: 'fc-follow',
    },
  ],
};

describe('the launch forecast equals what a run with no engagement does', () => {
  it('touches by channel and week, capped touches, finish range', async () => {
    for (const id of ['fc-intro', 'fc-follow', 'fc-warm']) {
      const put = await api.call('PUT', `/templates/${id}`, {
        subject: `${id} for {{account.name}}`,
        html: '<p>Hi {{contact.name}}</p>',
        text: 'Hi {{contact.name}}',
      });
      expect(put.status).toBeLessThan(300);
    }
    const accounts = [
      withAddresses('fc-a'),
      withAddresses('fc-b', { directMailBudgetCents: 2000 }),
      withAddresses('fc-c'),
      committee('fc-d', 1),
    ];
    const imported = await api.call('POST', '/accounts/import', { accounts });
    expect(imported.json).toMatchObject({ imported: 4, rejected: [] });

    // Two accounts touched once just before: the cap (2 per contact per 7 days) defers more of theirs.
    const warm = await api.call('PUT', '/sequences/fc-warm', {
      name: 'warm-up',
      sendWindow: ALWAYS,
      steps: [{ id: 'warm', channel: 'email', after: 'P0D', to: 'all', template: 'fc-warm' }],
    });
    expect(warm.status).toBeLessThan(300);
    const warmLaunch = await api.call('POST', '/campaigns', {
      campaignId: 'fc-warm',
      name: 'warm-up',
      sequenceId: 'fc-warm',
      audience: { accountIds: ['fc-a', 'fc-b'] },
    });
    expect(warmLaunch.status).toBe(202);
    await advance(api, { by: 'PT1M' });
    await untilCampaign(api, 'fc-warm', 'completed', 20_000);
    await advance(api, { by: 'PT1M' });

    const put = await api.call('PUT', '/sequences/fc-main', SEQUENCE);
    expect(put.status).toBeLessThan(300);
    const body = {
      campaignId: 'fc-main',
      name: 'forecast e2e',
      sequenceId: 'fc-main',
      audience: { accountIds: accounts.map((a) => a.accountId) },
    };
    const dry = await api.call('POST', '/campaigns', { ...body, dryRun: true });
    expect(dry.status).toBe(200);
    const forecast = dry.json.forecast;
    expect(forecast.accounts).toBe(4);
    // Not trivial: caps defer touches, budgets and missing addresses skip pieces.
    expect(forecast.cappedTotal).toBeGreaterThan(0);
    expect(forecast.capped.every((c: any) => c.outcome === 'deferred' && c.until)).toBe(true);
    expect(forecast.touches.skippedByReason).toMatchObject({ no_postal_address: 3 });
    expect(forecast.touches.skippedByReason.over_account_budget).toBeGreaterThan(0);
    expect(forecast.touches.skippedByReason.over_step_budget).toBeGreaterThan(0);
    for (const channel of CHANNELS) expect(forecast.touches.byChannel[channel]).toBeGreaterThan(0);
    expect(forecast.touches.byWeek.length).toBeGreaterThan(1);
    expect(forecast.cost.byComponent.directMail).toBe(forecast.touches.byChannel.direct_mail * 20);
    expect(forecast.minimumDetectableLift).toEqual(dry.json.minimumDetectableLift);

    const launched = await api.call('POST', '/campaigns', body);
    expect(launched.status).toBe(202);
    const started = Date.parse((await api.call('GET', '/health')).json.time);
    for (let day = 0; day < 40; day++) {
      await advance(api, { by: 'P1D' });
      if ((await api.call('GET', '/campaigns/fc-main')).json?.status === 'completed') break;
    }
    await untilCampaign(api, 'fc-main', 'completed', 20_000);

    const touches = await rt.platform.repository(TouchRepository).allOfCampaign('fc-main');
    // Sent by channel and week, and every touch the forecast skipped skipped for the same reason.
    expect(ledgerCounts(touches)).toEqual(forecast.touches);

    const enrollments = await until('the enrollments ended', async () => {
      const all = await rt.platform.repository(EnrollmentRepository).allOfCampaign('fc-main');
      return all.every((e) => e.finishedAt) && all;
    });
    const finished = Math.max(...enrollments.map((e) => Date.parse(e.finishedAt!)));
    expect(finished).toBeGreaterThan(started);
    expect(finished).toBeGreaterThanOrEqual(Date.parse(forecast.finish.earliest));
    expect(finished).toBeLessThanOrEqual(Date.parse(forecast.finish.latest));
  }, 180_000);
});
