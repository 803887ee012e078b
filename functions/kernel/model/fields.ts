/**
 * Field schemas of particular aggregates (accounts, sequences, touches, SDR tasks): the tier, the
 * channel, schedules, durations, time zones and emails. Apart from basics.ts, which holds what
 * every aggregate and the engine's plan use, because esbuild keeps every schema of a module it
 * bundles (building a schema is a call it cannot prove pure): a function that reads only
 * enrollments and scores (the park, the engagement enqueuer) then carries none of these.
 */
import * as z from 'zod';
import { parseDuration } from '../duration';
import { DURATION_MAX_DAYS, DURATION_TEXT_MAX, EMAIL_MAX, TIME_ZONE_MAX } from './limits';
import { SDR_OUTCOMES } from './vocabulary';

export { SDR_OUTCOMES };

// ---------------------------------------------------------------------------
// Enumerations
// ---------------------------------------------------------------------------

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

export const SdrOutcome = z.enum(SDR_OUTCOMES);
export type SdrOutcome = z.infer<typeof SdrOutcome>;

// ---------------------------------------------------------------------------
// Formats
// ---------------------------------------------------------------------------

/** An ISO 8601 duration such as P3D, PT4H or P1W, never negative, at most DURATION_MAX_DAYS. */
export const IsoDuration = z
  .string()
  .max(DURATION_TEXT_MAX, { abort: true })
  .superRefine((value, ctx) => {
    const parsed = parseDuration(value);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.error });
    else if (parsed.millis > DURATION_MAX_DAYS * 86_400_000)
      ctx.addIssue({
        code: 'custom',
        message: `at most ${DURATION_MAX_DAYS} days: a Step Functions Standard execution lasts at most one year`,
      });
  })
  .meta({ examples: ['P0D', 'PT4H', 'P3D', 'P1W'] });

/** Zones already found valid: building an Intl.DateTimeFormat costs far more than the lookup, and every contact read validates one. */
const KNOWN_ZONES = new Set<string>();
/** Bound on KNOWN_ZONES (the IANA database has about 600 names with their aliases). */
const KNOWN_ZONES_MAX = 2_000;

/** An IANA time zone the runtime knows (Intl, so no date library is needed to validate one). */
export function isValidTimeZone(tz: string): boolean {
  if (KNOWN_ZONES.has(tz)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    return false;
  }
  if (tz.length === 0) return false;
  if (KNOWN_ZONES.size < KNOWN_ZONES_MAX) KNOWN_ZONES.add(tz);
  return true;
}

export const TimeZone = z
  .string()
  .max(TIME_ZONE_MAX, { abort: true })
  .refine(isValidTimeZone, { message: 'not an IANA time zone (e.g. Europe/Berlin)' })
  .meta({ examples: ['UTC', 'America/New_York', 'Europe/Berlin', 'Asia/Tokyo'] });

export const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use HH:MM (24-hour)');

export const Email = z.string().trim().toLowerCase().max(EMAIL_MAX, { abort: true }).pipe(z.email());
