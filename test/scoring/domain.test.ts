import { describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../functions/kernel/model';
import {
  conditionHolds,
  decideStage,
  DEFAULT_SCORING_CONFIG,
  emptyScoreState,
  engagementAt,
  explainScore,
  foldEvents,
  nextScoreStage,
  scoreAt,
  scoringConfig,
  type ScoreState,
  type ScoringEvent,
} from '../../functions/scoring/domain';
import { rng, shuffle } from '../support/scoring';

const config = scoringConfig();
const DAY = 86_400_000;
const T0 = Date.parse('2026-11-01T00:00:00Z');
const ev = (
  id: string,
  type: ScoringEvent['type'],
  at: number,
  extra: Partial<ScoringEvent> = {},
): ScoringEvent => ({
  eventId: id,
  type,
  at,
  properties: {},
  ...extra,
});

/** Folds `events` into a fresh account's state with the default configuration. */
const foldFresh = (events: ScoringEvent[]) => foldEvents(emptyScoreState('a'), events, config);

/** Fold, then run the stage machine at `at`, as the scorer does. */
function foldAndStage(state: ScoreState, events: ScoringEvent[], at: number): ScoreState {
  const folded = foldEvents(state, events, config).state;
  const e = engagementAt(folded, at, config);
  const d = decideStage(folded, e, config);
  return { ...folded, scoreStage: d.scoreStage, stage: d.stage };
}

describe('decay and fold', () => {
  it('halves a contribution every half-life', () => {
    const s = foldFresh([ev('1', 'meeting.booked', T0, { role: 'influencer' })]).state;
    expect(s.score).toBe(40);
    expect(scoreAt(s, T0 + 14 * DAY, config.halfLifeMs)).toBeCloseTo(20, 12);
    expect(scoreAt(s, T0 + 28 * DAY, config.halfLifeMs)).toBeCloseTo(10, 12);
  });

  it('is order-independent: a shuffled stream ends at the same score (1e-9)', () => {
    const random = rng(7);
    const types = [
      'email.opened',
      'email.clicked',
      'web.visit',
      'meeting.booked',
      'intent.surge',
      'email.complained',
    ] as const;
    const events = Array.from({ length: 2000 }, (_, i) =>
      ev(`e${i}`, types[i % types.length]!, T0 + Math.floor(random() * 60 * DAY), {
        contactId: `c${i % 7}`,
        role: ROLES[i % ROLES.length],
        properties: { strength: 0.5, page: i % 3 ? '/blog' : '/pricing' },
      }),
    );
    const ordered = foldFresh([...events].sort((a, b) => a.at - b.at)).state;
    for (let k = 0; k < 5; k++) {
      // Shuffled and split into random batches.
      let s = emptyScoreState('a');
      const mixed = shuffle(events, random);
      for (let i = 0; i < mixed.length;) {
        const n = 1 + Math.floor(random() * 300);
        s = foldEvents(s, mixed.slice(i, i + n), config).state;
        i += n;
      }
      expect(s.asOf).toBe(ordered.asOf);
      expect(Math.abs(s.score - ordered.score)).toBeLessThan(1e-9);
      expect(s.contacts).toEqual(ordered.contacts);
      expect(s.contributors).toEqual(ordered.contributors);
      expect(s.lastByType).toEqual(ordered.lastByType);
    }
  });

  it('never counts a duplicate twice, within a batch or across batches', () => {
    const a = foldFresh([ev('1', 'email.clicked', T0), ev('1', 'email.clicked', T0)]);
    expect(a.applied).toHaveLength(1);
    expect(a.duplicates).toBe(1);
    const b = foldEvents(a.state, [ev('1', 'email.clicked', T0)], config);
    expect(b.applied).toHaveLength(0);
    expect(b.state.score).toBe(a.state.score);
  });

  it('ignores (does not double count) an event older than the dedup horizon', () => {
    const s = foldFresh([ev('new', 'email.clicked', T0 + 200 * DAY)]).state;
    const r = foldEvents(s, [ev('ancient', 'email.clicked', T0)], config);
    expect(r.stale).toBe(1);
    expect(r.state.score).toBe(s.score);
  });

  it('caps the remembered ids, raising the floor', () => {
    const small = scoringConfig({ maxSeenIds: 100 });
    const events = Array.from({ length: 250 }, (_, i) => ev(`e${i}`, 'email.opened', T0 + i * 1000));
    const r = foldEvents(emptyScoreState('a'), events, small);
    expect(Object.keys(r.state.seen).length).toBeLessThanOrEqual(100);
    expect(r.state.dedupFloor).toBeGreaterThan(T0);
    // A redelivery of a forgotten id is stale, never counted again.
    expect(foldEvents(r.state, [ev('e0', 'email.opened', T0)], small).stale).toBe(1);
  });

  it.each([
    ['web.visit', { page: '/blog' }, 1],
    ['web.visit', { page: '/en/pricing' }, 4],
    ['intent.surge', { strength: 0.5 }, 4],
    ['intent.surge', { strength: 50 }, 4],
    ['sdr.call_logged', { outcome: 'connected' }, 8],
    ['sdr.call_logged', { outcome: 'voicemail' }, 0],
    ['email.complained', {}, -15],
  ] as const)('weighs %s %j as %d (x role multiplier)', (type, properties, base) => {
    const r = foldFresh([ev('1', type, T0, { role: 'influencer', properties })]);
    expect(r.state.score).toBeCloseTo(base, 12);
  });
});

describe('stages', () => {
  const roleTriples: Role[][] = [];
  for (let i = 0; i < ROLES.length; i++)
    for (let j = i + 1; j < ROLES.length; j++)
      for (let k = j + 1; k < ROLES.length; k++) roleTriples.push([ROLES[i]!, ROLES[j]!, ROLES[k]!]);

  it.each(roleTriples)('meetings booked by %s, %s and %s make the account MQA', (...roles) => {
    const events = roles.map((role, i) =>
      ev(`m${i}`, 'meeting.booked', T0 + i * DAY, { contactId: `c${i}`, role }),
    );
    const s = foldAndStage(emptyScoreState('a'), events, T0 + 3 * DAY);
    expect(s.stage).toBe('mqa');
  });

  it('two roles are not enough, however many meetings', () => {
    const events = Array.from({ length: 10 }, (_, i) =>
      ev(`m${i}`, 'meeting.booked', T0, { contactId: `c${i}`, role: i % 2 ? 'champion' : 'economic_buyer' }),
    );
    expect(foldAndStage(emptyScoreState('a'), events, T0).stage).not.toBe('mqa');
  });

  it('web visits alone never make an account MQA', () => {
    const events = Array.from({ length: 5000 }, (_, i) =>
      ev(`w${i}`, 'web.visit', T0 + i * 60_000, {
        contactId: `c${i % 50}`,
        role: ROLES[i % ROLES.length],
        properties: { page: '/pricing' },
      }),
    );
    const s = foldAndStage(emptyScoreState('a'), events, T0 + 5000 * 60_000);
    expect(s.score).toBeGreaterThan(1000);
    expect(s.stage).toBe('engaged');
  });

  it('has hysteresis: stays MQA until the score falls below exitRatio x threshold', () => {
    const e = (score: number) => ({ score, engagedContacts: [], engagedRoles: [], at: 0 });
    expect(nextScoreStage('mqa', e(50), config)).toBe('mqa'); // 50 >= 0.8 x 60
    expect(nextScoreStage('engaged', e(50), config)).toBe('engaged'); // entering needs contacts/roles too
    expect(nextScoreStage('mqa', e(47), config)).toBe('engaged');
    expect(nextScoreStage('engaged', e(8.5), config)).toBe('engaged'); // 8.5 >= 0.8 x 10
    expect(nextScoreStage('target', e(8.5), config)).toBe('target');
    expect(nextScoreStage('engaged', e(7.9), config)).toBe('target');
  });

  it('takes opportunity, customer and disqualified from CRM events only, latest wins regardless of order', () => {
    const crm = [
      ev('c1', 'crm.stage_changed', T0, { properties: { stage: 'opportunity_created' } }),
      ev('c2', 'crm.stage_changed', T0 + DAY, { properties: { stage: 'closed_won' } }),
    ];
    const a = foldAndStage(emptyScoreState('a'), crm, T0 + DAY);
    const b = foldAndStage(foldAndStage(emptyScoreState('a'), [crm[1]!], T0 + DAY), [crm[0]!], T0 + DAY);
    expect(a.stage).toBe('customer');
    expect(b.stage).toBe('customer');
    const recycled = foldAndStage(
      a,
      [ev('c3', 'crm.stage_changed', T0 + 2 * DAY, { properties: { stage: 'recycled' } })],
      T0 + 2 * DAY,
    );
    expect(recycled.stage).toBe('target');
  });
});

describe('conditions and explanations', () => {
  const s = foldFresh([
    ev('m1', 'meeting.booked', T0, { contactId: 'dana', role: 'economic_buyer' }),
    ev('o1', 'email.opened', T0 + DAY, { contactId: 'lee', role: 'champion' }),
  ]).state;
  const e = engagementAt(s, T0 + DAY, config);

  it.each([
    [{ minScore: 40 }, true],
    [{ minScore: 80 }, false],
    [{ stages: ['target' as const] }, true],
    [{ minEngagedContacts: 1 }, true],
    [{ minEngagedContacts: 2 }, false], // an open does not engage
    [{ events: ['email.opened' as const] }, true],
    [{ events: ['email.replied' as const] }, false],
    [{}, false],
  ])('%j holds: %s', (condition, expected) => {
    expect(conditionHolds(condition, s, 'target', e, T0)).toBe(expected);
  });

  it('an event before the wait began does not satisfy `events`', () => {
    expect(conditionHolds({ events: ['meeting.booked'] }, s, 'target', e, T0 + 1)).toBe(false);
  });

  it('explains the score by its contributors, decayed to now', () => {
    const x = explainScore(s, new Date(T0 + 14 * DAY), config);
    expect(x.contributors[0]).toMatchObject({
      eventId: 'm1',
      type: 'meeting.booked',
      contactId: 'dana',
      role: 'economic_buyer',
      weight: 60,
    });
    expect(x.contributors[0]!.value).toBeCloseTo(30, 9);
    expect(x.value).toBeCloseTo(
      x.contributors.reduce((sum, c) => sum + c.value, 0),
      9,
    );
    expect(explainScore(undefined, new Date()).contributors).toEqual([]);
  });

  it('keeps the default configuration valid and overridable', () => {
    expect(scoringConfig({ mqa: { minScore: 80 } }).mqa).toEqual({
      ...DEFAULT_SCORING_CONFIG.mqa,
      minScore: 80,
    });
    expect(() => scoringConfig({ exitRatio: 2 })).toThrow(/exitRatio/);
  });
});

describe('account facts for the engine', () => {
  it('decays the score to now and reports every event type seen', async () => {
    const { accountFacts } = await import('../../functions/scoring/domain');
    const s = foldFresh([
      ev('m1', 'meeting.booked', T0, { contactId: 'dana', role: 'economic_buyer' }),
      ev('d1', 'email.delivered', T0 + DAY, { contactId: 'dana', role: 'economic_buyer' }),
    ]).state;
    const facts = accountFacts(s, new Date(T0 + 14 * DAY));
    expect(facts.score).toBeCloseTo(30, 9);
    expect(facts).toMatchObject({ stage: 'target', engagedContacts: 1, engagedRoles: 1 });
    expect(facts.recentEvents.map((e) => e.type)).toContain('email.delivered'); // weight 0, still an event
    expect(facts.recentEvents[0]!.occurredAt >= facts.recentEvents.at(-1)!.occurredAt).toBe(true);
    expect(accountFacts(undefined, new Date(), 'customer')).toMatchObject({ stage: 'customer', score: 0 });
  });
});
