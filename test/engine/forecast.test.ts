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

describe('the forecast of a launch equals what the engine does with no engagement', () => {
  // One harness at a time: each runs local SES, whose mail store is the process's.
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await seedTemplates(h.store);
    for (const [i, id] of ACCOUNTS.entries())
      await seedAccount(h.store, committeeAccount(id, {}, ZONES[i % 3]));
  }, 60_000);
  afterAll(async () => h?.stop());

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

describe('the forecast follows holidays as the engine does', () => {
  // Wednesday 23 December 2026: the follow-up falls due on Christmas Day.
  const XMAS_START = new Date('2026-12-23T15:00:00Z');
  let hx: Harness;
  beforeAll(async () => {
    hx = await startHarness({ time: { mode: 'skip', start: XMAS_START } });
    await seedTemplates(hx.store);
    await seedAccount(hx.store, committeeAccount('hol-ny', {}, 'America/New_York'));
    await seedAccount(hx.store, committeeAccount('hol-berlin', {}, 'Europe/Berlin'));
  }, 60_000);
  afterAll(async () => hx?.stop());

  it('touches, weeks and finish equal the run, with the holidays of each contact country', async () => {
    const seq = snapshot({
      id: 'holiday-forecast',
      name: 'holidays',
      sendWindow: {
        days: ['mon', 'tue', 'wed', 'thu', 'fri'],
        start: '09:00',
        end: '17:00',
        holidays: 'contact',
      },
      steps: [
        { id: 'intro', channel: 'email', after: 'P0D', to: ['champion'], template: 'intro' },
        { id: 'follow', channel: 'email', after: 'P2D', to: ['champion'], template: 'follow' },
      ],
    } as SequenceInput);
    const forecast = await createForecaster({
      accounts: hx.store.accounts,
      touches: hx.store.touches,
      scores: hx.platform.repository(ScoreReader),
    }).forecast({ sequence: seq, accountIds: ['hol-ny', 'hol-berlin'], startAt: XMAS_START.toISOString() });
    let last = 0;
    for (const id of ['hol-ny', 'hol-berlin']) {
      const input = await enroll(hx.store, id, 'holidays', seq, XMAS_START);
      expect((await within(hx.sfn.start(input, { name: input.executionName }).done, 20_000)).status).toBe(
        'SUCCEEDED',
      );
      last = Math.max(last, Date.parse((await hx.store.enrollments.get(id, 'holidays'))!.finishedAt!));
    }
    const ledger = await hx.store.touches.allOfCampaign('holidays');
    // Berlin's 25th and 26th are holidays, then a weekend: Monday 28th, the week after Christmas's.
    expect(
      ledger
        .filter((t) => t.stepId === 'follow')
        .map((t) => t.at)
        .sort(),
    ).toEqual(['2026-12-28T08:00:00.000Z', '2026-12-28T14:00:00.000Z']);
    expect(ledgerCounts(ledger)).toEqual(forecast.touches);
    expect(Date.parse(forecast.finish.earliest!)).toBe(last);
  }, 120_000);
});
