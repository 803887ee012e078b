/**
 * The scoring configuration's schema and the validation of overrides (defaults: defaults.ts).
 * Pure: no I/O.
 *
 * Defaults are chosen so that (checked by test/scoring/domain.test.ts):
 * - meetings booked by three different roles of one committee make an account MQA, whatever
 *   the three roles (worst case blocker + end user + influencer: (0.5 + 0.8 + 1.0) x 40 = 92 >= 60);
 * - web visits alone never do: a web visit does not make a contact "engaged", and MQA needs
 *   engaged contacts and roles, so no number of visits reaches it.
 */
import * as z from 'zod';
import { EngagementType, IsoDuration, Role, Stage } from '../../kernel/model';
import { DEFAULT_SCORING_CONFIG, resolveScoringConfig, type ResolvedScoringConfig } from './defaults';

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

export { DEFAULT_SCORING_CONFIG, resolveScoringConfig, type ResolvedScoringConfig } from './defaults';

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
