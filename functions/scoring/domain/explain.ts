/** Explainable scores: the recent contributors of an account's score. */
import type { EngagementType, Role } from '../../kernel/model';
import { DEFAULT_SCORING_CONFIG, resolveScoringConfig, type ResolvedScoringConfig } from './defaults';
import { decay, scoreAt } from './fold';
import type { ScoreState } from './state';

export interface ContributorView {
  eventId: string;
  type: EngagementType;
  occurredAt: string;
  contactId?: string;
  role?: Role;
  /** weight x role multiplier, undecayed */
  weight: number;
  /** the weight decayed to `now` */
  value: number;
}

export interface ScoreExplanation {
  value: number;
  asOf: string | null;
  stage: string;
  contributors: ContributorView[];
}

const DEFAULT_RESOLVED = resolveScoringConfig(DEFAULT_SCORING_CONFIG);

/** For GET /accounts/{id}: the score decayed to `now` and its biggest contributors (largest value first). */
export function explainScore(
  state: ScoreState | undefined,
  now: Date,
  config: ResolvedScoringConfig = DEFAULT_RESOLVED,
): ScoreExplanation {
  if (!state || state.asOf === undefined) {
    return { value: 0, asOf: null, stage: state?.stage ?? 'target', contributors: [] };
  }
  const t = Math.max(now.getTime(), state.asOf);
  return {
    value: scoreAt(state, t, config.halfLifeMs),
    asOf: new Date(t).toISOString(),
    stage: state.stage,
    contributors: state.contributors.map((c) => ({
      eventId: c.eventId,
      type: c.type,
      occurredAt: new Date(c.at).toISOString(),
      ...(c.contactId ? { contactId: c.contactId } : {}),
      ...(c.role ? { role: c.role } : {}),
      weight: c.weight,
      value: c.weight * decay(Math.max(0, t - c.at), config.halfLifeMs),
    })),
  };
}
