import { Duration } from 'luxon';

export type ParsedDuration = { ok: true; millis: number; duration: Duration } | { ok: false; error: string };

/**
 * Parses an ISO 8601 duration (P3D, PT4H, P1W, P1DT12H). Calendar units (years, months)
 * are refused: "P1M" has no fixed length, and sequence waits must be exact.
 */
export function parseDuration(value: string): ParsedDuration {
  if (typeof value !== 'string' || value.trim() === '') return { ok: false, error: 'empty duration' };
  if (value.startsWith('-') || /-\d/.test(value)) {
    return { ok: false, error: `negative duration "${value}": waits cannot go back in time` };
  }
  const duration = Duration.fromISO(value);
  if (!duration.isValid) {
    return { ok: false, error: `"${value}" is not an ISO 8601 duration (e.g. P3D, PT4H, P1W)` };
  }
  if (duration.years || duration.months || duration.quarters) {
    return {
      ok: false,
      error: `"${value}" uses years or months, which have no fixed length; use days or weeks`,
    };
  }
  const millis = duration.toMillis();
  if (!Number.isFinite(millis) || millis < 0) return { ok: false, error: `negative duration "${value}"` };
  return { ok: true, millis, duration };
}

/** Milliseconds of a duration already validated by the schema. */
export function durationMillis(value: string): number {
  const parsed = parseDuration(value);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.millis;
}
