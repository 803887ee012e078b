/**
 * The account's score state: what the scorer keeps per account in the SCORE item of the account
 * partition, and what the engine (conditions) and the API (the account view, reports) read back
 * through the one codec in functions/platform/store/scores.ts. Times are epoch milliseconds
 * (numbers fold and compare cheaply); `asOf` is also mirrored as ISO in the item for humans.
 *
 * Every field is a commutative fold of the events seen (sum, max, top-N by a time-invariant key,
 * set union), so the order in which events arrive never changes the result (functions/scoring).
 */
import * as z from 'zod';
import { EngagementType, Role, Stage } from './model';

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

/**
 * When a positive value at time `at` (epoch ms) has decayed to 1 with this half-life:
 * value * 2^-((t - at) / halfLife) = 1 at t = at + halfLife * log2(value). The score item is indexed
 * by it (functions/platform/store/keys.ts, scoreDecayItem), and a score is below `floor` at `now`
 * exactly when its time is before decaysToOneAt(floor, now, halfLife).
 */
export const decaysToOneAt = (value: number, at: number, halfLifeMs: number): number =>
  at + halfLifeMs * Math.log2(value);

export interface ScorePoint {
  /** epoch ms */
  at: number;
  value: number;
}

const ContributorSchema = z.object({
  eventId: z.string(),
  type: EngagementType,
  at: z.number(),
  occurredAt: z.string(),
  contactId: z.string().optional(),
  role: Role.optional(),
  weight: z.number(),
});

export const ScoreStateSchema = z.object({
  accountId: z.string(),
  score: z.number(),
  asOf: z.number().optional(),
  latestAt: z.number().optional(),
  /** Stored beside the state as the `seenIds` JSON string (see store.ts); {} when read without it. */
  seen: z.record(z.string(), z.number()).default({}),
  dedupFloor: z.number(),
  contacts: z.record(z.string(), z.object({ at: z.number(), role: Role.optional() })),
  lastByType: z.partialRecord(EngagementType, z.number()),
  contributors: z.array(ContributorSchema),
  crm: z.object({ stage: Stage, at: z.number(), eventId: z.string() }).optional(),
  scoreStage: z.enum(SCORE_STAGES),
  stage: Stage,
  stageChangedAt: z.number().optional(),
  engagedContacts: z.array(z.string()).default([]),
  engagedRoles: z.array(Role).default([]),
  history: z.array(z.object({ at: z.number(), value: z.number() })).default([]),
  eventsApplied: z.number(),
  duplicatesIgnored: z.number(),
  staleIgnored: z.number(),
  futureIgnored: z.number().optional(),
});
