/**
 * The scorer's per-account state (its type and schema are shared: functions/kernel/score.ts) and
 * the pure helpers that build and extend it.
 */
import type { EngagementType, Role, Stage } from '../../kernel/model';
import { SCORE_STAGES, type ScorePoint, type ScoreStage, type ScoreState } from '../../kernel/score';

export {
  SCORE_STAGES,
  type Contributor,
  type ScorePoint,
  type ScoreStage,
  type ScoreState,
} from '../../kernel/score';

export const SCORE_HISTORY_MAX = 60;

/** The history with one more point: a point at the same time replaces it; bounded, oldest dropped. */
export function appendScorePoint(
  history: readonly ScorePoint[] | undefined,
  point: ScorePoint,
  max: number = SCORE_HISTORY_MAX,
): ScorePoint[] {
  const kept = (history ?? []).filter((p) => p.at !== point.at);
  const next = [...kept, point].sort((a, b) => a.at - b.at);
  return next.length > max ? next.slice(next.length - max) : next;
}

export function emptyScoreState(accountId: string, stage: Stage = 'target'): ScoreState {
  const scoreStage: ScoreStage = (SCORE_STAGES as readonly string[]).includes(stage)
    ? (stage as ScoreStage)
    : 'target';
  return {
    accountId,
    score: 0,
    seen: {},
    dedupFloor: 0,
    contacts: {},
    lastByType: {},
    contributors: [],
    scoreStage,
    stage,
    engagedContacts: [],
    engagedRoles: [],
    history: [],
    eventsApplied: 0,
    duplicatesIgnored: 0,
    staleIgnored: 0,
  };
}

/** A normalised engagement event as the fold sees it. */
export interface ScoringEvent {
  eventId: string;
  type: EngagementType;
  /** epoch ms */
  at: number;
  contactId?: string;
  role?: Role;
  properties: Record<string, unknown>;
}
