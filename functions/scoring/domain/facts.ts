/**
 * The account facts the sequence engine evaluates conditions on (branch, `if`, await timeouts),
 * computed from the scorer's state exactly as the scorer computes them: score decayed to `now`,
 * engaged contacts and roles inside the window, and the newest event per type (so an `events`
 * condition sees every type, not only the weighted contributors).
 *
 * For the engine's FactsReader: `accountFacts(state, now)` with the state read by
 * `repo.getScoreState(accountId, ScoreStateSchema)` (functions/kernel/score.ts).
 */
import type { AccountFacts } from '../../kernel/conditions';
import type { EngagementType, Stage } from '../../kernel/model';
import { DEFAULT_ENGAGEMENT_WINDOWS, type EngagementWindows } from './defaults';
import { engagementAt, evaluationTime } from './stage';
import type { ScoreState } from './state';

export function accountFacts(
  state: ScoreState | undefined,
  now: Date,
  profileStage: Stage = 'target',
  config: EngagementWindows = DEFAULT_ENGAGEMENT_WINDOWS,
): AccountFacts {
  if (!state) return { stage: profileStage, score: 0, engagedContacts: 0, engagedRoles: 0, recentEvents: [] };
  const e = engagementAt(state, evaluationTime(state, now.getTime()), config);
  const byType = (Object.entries(state.lastByType) as [EngagementType, number][]).map(([type, at]) => ({
    type,
    occurredAt: new Date(at).toISOString(),
  }));
  const contributors = state.contributors.map((c) => ({
    type: c.type,
    occurredAt: new Date(c.at).toISOString(),
    ...(c.contactId ? { contactId: c.contactId } : {}),
    ...(c.role ? { role: c.role } : {}),
  }));
  return {
    stage: state.stage,
    score: e.score,
    engagedContacts: e.engagedContacts.length,
    engagedRoles: e.engagedRoles.length,
    recentEvents: [...contributors, ...byType].sort((a, b) =>
      a.occurredAt < b.occurredAt ? 1 : a.occurredAt > b.occurredAt ? -1 : 0,
    ),
  };
}
