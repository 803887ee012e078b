/**
 * ISO 8601 durations for sequence waits (P3D, PT4H, P1W, P1DT12H, PT0.5S). Calendar units
 * (years, months) are refused: "P1M" has no fixed length, and waits must be exact. A small
 * parser rather than a date library: every Lambda bundle validates sequences (time zones are
 * the engine's, from the runtime's Intl: functions/engine/domain/zoned.ts).
 */
export type ParsedDuration = { ok: true; millis: number } | { ok: false; error: string };

const ISO_DURATION =
  /^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

const MS = { week: 604_800_000, day: 86_400_000, hour: 3_600_000, minute: 60_000, second: 1000 };

export function parseDuration(value: string): ParsedDuration {
  if (typeof value !== 'string' || value.trim() === '') return { ok: false, error: 'empty duration' };
  if (value.startsWith('-') || /-\d/.test(value)) {
    return { ok: false, error: `negative duration "${value}": waits cannot go back in time` };
  }
  const m = ISO_DURATION.exec(value);
  // "P" alone, or a "T" with nothing after it, is not a duration.
  if (!m || value === 'P' || value.endsWith('T') || m.slice(1).every((part) => part === undefined)) {
    return { ok: false, error: `"${value}" is not an ISO 8601 duration (e.g. P3D, PT4H, P1W)` };
  }
  const [, years, months, weeks, days, hours, minutes, seconds] = m;
  if (years !== undefined || months !== undefined) {
    return {
      ok: false,
      error: `"${value}" uses years or months, which have no fixed length; use days or weeks`,
    };
  }
  const n = (part: string | undefined) => (part === undefined ? 0 : Number(part));
  const millis =
    n(weeks) * MS.week +
    n(days) * MS.day +
    n(hours) * MS.hour +
    n(minutes) * MS.minute +
    n(seconds) * MS.second;
  if (!Number.isFinite(millis)) return { ok: false, error: `"${value}" is too long` };
  return { ok: true, millis: Math.round(millis) };
}

/** Milliseconds of a duration already validated by the schema. */
export function durationMillis(value: string): number {
  const parsed = parseDuration(value);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.millis;
}
