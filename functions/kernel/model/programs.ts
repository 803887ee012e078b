/**
 * Always-on programs (programmatic ABM, docs/api.md "Programs"): a trigger, an audience filter, a
 * sequence and a re-entry rule. A firing trigger enrolls the account once per trigger event. Pure.
 */
import * as z from 'zod';
import { Id, IsoTimestamp, Stage } from './basics';
import { IsoDuration, Tier } from './fields';
import { LABEL_MAX, NAME_MAX } from './limits';

const Strength = z.number().min(0).max(100);
const Labels = z.array(z.string().min(1).max(LABEL_MAX)).max(50);

export const ProgramTrigger = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('intent.surge'),
      /** An intent surge (engagement `intent.surge`) at least this strong (0-100). */
      minStrength: Strength.default(0),
      /** Only surges on one of these topics; any topic when absent. */
      topics: Labels.min(1).optional(),
    })
    .strict(),
  z.object({ type: z.literal('stage.entered'), stage: Stage }).strict(),
  z
    .object({
      type: z.literal('account.imported'),
      /** Imported or updated into one of these tiers (any tier when absent). */
      tiers: z.array(Tier).min(1).max(3).optional(),
      /** ... or clusters (any cluster when absent). */
      clusters: Labels.min(1).optional(),
    })
    .strict(),
  z.object({ type: z.literal('score.crossed'), minScore: z.number().min(0).max(10_000) }).strict(),
  z
    .object({
      type: z.literal('crm.stage_changed'),
      /** The account's stage after the CRM change (the mapped stage of `crm.stage_changed`). */
      stage: z.string().min(1).max(LABEL_MAX),
    })
    .strict(),
]);
export type ProgramTrigger = z.infer<typeof ProgramTrigger>;
export const PROGRAM_TRIGGER_TYPES = ProgramTrigger.options.map((o) => o.shape.type.value);

/** Which accounts a program takes: every list empty or absent means any. */
export const ProgramAudience = z
  .object({
    tiers: z.array(Tier).max(3).default([]),
    clusters: Labels.default([]),
    industries: Labels.default([]),
    /** The account's fit score at least this (0-100). */
    minFit: z.number().min(0).max(100).default(0),
  })
  .strict();
export type ProgramAudience = z.infer<typeof ProgramAudience>;

/**
 * When an account that went through the program may enter again: `once` never; `after` a cooldown
 * from its last entry; `exclusive` never while it is enrolled in an exclusive sequence elsewhere.
 * An account is never in the program twice at once.
 */
export const ProgramReentry = z.union([
  z.object({ once: z.literal(true) }).strict(),
  z.object({ after: IsoDuration }).strict(),
  z.object({ exclusive: z.literal(true) }).strict(),
]);
export type ProgramReentry = z.infer<typeof ProgramReentry>;

export const PROGRAM_STATUSES = ['active', 'paused'] as const;
export const ProgramStatus = z.enum(PROGRAM_STATUSES);

export const ProgramInput = z
  .object({
    name: z.string().min(1).max(NAME_MAX),
    sequenceId: Id,
    trigger: ProgramTrigger,
    audience: ProgramAudience.default({ tiers: [], clusters: [], industries: [], minFit: 0 }),
    reentry: ProgramReentry.default({ once: true }),
    status: ProgramStatus.default('active'),
  })
  .strict();
export type ProgramInput = z.input<typeof ProgramInput>;

export const Program = ProgramInput.extend({
  programId: Id,
  /** The sequence version new entries run (the latest when the program was saved). */
  sequenceVersion: z.number().int().positive(),
  /** Accounts entered so far (every entry counts, re-entries too). */
  entries: z.number().int().nonnegative().default(0),
  version: z.number().int().positive(),
  createdAt: IsoTimestamp,
  updatedAt: IsoTimestamp,
});
export type Program = z.infer<typeof Program>;

/** The campaign a program's enrollments belong to (its report is that campaign's). */
export const programCampaignId = (programId: string): string => `program-${programId}`;
