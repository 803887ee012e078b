/** An event dated in the future must not hold an account's scoring hostage (review finding). */
import { describe, expect, it } from 'vitest';
import {
  decideStage,
  emptyScoreState,
  engagementAt,
  foldEvents,
  MAX_FUTURE_SKEW_MS,
  scoringConfig,
  type ScoringEvent,
} from '../../functions/scoring/domain';

const config = scoringConfig();
const DAY = 86_400_000;
const NOW = Date.parse('2026-11-22T10:00:00Z');
const ev = (id: string, type: ScoringEvent['type'], at: number, extra: Partial<ScoringEvent> = {}) =>
  ({ eventId: id, type, at, properties: {}, ...extra }) as ScoringEvent;

describe('fold: events dated in the future', () => {
  it('skips and counts an event after now + 5 minutes; later real events still count', () => {
    // A typo: next year. Without the guard it raises latestAt and the dedup floor by a year.
    const typo = foldEvents(emptyScoreState('a'), [ev('typo', 'web.visit', NOW + 365 * DAY)], config, {
      now: NOW,
    });
    expect(typo.future).toBe(1);
    expect(typo.applied).toHaveLength(0);
    expect(typo.state.latestAt).toBeUndefined();
    expect(typo.state.futureIgnored).toBe(1);

    // The committee books meetings over the following days: every one counts, and the account is MQA.
    let state = typo.state;
    const roles = ['economic_buyer', 'champion', 'technical_evaluator'] as const;
    roles.forEach((role, i) => {
      const at = NOW + i * DAY;
      const r = foldEvents(state, [ev(`m${i}`, 'meeting.booked', at, { contactId: `c${i}`, role })], config, {
        now: at,
      });
      expect(r.stale).toBe(0);
      expect(r.applied).toHaveLength(1);
      state = r.state;
    });
    const at = NOW + 2 * DAY;
    expect(decideStage(state, engagementAt(state, at, config), config).stage).toBe('mqa');
  });

  it('accepts clock skew up to 5 minutes', () => {
    const r = foldEvents(
      emptyScoreState('a'),
      [ev('skew', 'email.clicked', NOW + MAX_FUTURE_SKEW_MS)],
      config,
      {
        now: NOW,
      },
    );
    expect(r.applied).toHaveLength(1);
    expect(r.future).toBe(0);
    const over = foldEvents(
      emptyScoreState('a'),
      [ev('skew2', 'email.clicked', NOW + MAX_FUTURE_SKEW_MS + 1)],
      config,
      { now: NOW },
    );
    expect(over.future).toBe(1);
  });
});
