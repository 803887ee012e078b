/**
 * The domain model, one file per aggregate (kernel/model.ts re-exports them all). These zod schemas
 * are the one source of the domain's types: every type is inferred from a schema. Pure: no AWS
 * imports, no I/O.
 */
import * as z from 'zod';
import { parseDuration } from '../duration';

// ---------------------------------------------------------------------------
// Enumerations
// ---------------------------------------------------------------------------

export const ROLES = [
  'economic_buyer',
  'technical_evaluator',
  'champion',
  'end_user',
  'blocker',
  'influencer',
] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

export const STAGES = ['target', 'engaged', 'mqa', 'opportunity', 'customer', 'disqualified'] as const;
export const Stage = z.enum(STAGES);
export type Stage = z.infer<typeof Stage>;

export const Tier = z.union([z.literal(1), z.literal(2), z.literal(3)], {
  error: 'tier is 1 (1:1 strategic), 2 (1:few clusters) or 3 (1:many programmatic)',
});
export type Tier = z.infer<typeof Tier>;

export const CHANNELS = ['email', 'ads', 'sdr_task', 'direct_mail'] as const;
export const Channel = z.enum(CHANNELS);
export type Channel = z.infer<typeof Channel>;

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export const Weekday = z.enum(WEEKDAYS);
export type Weekday = z.infer<typeof Weekday>;

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
] as const;
export const EngagementType = z.enum(ENGAGEMENT_TYPES);
export type EngagementType = z.infer<typeof EngagementType>;

export const SDR_OUTCOMES = [
  'connected',
  'voicemail',
  'no_answer',
  'meeting_booked',
  'not_interested',
  'bad_number',
] as const;
export const SdrOutcome = z.enum(SDR_OUTCOMES);
export type SdrOutcome = z.infer<typeof SdrOutcome>;

// ---------------------------------------------------------------------------
// Primitives
// ---------------------------------------------------------------------------

/** Identifiers travel in URLs, DynamoDB keys and Step Functions execution names. */
export const Id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'use letters, digits, ".", "_" or "-" (max 64)');

export const IsoTimestamp = z.iso.datetime({ offset: true });

/** An ISO 8601 duration such as P3D, PT4H or P1W, never negative. */
export const IsoDuration = z.string().superRefine((value, ctx) => {
  const parsed = parseDuration(value);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.error });
});

/** An IANA time zone the runtime knows (Intl, so no date library is needed to validate one). */
export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return tz.length > 0;
  } catch {
    return false;
  }
}

export const TimeZone = z
  .string()
  .refine(isValidTimeZone, { message: 'not an IANA time zone (e.g. Europe/Berlin)' });

export const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use HH:MM (24-hour)');

export const Email = z.string().trim().toLowerCase().pipe(z.email());

/** A condition on the account at the time it is evaluated. All given parts must hold. */
export const Condition = z
  .object({
    minScore: z.number().optional(),
    maxScore: z.number().optional(),
    stages: z.array(Stage).min(1).optional(),
    notStages: z.array(Stage).min(1).optional(),
    minEngagedContacts: z.number().int().positive().optional(),
    minEngagedRoles: z.number().int().positive().optional(),
    /** An engagement event of one of these types arrived since the step started. */
    events: z.array(EngagementType).min(1).optional(),
  })
  .strict();
export type Condition = z.infer<typeof Condition>;
