/**
 * The default scoring configuration (DESIGN 2.4) and its schema. Pure: no I/O.
 *
 * Defaults are chosen so that (checked by test/scoring/domain.test.ts):
 * - meetings booked by three different roles of one committee make an account MQA, whatever
 *   the three roles (worst case blocker + end user + influencer: (0.5 + 0.8 + 1.0) x 40 = 92 >= 60);
 * - web visits alone never do: a web visit does not make a contact "engaged", and MQA needs
 *   engaged contacts and roles, so no number of visits reaches it.
 */
import * as z from 'zod';
import { EngagementType, IsoDuration, Role, Stage } from '../../kernel/model';
import { durationMillis } from '../../kernel/duration';

const Thresholds = z
  .object({
    minScore: z.number().nonnegative(),
    minEngagedContacts: z.number().int().nonnegative(),
    minEngagedRoles: z.number().int().nonnegative(),
  })
  .strict();
export type Thresholds = z.infer<typeof Thresholds>;

export const ScoringConfigSchema = z
  .object({
    /** Score half-life: an event's contribution halves every halfLife. */
    halfLife: IsoDuration,
    /** A contact engaged "recently" when its last engaging event is inside this window. */
    engagedWindow: IsoDuration,
    /** Base weight per engagement type (before the role multiplier). */
    weights: z.record(EngagementType, z.number()),
    /** A web visit to a page matching this (case-insensitive regex source) weighs `pricingPageWeight`. */
    pricingPagePattern: z.string().min(1),
    pricingPageWeight: z.number(),
    /** sdr.call_logged and meeting.booked weights by `properties.outcome` (override the type weight). */
    outcomeWeights: z.record(z.string(), z.number()),
    /** intent.surge: weight x strength, strength in [0, 1] (a value above 1 is read as a percentage). */
    roleMultipliers: z.record(Role, z.number().nonnegative()),
    /** Multiplier when the event names no contact (or the contact's role is unknown). */
    unknownRoleMultiplier: z.number().nonnegative(),
    /** Event types that make their contact "engaged" (when their weight is positive). */
    engagingTypes: z.array(EngagementType),
    engaged: Thresholds,
    mqa: Thresholds,
    /** Hysteresis: a stage is kept while the score stays at or above ratio x its minScore. */
    exitRatio: z.number().gt(0).max(1),
    /** crm.stage_changed `properties.stage` -> account stage. Unmapped values are ignored. */
    crmStages: z.record(z.string(), Stage),
    /** Dedup memory: ids of events within this horizon of the newest event are kept in the state item. */
    dedupHorizon: IsoDuration,
    /** Hard cap on remembered ids (the item must stay far below 400 KB). */
    maxSeenIds: z.number().int().min(100).max(8000),
    /** Contributors kept for explanations. */
    maxContributors: z.number().int().min(1).max(200),
    /** Owner of hot-account tasks when the account has no ownerSdr. */
    defaultTaskOwner: z.string().min(1),
  })
  .strict();
export type ScoringConfig = z.infer<typeof ScoringConfigSchema>;

export const DEFAULT_SCORING_CONFIG: ScoringConfig = {
  halfLife: 'P14D',
  engagedWindow: 'P30D',
  weights: {
    'email.sent': 0,
    'email.delivered': 0,
    'email.opened': 1,
    'email.clicked': 4,
    'email.replied': 12,
    'email.bounced': 0,
    'email.complained': -15,
    'email.rejected': 0,
    'web.visit': 1,
    'ad.clicked': 2,
    'intent.surge': 8,
    'meeting.booked': 40,
    'sdr.call_logged': 3,
    'direct_mail.delivered': 1,
    'crm.stage_changed': 0,
  },
  pricingPagePattern: 'pricing',
  pricingPageWeight: 4,
  outcomeWeights: {
    connected: 8,
    meeting_booked: 40,
    voicemail: 0,
    no_answer: 0,
    not_interested: -5,
    bad_number: 0,
  },
  roleMultipliers: {
    economic_buyer: 1.5,
    champion: 1.3,
    technical_evaluator: 1.2,
    influencer: 1.0,
    end_user: 0.8,
    blocker: 0.5,
  },
  unknownRoleMultiplier: 0.7,
  engagingTypes: ['email.clicked', 'email.replied', 'meeting.booked', 'sdr.call_logged'],
  engaged: { minScore: 10, minEngagedContacts: 0, minEngagedRoles: 0 },
  mqa: { minScore: 60, minEngagedContacts: 3, minEngagedRoles: 3 },
  exitRatio: 0.8,
  crmStages: {
    opportunity: 'opportunity',
    opportunity_created: 'opportunity',
    customer: 'customer',
    closed_won: 'customer',
    disqualified: 'disqualified',
    closed_lost: 'disqualified',
    // "Recycled": back to nurture; the score decides target/engaged/mqa again.
    target: 'target',
    recycled: 'target',
  },
  dedupHorizon: 'P90D',
  maxSeenIds: 5000,
  maxContributors: 25,
  defaultTaskOwner: 'unassigned',
};

/** The configuration with millisecond durations resolved once. */
export interface ResolvedScoringConfig extends ScoringConfig {
  halfLifeMs: number;
  engagedWindowMs: number;
  dedupHorizonMs: number;
  pricingPageRegex: RegExp;
}

export function resolveScoringConfig(config: ScoringConfig): ResolvedScoringConfig {
  const halfLifeMs = durationMillis(config.halfLife);
  if (halfLifeMs <= 0) throw new Error('scoring config: halfLife must be positive');
  return {
    ...config,
    halfLifeMs,
    engagedWindowMs: durationMillis(config.engagedWindow),
    dedupHorizonMs: durationMillis(config.dedupHorizon),
    pricingPageRegex: new RegExp(config.pricingPagePattern, 'i'),
  };
}

/** Deep-ish merge of overrides (e.g. `mqa` thresholds from cdk.json) over the defaults, validated. */
export function scoringConfig(overrides: unknown = {}): ResolvedScoringConfig {
  const o = (overrides ?? {}) as Record<string, unknown>;
  const merged: Record<string, unknown> = { ...DEFAULT_SCORING_CONFIG, ...o };
  for (const key of [
    'weights',
    'outcomeWeights',
    'roleMultipliers',
    'engaged',
    'mqa',
    'crmStages',
  ] as const) {
    if (o[key] && typeof o[key] === 'object')
      merged[key] = { ...DEFAULT_SCORING_CONFIG[key], ...(o[key] as object) };
  }
  const parsed = ScoringConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`invalid scoring config: ${issues}`);
  }
  return resolveScoringConfig(parsed.data);
}
