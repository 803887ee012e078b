/**
 * The stage machine (docs/architecture.md "Scoring"): target -> engaged -> mqa by thresholds on score, engaged contacts
 * and engaged roles, with hysteresis (a stage is kept while the score stays at or above
 * exitRatio x its minScore), so an account near a threshold does not flap. Opportunity, customer
 * and disqualified come only from CRM events and override the score stage while they last.
 */
import type { Role, Stage } from '../../kernel/model';
import type { ResolvedScoringConfig, Thresholds } from './config';
import type { EngagementWindows } from './defaults';
import { scoreAt } from './fold';
import type { ScoreStage, ScoreState } from './state';

export interface Engagement {
  /** Score at the evaluation time. */
  score: number;
  engagedContacts: string[];
  engagedRoles: Role[];
  /** Evaluation time, epoch ms. */
  at: number;
}

/** Evaluation time: now, but never before the newest event (a clock behind the events). */
export const evaluationTime = (state: ScoreState, now: number): number =>
  Math.max(now, state.latestAt ?? now);

export function engagementAt(state: ScoreState, at: number, config: EngagementWindows): Engagement {
  const from = at - config.engagedWindowMs;
  const contacts: string[] = [];
  const roles = new Set<Role>();
  for (const [id, c] of Object.entries(state.contacts)) {
    if (c.at >= from && c.at <= at) {
      contacts.push(id);
      if (c.role) roles.add(c.role);
    }
  }
  return {
    score: scoreAt(state, at, config.halfLifeMs),
    engagedContacts: contacts.sort(),
    engagedRoles: [...roles].sort(),
    at,
  };
}

const meets = (e: Engagement, t: Thresholds): boolean =>
  e.score >= t.minScore &&
  e.engagedContacts.length >= t.minEngagedContacts &&
  e.engagedRoles.length >= t.minEngagedRoles;

const keeps = (e: Engagement, t: Thresholds, ratio: number): boolean => e.score >= t.minScore * ratio;

/** The next score stage from the previous one. */
export function nextScoreStage(
  previous: ScoreStage,
  e: Engagement,
  config: ResolvedScoringConfig,
): ScoreStage {
  if (meets(e, config.mqa)) return 'mqa';
  if (previous === 'mqa' && keeps(e, config.mqa, config.exitRatio)) return 'mqa';
  if (meets(e, config.engaged)) return 'engaged';
  if ((previous === 'mqa' || previous === 'engaged') && keeps(e, config.engaged, config.exitRatio))
    return 'engaged';
  return 'target';
}

const CRM_ONLY: readonly Stage[] = ['opportunity', 'customer', 'disqualified'];

export function effectiveStage(scoreStage: ScoreStage, state: Pick<ScoreState, 'crm'>): Stage {
  const crm = state.crm?.stage;
  return crm && CRM_ONLY.includes(crm) ? crm : scoreStage;
}

export interface StageDecision {
  scoreStage: ScoreStage;
  stage: Stage;
  changed: boolean;
  reason: string;
}

export function decideStage(state: ScoreState, e: Engagement, config: ResolvedScoringConfig): StageDecision {
  const scoreStage = nextScoreStage(state.scoreStage, e, config);
  const stage = effectiveStage(scoreStage, state);
  const crm = state.crm?.stage;
  const reason =
    crm && CRM_ONLY.includes(crm)
      ? `crm stage ${crm}`
      : `score ${e.score.toFixed(1)}, ${e.engagedContacts.length} engaged contacts, ${e.engagedRoles.length} engaged roles`;
  return { scoreStage, stage, changed: stage !== state.stage, reason };
}
