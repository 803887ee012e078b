/**
 * Business hours in a contact's own time zone (docs/architecture.md "Sequences" `sendWindow`), computed with the
 * runtime's IANA database (`./zoned`) so daylight-saving changes follow it rather than hand-written offsets.
 *
 * A window is a set of weekdays and a local [start, end) time range; all functions work on
 * absolute instants (Date) and interpret them in the given zone.
 */
import type { ClosedDay } from '../../kernel/holidays';
import { WEEKDAYS, type SendWindow } from '../../kernel/model';
import { plusDays, startOfDay, weekday, withTime, zoned, type Zoned } from './zoned';

const WEEKDAY_LABELS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/**
 * How far ahead we look for an open window before giving up (a window with no days cannot be
 * built; closed dates and holidays can shut a few weeks at most).
 */
const MAX_DAYS_AHEAD = 62;

function hm(value: string): { hour: number; minute: number } {
  const [hour, minute] = value.split(':').map(Number);
  return { hour, minute };
}

const local = zoned;

function bounds(day: Zoned, window: SendWindow): { start: Zoned; end: Zoned } {
  const base = startOfDay(day);
  return {
    start: withTime(base, { ...hm(window.start), second: 0, millisecond: 0 }),
    end: withTime(base, { ...hm(window.end), second: 0, millisecond: 0 }),
  };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The local date `YYYY-MM-DD` of a zoned time. */
const isoDate = (t: Zoned) => `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)}`;

/** A weekday of the window, and not a closed day (`closed`: the contact's holidays and closed dates). */
function isWindowDay(day: Zoned, window: SendWindow, closed?: ClosedDay): boolean {
  if (!(window.days as readonly string[]).includes(WEEKDAYS[weekday(day) - 1])) return false;
  return !closed?.(isoDate(day));
}

/** Whether the instant falls inside the window in the zone. */
export function isInWindow(at: Date, timeZone: string, window: SendWindow, closed?: ClosedDay): boolean {
  const dt = local(at, timeZone);
  if (!isWindowDay(dt, window, closed)) return false;
  const { start, end } = bounds(dt, window);
  return dt.ts >= start.ts && dt.ts < end.ts;
}

/** The earliest instant at or after `from` that lies inside the window in `timeZone`. */
export function nextInWindow(from: Date, timeZone: string, window: SendWindow, closed?: ClosedDay): Date {
  let day = local(from, timeZone);
  for (let i = 0; i <= MAX_DAYS_AHEAD; i++) {
    if (isWindowDay(day, window, closed)) {
      const { start, end } = bounds(day, window);
      if (day.ts < start.ts) return new Date(start.ts);
      if (day.ts < end.ts) return new Date(day.ts);
    }
    day = startOfDay(plusDays(day, 1));
  }
  throw new RangeError(
    `no open send window within ${MAX_DAYS_AHEAD} days (days: ${window.days.join(',')}, closed days and holidays excluded)`,
  );
}

/**
 * Adds working time inside the window: `hours` of open-window time after `from` (e.g. an SLA of
 * "4 business hours"). Time outside the window does not count.
 */
export function addBusinessHours(
  from: Date,
  hours: number,
  timeZone: string,
  window: SendWindow,
  closed?: ClosedDay,
): Date {
  let remaining = hours * 3_600_000;
  let cursor = nextInWindow(from, timeZone, window, closed);
  for (let i = 0; i < 366; i++) {
    const { end } = bounds(local(cursor, timeZone), window);
    const available = end.ts - cursor.getTime();
    if (remaining <= available) return new Date(cursor.getTime() + remaining);
    remaining -= available;
    cursor = nextInWindow(new Date(end.ts + 60_000), timeZone, window, closed);
  }
  throw new RangeError('business-hour addition did not converge');
}

/** `days` window days after `from`, at the same local time of day (clamped into the window). */
export function addBusinessDays(
  from: Date,
  days: number,
  timeZone: string,
  window: SendWindow,
  closed?: ClosedDay,
): Date {
  let dt = local(nextInWindow(from, timeZone, window, closed), timeZone);
  let counted = 0;
  for (let i = 0; counted < days && i < 366; i++) {
    dt = plusDays(dt, 1);
    if (isWindowDay(dt, window, closed)) counted++;
  }
  return nextInWindow(new Date(dt.ts), timeZone, window, closed);
}

/** The local wall-clock time of an instant, for people: "Tue 10:30 (America/Chicago)". */
export function localTimeLabel(at: Date, timeZone: string): string {
  const t = local(at, timeZone);
  return `${WEEKDAY_LABELS[weekday(t) - 1]} ${pad(t.hour)}:${pad(t.minute)} (${timeZone})`;
}
