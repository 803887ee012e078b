/**
 * Conditions on an account (docs/architecture.md "Sequences": `if`, `until`, branch cases), evaluated against a snapshot
 * of facts read at run time. Pure: the facts are gathered by the service.
 */
import type { Condition, EngagementType, Role, Stage } from './model';

export interface AccountFacts {
  stage: Stage;
  /** Engagement score now (0 when unknown). */
  score: number;
  /** Distinct contacts and roles that engaged recently (as the scorer counts them). */
  engagedContacts: number;
  engagedRoles: number;
  /** Engagement events with their time, newest first (for `events` since a step started). */
  recentEvents: { type: EngagementType; occurredAt: string; contactId?: string; role?: Role }[];
}

export const NO_FACTS: AccountFacts = {
  stage: 'target',
  score: 0,
  engagedContacts: 0,
  engagedRoles: 0,
  recentEvents: [],
};

/** A condition with no part at all (`{}` or absent). */
export function isEmptyCondition(condition: Condition | undefined): boolean {
  return !condition || !Object.values(condition).some((v) => v !== undefined);
}

/**
 * The one reading of an await_engagement `until`, shared by the planner, the engine and (through
 * isEmptyCondition) the scorer: engagement counts only from `since` (when the wait began), and an
 * empty condition never holds (ending a wait with nothing to wait for is the timeout's job).
 */
export function untilHolds(until: Condition | undefined, facts: AccountFacts, since: Date): boolean {
  return !isEmptyCondition(until) && conditionHolds(until, facts, since);
}

/** True when every given part of the condition holds. `since` bounds the `events` part. */
export function conditionHolds(condition: Condition | undefined, facts: AccountFacts, since?: Date): boolean {
  if (!condition) return true;
  if (condition.minScore !== undefined && facts.score < condition.minScore) return false;
  if (condition.maxScore !== undefined && facts.score > condition.maxScore) return false;
  if (condition.stages && !condition.stages.includes(facts.stage)) return false;
  if (condition.notStages && condition.notStages.includes(facts.stage)) return false;
  if (condition.minEngagedContacts !== undefined && facts.engagedContacts < condition.minEngagedContacts)
    return false;
  if (condition.minEngagedRoles !== undefined && facts.engagedRoles < condition.minEngagedRoles) return false;
  if (condition.events) {
    const from = since?.getTime() ?? 0;
    const types = new Set<string>(condition.events);
    const hit = facts.recentEvents.some((e) => types.has(e.type) && new Date(e.occurredAt).getTime() >= from);
    if (!hit) return false;
  }
  return true;
}
