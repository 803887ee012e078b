/**
 * GET /accounts/{id} shows the score decayed to now with the time it is as of, and why the account
 * is (not) MQA: the real router over dynalite, the real scorer folding the events.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SCORING_CONFIG } from '../../functions/scoring/domain';
import { scorerFeature } from '../../functions/scoring/scorer';
import { account, startHarness, type Harness } from '../support/api';
import { detail, envelopeRecord } from '../support/scoring';
import { useHarness } from '../support/suite';

const DAY = 24 * 3600_000;
const HALF_LIFE = 14 * DAY;
// meeting.booked by the economic buyer (40 x 1.5), email.replied (12 x 1.3) and a web visit
// (1 x 1.3, not engaging) by the champion, email.clicked by a second champion (4 x 1.3).
const STORED = 60 + 15.6 + 1.3 + 5.2;

async function engage(h: Harness, accountId: string): Promise<void> {
  const res = await h.call('POST', '/accounts/import', {
    body: {
      accounts: [
        account(1, {
          accountId,
          domain: `${accountId}.example`,
          contacts: [
            { contactId: 'eb', name: 'Eve', email: `eve@${accountId}.example`, role: 'economic_buyer' },
            { contactId: 'ch', name: 'Cam', email: `cam@${accountId}.example`, role: 'champion' },
            { contactId: 'ch2', name: 'Chris', email: `chris@${accountId}.example`, role: 'champion' },
          ],
        }),
      ],
    },
  });
  expect(res.json).toMatchObject({ imported: 1, rejected: [] });
  const at = h.clock.now().getTime();
  const scorer = scorerFeature(h.platform);
  const { batchItemFailures } = await scorer.handleBatch([
    envelopeRecord(accountId, [
      detail(accountId, `${accountId}-m`, 'meeting.booked', at, { contactId: 'eb' }),
      detail(accountId, `${accountId}-r`, 'email.replied', at, { contactId: 'ch' }),
      detail(accountId, `${accountId}-v`, 'web.visit', at, { contactId: 'ch' }),
      detail(accountId, `${accountId}-c`, 'email.clicked', at, { contactId: 'ch2' }),
    ]),
  ]);
  expect(batchItemFailures).toEqual([]);
}

describe('GET /accounts/{id}: the score now and the progress towards MQA', () => {
  const h = useHarness(() => startHarness());
  let start: number;
  beforeAll(async () => {
    start = h.clock.now().getTime();
    await engage(h, 'acme');
  });

  it('shows the score decayed to the current time, with that time, not the stored sum', async () => {
    h.clock.set(start);
    const now = await h.call('GET', '/accounts/acme');
    expect(now.status).toBe(200);
    expect(now.json.score.value).toBeCloseTo(STORED, 6);
    expect(now.json.score.asOf).toBe(new Date(start).toISOString());

    h.clock.set(start + HALF_LIFE);
    const later = await h.call('GET', '/accounts/acme');
    expect(later.json.score.value).toBeCloseTo(STORED / 2, 6);
    expect(later.json.score.asOf).toBe(new Date(start + HALF_LIFE).toISOString());
    expect(later.json.mqaProgress.score.value).toBe(later.json.score.value);
    // The stored state is unchanged: only the view decays it.
    expect((await h.store.scores.get('acme'))?.state.score).toBeCloseTo(STORED, 6);
    // The score history (one point per fold) with the MQA line to draw it against.
    expect(later.json.scoreHistory.mqaThreshold).toBe(60);
    expect(later.json.scoreHistory.points).toHaveLength(1);
    expect(later.json.scoreHistory.points[0].value).toBeCloseTo(STORED, 6);
  });

  it('carries the progress against each MQA threshold and the engaging event types', async () => {
    h.clock.set(start + DAY);
    const res = await h.call('GET', '/accounts/acme');
    expect(res.json.stage).toBe('engaged');
    expect(res.json.mqaProgress).toEqual({
      asOf: new Date(start + DAY).toISOString(),
      met: false,
      score: { value: expect.closeTo(STORED * 2 ** (-DAY / HALF_LIFE), 6), threshold: 60, met: true },
      engagedContacts: { value: 3, threshold: 3, met: true },
      engagedRoles: { value: 2, threshold: 3, met: false, roles: ['champion', 'economic_buyer'] },
      keptAtScore: 48,
      engagingTypes: DEFAULT_SCORING_CONFIG.engagingTypes,
      engagedWindow: 'P30D',
    });

    // Past the engaged window no contact is engaged any more; the score has decayed below 60.
    h.clock.set(start + 31 * DAY);
    const late = (await h.call('GET', '/accounts/acme')).json.mqaProgress;
    expect(late.score).toEqual({
      value: expect.closeTo(STORED * 2 ** (-31 / 14), 6),
      threshold: 60,
      met: false,
    });
    expect(late.engagedContacts).toEqual({ value: 0, threshold: 3, met: false });
    expect(late.engagedRoles).toEqual({ value: 0, threshold: 3, met: false, roles: [] });
  });

  it('an account never engaged: no score, every threshold at zero', async () => {
    h.clock.set(start);
    await h.call('POST', '/accounts/import', { body: { accounts: [account(7)] } });
    const res = await h.call('GET', '/accounts/acct-00007');
    expect(res.json.score).toBeNull();
    expect(res.json.scoreHistory).toEqual({ points: [], mqaThreshold: 60 });
    expect(res.json.mqaProgress).toMatchObject({
      asOf: new Date(start).toISOString(),
      met: false,
      score: { value: 0, threshold: 60, met: false },
      engagedContacts: { value: 0, threshold: 3, met: false },
      engagedRoles: { value: 0, threshold: 3, met: false, roles: [] },
    });
  });
});

describe('GET /accounts/{id} with configured MQA thresholds', () => {
  const h = useHarness(() =>
    startHarness({ scoring: { mqa: { minScore: 70, minEngagedRoles: 2 }, exitRatio: 0.5 } }),
  );

  it('shows the thresholds the scorer decides with, and the account MQA once they are met', async () => {
    await engage(h, 'acme');
    const res = await h.call('GET', '/accounts/acme');
    expect(res.json.stage).toBe('mqa');
    expect(res.json.mqaProgress).toMatchObject({
      met: true,
      score: { threshold: 70, met: true },
      engagedContacts: { value: 3, threshold: 3, met: true },
      engagedRoles: { value: 2, threshold: 2, met: true },
      keptAtScore: 35,
    });
  });
});
