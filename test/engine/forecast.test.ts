/**
 * The launch forecast (functions/engine/forecast.ts) against the real engine: the AccountSequence
 * ASL with ExecuteStep over dynalite, waits skipped on each execution's virtual clock, no
 * engagement. The forecast of the accounts, taken before they run, equals their touch ledgers
 * afterwards: sent touches by channel and week, skipped ones by reason. The sequence splits the
 * accounts (the engine's own deterministic assignment), skips touches at the frequency cap, exits
 * one variant at an await's timeout and sends in three time zones' business hours.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createForecaster } from '../../functions/engine';
import type { SequenceInput } from '../../functions/kernel/model';
import { ScoreReader } from '../../functions/platform/store/scores';
import {
  committeeAccount,
  enroll,
  seedAccount,
  seedTemplates,
  snapshot,
  START,
  startHarness,
  within,
  type Harness,
} from '../support/engine';
import { ledgerCounts } from '../support/forecast';

const ZONES = ['America/New_York', 'Europe/Berlin', 'Asia/Kolkata'];
const ACCOUNTS = Array.from({ length: 9 }, (_, i) => `fc-${i}`);

const SEQUENCE = {
  id: 'forecast-split',
  name: 'split, cap, await',
  sendWindow: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' },
  frequencyCap: { perContact: 2, window: 'P7D', onCapped: 'skip' },
  steps: [
    { id: 'intro', channel: 'email', after: 'P0D', to: 'all', template: 'intro' },
    {
      id: 'ab',
      type: 'split',
      variants: [
        { name: 'a', weight: 50, goto: 'call' },
        { name: 'b', weight: 50, goto: 'hold' },
      ],
    },
    { id: 'call', channel: 'sdr_task', after: 'P1D', to: ['champion'], taskType: 'call' },
    { id: 'tech', channel: 'email', after: 'PT4H', to: 'all', template: 'tech', next: 'gift' },
    {
      id: 'hold',
      type: 'await_engagement',
      timeout: 'P2D',
      until: { events: ['email.replied'] },
      onTimeout: 'exit',
    },
    {
      id: 'gift',
      channel: 'direct_mail',
      after: 'P1D',
      to: 'all',
      piece: 'roi-booklet',
      maxCostCents: 5000,
      costCents: 3000,
    },
    { id: 'follow', channel: 'email', after: 'P2D', to: ['economic_buyer', 'champion'], template: 'follow' },
  ],
} as SequenceInput;

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await seedTemplates(h.store);
  for (const [i, id] of ACCOUNTS.entries())
    await seedAccount(h.store, committeeAccount(id, {}, ZONES[i % 3]));
}, 60_000);
afterAll(async () => h?.stop());

describe('the forecast of a launch equals what the engine does with no engagement', () => {
  it('by channel, by week and skipped by reason, across a split, caps and an await that exits', async () => {
    const seq = snapshot(SEQUENCE);
    const forecaster = createForecaster({
      accounts: h.store.accounts,
      touches: h.store.touches,
      scores: h.platform.repository(ScoreReader),
    });
    const forecast = await forecaster.forecast({
      sequence: seq,
      accountIds: ACCOUNTS,
      startAt: START.toISOString(),
    });
    // Not trivial: the cap skips, pieces without an address skip, both variants run.
    expect(forecast.touches.skippedByReason['frequency_capped:contact']).toBeGreaterThan(0);
    expect(forecast.touches.skippedByReason.no_postal_address).toBeGreaterThan(0);
    expect(forecast.touches.byChannel.sdr_task).toBeGreaterThan(0);
    expect(forecast.touches.byChannel.sdr_task).toBeLessThan(ACCOUNTS.length);

    let last = 0;
    const reasons: string[] = [];
    for (const id of ACCOUNTS) {
      const input = await enroll(h.store, id, 'forecast', seq, START);
      const exec = h.sfn.start(input, { name: input.executionName });
      // With no engagement an await times out (in skip mode the test expires its token).
      const parked = await Promise.race([
        exec.done.then(() => undefined),
        h.sfn.waitForParked({ execution: input.executionName, state: 'AwaitEngagement' }),
      ]);
      if (parked) h.sfn.expireToken(parked.token);
      const summary = await within(exec.done, 20_000);
      expect(summary.status).toBe('SUCCEEDED');
      const e = await h.store.enrollments.get(id, 'forecast');
      last = Math.max(last, Date.parse(e!.finishedAt!));
      reasons.push(e!.reason ?? e!.status);
    }
    // Both variants ran: the await's exit ended some enrollments, the others completed.
    expect(reasons).toContain('await_timeout:hold');
    expect(reasons.filter((r) => r !== 'await_timeout:hold').length).toBeGreaterThan(0);
    const ledger = await h.store.touches.allOfCampaign('forecast');
    expect(ledgerCounts(ledger)).toEqual(forecast.touches);
    expect(last).toBe(Date.parse(forecast.finish.earliest!));
    expect(Date.parse(forecast.finish.latest!)).toBeGreaterThanOrEqual(last);
  }, 120_000);
});
