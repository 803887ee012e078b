/** Campaign progress and the campaign report: what the reports feature answers and the API documents. */
import * as z from 'zod';
import { CampaignStatus, Id } from '../kernel/model';

/**
 * What a step of a campaign did: its touches by ledger status, each touch in exactly one counter
 * (their sum is the step's touches in the ledger).
 */
const StepProgress = z.object({
  stepId: z.string(),
  channel: z.string().nullable(),
  sent: z.number().int(),
  skipped: z.number().int(),
  failed: z.number().int(),
  /** Waiting for a later time (a frequency cap, the sending circuit). */
  deferred: z.number().int(),
  /** Handed over to the provider without an answer: may have gone out; never sent again. */
  uncertain: z.number().int(),
  /** Claimed or handing over right now (no outcome yet). */
  inFlight: z.number().int(),
});

/** A campaign's progress (GET /campaigns/{id}). */
export const CampaignView = z
  .object({
    campaignId: Id,
    name: z.string(),
    sequenceId: Id,
    version: z.number().int(),
    status: CampaignStatus,
    holdoutPercent: z.number(),
    enrolled: z.number().int(),
    heldOut: z.number().int(),
    byStatus: z.record(z.string(), z.number().int()),
    /**
     * Where the active (running, waiting, paused) enrollments are: how many at each step id (the
     * step their execution is at; one that has not run a step yet counts at the first step).
     */
    byStep: z.record(z.string(), z.number().int()),
    steps: z.array(StepProgress),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Campaign' });

/** A 95% interval; rates as fractions, lifts in percentage points. */
const Ci95 = z.object({ lower: z.number(), upper: z.number() });
const Rate = z.object({
  /** The sample size: accounts in the group. */
  accounts: z.number().int(),
  engaged: z.number().int(),
  mqa: z.number().int(),
  engagementRate: z.number(),
  mqaRate: z.number(),
  /** Wilson score intervals of the two rates (functions/kernel/stats.ts). */
  engagementRateCi95: Ci95,
  mqaRateCi95: Ci95,
});
/** Treated minus holdout, in percentage points, with Newcombe's hybrid score interval. */
const LiftPoints = z.object({ value: z.number(), ci95: Ci95 }).nullable();
export const CampaignReport = z
  .object({
    campaignId: Id,
    sequenceId: Id,
    version: z.number().int(),
    enrolled: z.number().int(),
    heldOut: z.number().int(),
    steps: z.array(StepProgress.extend({ skippedByReason: z.record(z.string(), z.number().int()) })),
    coverage: z.object({
      reached: z.number().int(),
      committee: z.number().int(),
      ratio: z.number(),
      byRole: z.record(
        z.string(),
        z.object({ reached: z.number().int(), committee: z.number().int(), ratio: z.number() }),
      ),
    }),
    accountsEngaged: z.number().int(),
    mqa: z.number().int(),
    treated: Rate,
    holdout: Rate,
    lift: z.object({
      /** Relative lift (treated - holdout) / holdout; null when the holdout rate is 0 or there is no holdout. */
      engagement: z.number().nullable(),
      mqa: z.number().nullable(),
      engagementPoints: z.number(),
      mqaPoints: z.number(),
      /** Null without a holdout. */
      engagementRate: LiftPoints,
      mqaRate: LiftPoints,
      /**
       * The smallest lift (percentage points) these group sizes detect at alpha 0.05 and power 0.8,
       * around the holdout's engagement rate (null without a holdout).
       */
      minimumDetectableLift: z.number().nullable(),
      /** Why the lift does not conclude, in plain words; absent when it does. */
      note: z.string().optional(),
    }),
    /**
     * Score over time per treated account (the CLI's `report --html` chart): at most
     * REPORT_SCORE_HISTORY_ACCOUNTS accounts (by account id), each with up to 60 points, oldest first.
     */
    scoreHistory: z.array(
      z.object({
        accountId: Id,
        points: z.array(z.object({ at: z.iso.datetime({ offset: true }), value: z.number() })),
      }),
    ),
    generatedAt: z.string(),
  })
  .meta({ id: 'CampaignReport' });
export type CampaignReport = z.infer<typeof CampaignReport>;

/** A campaign as GET /campaigns lists it: its own counters and how far its enrollments are. */
export const CampaignSummary = z
  .object({
    campaignId: Id,
    name: z.string(),
    status: CampaignStatus,
    sequenceId: Id,
    /** The sequence version the campaign runs. */
    version: z.number().int(),
    programId: Id.optional(),
    holdoutPercent: z.number(),
    enrolled: z.number().int(),
    heldOut: z.number().int(),
    progress: z.object({
      /** Enrollments still running, waiting or paused (counted on the index of active enrollments). */
      active: z.number().int(),
      /** True when the count stopped at its bound (there may be more active). */
      activeCapped: z.boolean(),
      /** Enrolled minus active: completed, exited, stopped or failed. */
      finished: z.number().int(),
      /** finished / enrolled, in percent (one decimal). */
      percent: z.number(),
    }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'CampaignSummary' });

export const CampaignList = z
  .object({ items: z.array(CampaignSummary), cursor: z.string().nullable() })
  .meta({ id: 'CampaignList' });
export type CampaignList = z.infer<typeof CampaignList>;
