/**
 * What a person is shown of an account's score state (GET /accounts/{id}, `abm accounts get`): the
 * score decayed to now with the time it is as of, and why the account is (not) MQA: its progress
 * against each MQA threshold, computed as the scorer computes its stage (engagementAt at the
 * evaluation time).
 *
 * The API reads only the part of the scoring configuration it shows (`readoutConfig`), merged over
 * the defaults as `scoringConfig` merges it; the whole configuration with its schema would weigh
 * 2.5 KB in the API's bundle, and it is validated where it is used to score (at synthesis and at the
 * scorer's cold start).
 */
import { durationMillis } from '../../kernel/duration';
import type { EngagementType, Role } from '../../kernel/model';
import type { ScoringConfig, Thresholds } from './config';
import {
  DEFAULT_ENGAGED_WINDOW,
  DEFAULT_ENGAGEMENT_WINDOWS,
  DEFAULT_ENGAGING_TYPES,
  DEFAULT_EXIT_RATIO,
  DEFAULT_MQA,
  type EngagementWindows,
} from './defaults';
import { engagementAt, evaluationTime } from './stage';
import type { ScoreState } from './state';

/** The configuration a reader of the score state shows: decay, engaged window, MQA thresholds. */
export interface ReadoutConfig extends EngagementWindows {
  engagedWindow: string;
  mqa: Thresholds;
  exitRatio: number;
  engagingTypes: readonly EngagementType[];
}

/** The readout's part of the scoring overrides (the shape of cdk.json's scoring config), over the defaults. */
export function readoutConfig(overrides: unknown = {}): ReadoutConfig {
  const o = (overrides ?? {}) as Partial<ScoringConfig>;
  return {
    halfLifeMs: o.halfLife ? durationMillis(o.halfLife) : DEFAULT_ENGAGEMENT_WINDOWS.halfLifeMs,
    engagedWindowMs: o.engagedWindow
      ? durationMillis(o.engagedWindow)
      : DEFAULT_ENGAGEMENT_WINDOWS.engagedWindowMs,
    engagedWindow: o.engagedWindow ?? DEFAULT_ENGAGED_WINDOW,
    mqa: { ...DEFAULT_MQA, ...o.mqa },
    exitRatio: o.exitRatio ?? DEFAULT_EXIT_RATIO,
    engagingTypes: o.engagingTypes ?? DEFAULT_ENGAGING_TYPES,
  };
}

export interface Progress {
  value: number;
  threshold: number;
  met: boolean;
}

export interface MqaProgress {
  /** The evaluation time (ISO): now, or the newest event when it is dated after now. */
  asOf: string;
  /** Every threshold met now. */
  met: boolean;
  score: Progress;
  /** Contacts with an engaging event inside the engaged window. */
  engagedContacts: Progress;
  /** Distinct roles among the engaged contacts. */
  engagedRoles: Progress & { roles: Role[] };
  /** Hysteresis: an account already MQA stays MQA while its score is at or above this. */
  keptAtScore: number;
  /** The event types that make their contact engaged (with a positive weight). */
  engagingTypes: EngagementType[];
  /** ISO 8601 duration: how far back an engaging event counts. */
  engagedWindow: string;
}

const round = (x: number): number => Math.round(x * 1e6) / 1e6;

const progress = (value: number, threshold: number): Progress => ({
  value: round(value),
  threshold,
  met: value >= threshold,
});

/**
 * The progress towards MQA at `now`; its `score.value` is the score decayed to `asOf` (the
 * evaluation time), as the scorer decays it to decide the stage.
 */
export function mqaProgress(state: ScoreState | undefined, now: Date, config: ReadoutConfig): MqaProgress {
  const at = state ? evaluationTime(state, now.getTime()) : now.getTime();
  const e = state
    ? engagementAt(state, at, config)
    : { score: 0, engagedContacts: [], engagedRoles: [] as Role[] };
  const score = progress(e.score, config.mqa.minScore);
  const contacts = progress(e.engagedContacts.length, config.mqa.minEngagedContacts);
  const roles = progress(e.engagedRoles.length, config.mqa.minEngagedRoles);
  return {
    asOf: new Date(at).toISOString(),
    met: score.met && contacts.met && roles.met,
    score,
    engagedContacts: contacts,
    engagedRoles: { ...roles, roles: e.engagedRoles },
    keptAtScore: round(config.mqa.minScore * config.exitRatio),
    engagingTypes: [...config.engagingTypes],
    engagedWindow: config.engagedWindow,
  };
}
