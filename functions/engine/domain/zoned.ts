/**
 * Wall-clock time in an IANA time zone, from the runtime's own `Intl` (Node's ICU carries the IANA
 * database, the same data luxon reads through `Intl.DateTimeFormat` for its IANA zones). The engine
 * needs five operations: an instant's local fields, the start of its local day, setting the local
 * time of day, adding calendar days and the weekday. luxon does them in 70 KB of the ExecuteStep
 * bundle (minified); these 80 lines do them the way luxon does (the offset arithmetic of its
 * `fixOffset`: a local time in a daylight-saving gap moves forward by the gap, an ambiguous one
 * keeps the offset it had), which `test/engine/business-hours.test.ts` checks against luxon on
 * random instants, zones and windows.
 */

/** An instant with its local calendar fields in `zone` and the zone's offset there (minutes east of UTC). */
export interface Zoned {
  readonly ts: number;
  readonly zone: string;
  readonly offset: number;
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();

function format(zone: string): Intl.DateTimeFormat {
  let f = formats.get(zone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        era: 'short',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new RangeError(`invalid time zone "${zone}"`);
    }
    formats.set(zone, f);
  }
  return f;
}

/** The zone's offset at an instant, in minutes (what the local clock reads minus UTC, to the second). */
export function offsetAt(ts: number, zone: string): number {
  const p: Record<string, string> = {};
  for (const { type, value } of format(zone).formatToParts(new Date(ts))) p[type] = value;
  const year = p.era === 'BC' ? 1 - Number(p.year) : Number(p.year);
  const local = Date.UTC(
    year,
    Number(p.month) - 1,
    Number(p.day),
    Number(p.hour) % 24,
    +p.minute!,
    +p.second!,
  );
  const wholeSeconds = ts - (((ts % 1000) + 1000) % 1000);
  return (local - wholeSeconds) / 60_000;
}

function at(ts: number, zone: string, offset = offsetAt(ts, zone)): Zoned {
  const d = new Date(ts + offset * 60_000);
  return {
    ts,
    zone,
    offset,
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    millisecond: d.getUTCMilliseconds(),
  };
}

export const zoned = (instant: Date, zone: string): Zoned => at(instant.getTime(), zone);

type Fields = Pick<Zoned, 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'millisecond'>;

/** The instant whose local fields are `f`, the previous offset as the guess (luxon's fixOffset). */
function fromLocal(f: Fields, guess: number, zone: string): Zoned {
  const local = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second, f.millisecond);
  let ts = local - guess * 60_000;
  const o2 = offsetAt(ts, zone);
  if (o2 === guess) return at(ts, zone, guess);
  ts -= (o2 - guess) * 60_000;
  const o3 = offsetAt(ts, zone);
  if (o2 === o3) return at(ts, zone, o2);
  // A gap: the local time does not exist; take it with the earlier offset (moves it forward).
  return at(local - Math.min(o2, o3) * 60_000, zone, Math.max(o2, o3));
}

/** The same local date with other time-of-day fields. */
export const withTime = (t: Zoned, time: Partial<Fields>): Zoned =>
  fromLocal({ ...t, ...time }, t.offset, t.zone);

export const startOfDay = (t: Zoned): Zoned => withTime(t, { hour: 0, minute: 0, second: 0, millisecond: 0 });

/** `days` calendar days later at the same local time. */
export const plusDays = (t: Zoned, days: number): Zoned =>
  fromLocal({ ...t, day: t.day + days }, t.offset, t.zone);

/** ISO weekday: 1 = Monday ... 7 = Sunday. */
export const weekday = (t: Zoned): number => new Date(Date.UTC(t.year, t.month - 1, t.day)).getUTCDay() || 7;
