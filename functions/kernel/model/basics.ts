/**
 * The domain model, one file per aggregate (kernel/model.ts re-exports them all). These zod schemas
 * are the one source of the domain's types: every type is inferred from a schema. Pure: no AWS
 * imports, no I/O.
 *
 * This file: what every aggregate, the engine's plan and the score share (roles, stages, engagement
 * types, ids, timestamps, conditions). Fields of particular aggregates are in fields.ts.
 */
import * as z from 'zod';
import { decimal, ID_MAX, SCORE_MAX } from './limits';
import { ROLES, STAGES } from './vocabulary';

export { ROLES, STAGES };

// ---------------------------------------------------------------------------
// Enumerations
// ---------------------------------------------------------------------------

/** The ad platforms an ABM team connects (functions/kernel/ads-providers.ts: their settings). */
export const ADS_PROVIDERS = ['linkedin', 'google', 'meta'] as const;
export type AdsProvider = (typeof ADS_PROVIDERS)[number];

/** What an ads step reaches: the committee's contacts, the account as a company, or both. */
export const ADS_TARGETS = ['contacts', 'companies', 'both'] as const;
export type AdsTarget = (typeof ADS_TARGETS)[number];

export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

export const Stage = z.enum(STAGES);
export type Stage = z.infer<typeof Stage>;
/** Stages a report counts as engaged: engaged or later, not disqualified. */
export const ENGAGED_OR_LATER: ReadonlySet<string> = new Set<Stage>([
  'engaged',
  'mqa',
  'opportunity',
  'customer',
]);

export const ENGAGEMENT_TYPES = [
  'email.sent',
  'email.delivered',
  'email.opened',
  'email.clicked',
  'email.replied',
  'email.bounced',
  'email.complained',
  'email.rejected',
  'web.visit',
  'ad.clicked',
  'intent.surge',
  'meeting.booked',
  'sdr.call_logged',
  'direct_mail.delivered',
  'crm.stage_changed',
  /** A form fill for gated content (a white paper, a report). */
  'content.downloaded',
  /** Ad impressions for the account as a company, as ad platforms report them per company. */
  'ad.impression',
  /** An event or webinar: registered, and attended. */
  'event.registered',
  'event.attended',
] as const;
export const EngagementType = z.enum(ENGAGEMENT_TYPES);
export type EngagementType = z.infer<typeof EngagementType>;

// ---------------------------------------------------------------------------
// Primitives
// ---------------------------------------------------------------------------

/** Identifiers travel in URLs, DynamoDB keys and Step Functions execution names. */
export const Id = z
  .string()
  .min(1)
  .max(ID_MAX, { abort: true })
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'use letters, digits, ".", "_" or "-" (max 64)');

export const IsoTimestamp = z.iso.datetime({ offset: true });

/** A condition on the account at the time it is evaluated. All given parts must hold. */
export const Condition = z
  .object({
    minScore: decimal(-SCORE_MAX, SCORE_MAX).optional(),
    maxScore: decimal(-SCORE_MAX, SCORE_MAX).optional(),
    stages: z.array(Stage).min(1).max(STAGES.length).optional(),
    notStages: z.array(Stage).min(1).max(STAGES.length).optional(),
    minEngagedContacts: z.number().int().positive().optional(),
    minEngagedRoles: z.number().int().positive().optional(),
    /** An engagement event of one of these types arrived since the step started. */
    events: z.array(EngagementType).min(1).max(ENGAGEMENT_TYPES.length).optional(),
  })
  .strict();
export type Condition = z.infer<typeof Condition>;
