/** Does an await_engagement (or branch) condition hold for the account right now? */
import { isEmptyCondition } from '../../kernel/conditions';
import type { Condition, Stage } from '../../kernel/model';
import type { Engagement } from './stage';
import type { ScoreState } from './state';

export function conditionHolds(
  condition: Condition | undefined,
  state: Pick<ScoreState, 'lastByType'>,
  stage: Stage,
  e: Engagement,
  /** When the wait began (epoch ms): `events` need an event of those types since then. */
  since?: number,
): boolean {
  // An empty condition never resumes a wait (it would resume at once, which is a timeout's job).
  if (!condition || isEmptyCondition(condition)) return false;
  const parts: boolean[] = [];
  if (condition.minScore !== undefined) parts.push(e.score >= condition.minScore);
  if (condition.maxScore !== undefined) parts.push(e.score <= condition.maxScore);
  if (condition.stages) parts.push(condition.stages.includes(stage));
  if (condition.notStages) parts.push(!condition.notStages.includes(stage));
  if (condition.minEngagedContacts !== undefined)
    parts.push(e.engagedContacts.length >= condition.minEngagedContacts);
  if (condition.minEngagedRoles !== undefined) parts.push(e.engagedRoles.length >= condition.minEngagedRoles);
  if (condition.events) {
    const from = since ?? -Infinity;
    parts.push(condition.events.some((t) => (state.lastByType[t] ?? -Infinity) >= from));
  }
  return parts.every(Boolean);
}
