/**
 * The scorer's per-account state: exactly what the SCORE item of the account partition holds
 * (besides pk/sk/version). Times are epoch milliseconds (numbers fold and compare cheaply);
 * `asOf` is also mirrored as ISO in the item for humans.
 *
 * Every field is a commutative fold of the events seen (sum, max, top-N by a time-invariant key,
 * set union), so the order in which events arrive never changes the result.
 */
import type { EngagementType, Role, Stage } from '../../kernel/model';

export const SCORE_STAGES = ['target', 'engaged', 'mqa'] as const;
export type ScoreStage = (typeof SCORE_STAGES)[number];

export interface Contributor {
  eventId: string;
  type: EngagementType;
  /** occurredAt, epoch ms. */
  at: number;
  /** occurredAt as ISO (readers outside the scorer, e.g. the engine's facts, read this). */
  occurredAt: string;
  contactId?: string;
  role?: Role;
  /** weight x role multiplier, undecayed. */
  weight: number;
}

export interface ScoreState {
  accountId: string;
  /** Score at `asOf` (decayed sum of every weighted event up to asOf). */
  score: number;
  /** Time the score is expressed at: the newest weighted event, epoch ms; undefined before any. */
  asOf?: number;
  /** Newest occurredAt of any event folded (weighted or not), epoch ms. */
  latestAt?: number;
  /** Dedup memory: eventId -> occurredAt for every event with occurredAt >= dedupFloor. */
  seen: Record<string, number>;
  /** Events older than this (epoch ms) are ignored as stale: their ids may have been forgotten. */
  dedupFloor: number;
  /** Per contact: last engaging event time and its role. */
  contacts: Record<string, { at: number; role?: Role }>;
  /** Newest occurredAt per event type (for `until.events` conditions). */
  lastByType: Partial<Record<EngagementType, number>>;
  /** Top contributors by |weight| x 2^(at / halfLife) (the order of decayed values at any time). */
  contributors: Contributor[];
  /** The latest CRM stage event (by occurredAt, then eventId). */
  crm?: { stage: Stage; at: number; eventId: string };
  /** Stage by score alone (with hysteresis). */
  scoreStage: ScoreStage;
  /** Effective stage: the CRM override (opportunity, customer, disqualified) or scoreStage. */
  stage: Stage;
  stageChangedAt?: number;
  /** Engaged contacts and roles at the last evaluation (a snapshot for readers; the scorer recomputes). */
  engagedContacts: string[];
  engagedRoles: Role[];
  /**
   * Score over time for reports: at most one point per fold (the score at the fold's evaluation
   * time), oldest first, capped at SCORE_HISTORY_MAX (oldest dropped). Optional: older items lack it.
   */
  history?: ScorePoint[];
  /** Counters over the life of the account (observability). */
  eventsApplied: number;
  duplicatesIgnored: number;
  staleIgnored: number;
  /** Events dated too far in the future, ignored (optional: older items lack it). */
  futureIgnored?: number;
}

export interface ScorePoint {
  /** epoch ms */
  at: number;
  value: number;
}

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
