/**
 * The launch's request and response (POST /campaigns): the API validates and documents them; the
 * launch service speaks them.
 */
import * as z from 'zod';
import { TouchForecast } from '../kernel/forecast';
import { CampaignAudience, CampaignStatus, decimal, Id, NAME_MAX } from '../kernel/model';

export const LaunchBody = z
  .object({
    campaignId: Id.optional(),
    name: z.string().min(1).max(NAME_MAX),
    sequenceId: Id,
    version: z.number().int().positive().optional(),
    audience: CampaignAudience,
    holdoutPercent: decimal(0, 90).optional(),
    dryRun: z.boolean().optional(),
    /** Launch even when the forecast costs more than `config.launch.maxUsd` (else 409 `over_budget`). */
    confirm: z.boolean().optional(),
  })
  .strict()
  .meta({ id: 'LaunchRequest' });
export type LaunchBody = z.infer<typeof LaunchBody>;

export const SKIP_REASONS = [
  'not_found',
  'suppressed',
  'already_enrolled',
  'in_exclusive_sequence',
  'stage_excluded',
  /** Held out of another active campaign: enrolling it would spoil that campaign's lift. */
  'held_out_elsewhere',
  /** The campaign was stopped while it was being launched. */
  'campaign_stopped',
] as const;
export const SkipReason = z.enum(SKIP_REASONS);
export type SkipReason = z.infer<typeof SkipReason>;

/**
 * The smallest engagement lift (percentage points) this audience and holdout can detect at
 * two-sided alpha 0.05 and power 0.8 (null without a holdout), around `baselineRate`: the share of
 * the planned accounts already engaged or later (50% when that share is 0 or 1).
 */
export const MinimumDetectableLift = z.object({
  points: z.number().nullable(),
  baselineRate: z.number(),
  treated: z.number().int(),
  holdout: z.number().int(),
});

/** The launch forecast: the touch forecast of the treated accounts and the lift the holdout can detect. */
export const LaunchForecast = TouchForecast.extend({ minimumDetectableLift: MinimumDetectableLift }).meta({
  id: 'LaunchForecast',
});
export type LaunchForecast = z.infer<typeof LaunchForecast>;

export const LaunchResult = z
  .object({
    campaignId: Id,
    status: CampaignStatus,
    dryRun: z.boolean(),
    /** `inline`: enrolled before answering; `launcher`: handed to the launcher state machine (counts are planned). */
    mode: z.enum(['inline', 'launcher', 'dry_run']),
    sequenceId: Id,
    version: z.number().int().positive(),
    audienceSize: z.number().int().nonnegative(),
    enrolled: z.number().int().nonnegative(),
    heldOut: z.number().int().nonnegative(),
    /** The first 1,000 skipped accounts (`skippedTruncated` when there were more). */
    skipped: z.array(z.object({ accountId: z.string(), reason: SkipReason })),
    /** Every skipped account, counted (the list above may be truncated). */
    skippedTotal: z.number().int().nonnegative(),
    skippedByReason: z.partialRecord(SkipReason, z.number().int().nonnegative()),
    skippedTruncated: z.boolean(),
    /** Dry run only: the accounts that would be enrolled and held out (first 1,000). */
    wouldEnroll: z.array(z.string()).optional(),
    wouldHoldOut: z.array(z.string()).optional(),
    /** Dry run only: `forecast.minimumDetectableLift`, also here for the clients that read it here. */
    minimumDetectableLift: MinimumDetectableLift.optional(),
    /** Dry run only: what the treated accounts would receive if nobody engaged (docs/api.md "Forecast"). */
    forecast: LaunchForecast.optional(),
  })
  .meta({ id: 'LaunchResult' });
export type LaunchResult = z.infer<typeof LaunchResult>;
