import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import {
  addBusinessDays,
  addBusinessHours,
  isInWindow,
  localTimeLabel,
  nextInWindow,
} from '../../functions/engine/domain/business-hours';
import { checkFrequencyCap } from '../../functions/engine/domain/frequency';
import type { SendWindow } from '../../functions/kernel/model';

const WINDOW: SendWindow = { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' };

describe('nextInWindow across daylight-saving changes', () => {
  // Each row: a zone, an instant just before or after its DST change, and the expected first
  // instant inside 09:00-17:00 local on a weekday (as UTC).
  it.each([
    // Los Angeles springs forward Sun 8 Mar 2026: Friday evening -> Monday 09:00 PDT (UTC-7).
    ['America/Los_Angeles', '2026-03-07T02:00:00Z', '2026-03-09T16:00:00.000Z'],
    // ...and falls back Sun 1 Nov 2026: Saturday -> Monday 09:00 PST (UTC-8).
    ['America/Los_Angeles', '2026-10-31T18:00:00Z', '2026-11-02T17:00:00.000Z'],
    // Berlin springs forward Sun 29 Mar 2026: Friday 18:00 CET -> Monday 09:00 CEST (UTC+2).
    ['Europe/Berlin', '2026-03-27T17:00:00Z', '2026-03-30T07:00:00.000Z'],
    // ...and falls back Sun 25 Oct 2026: Monday 07:30 CET -> 09:00 CET (UTC+1).
    ['Europe/Berlin', '2026-10-26T06:30:00Z', '2026-10-26T08:00:00.000Z'],
    // Kolkata has no DST (UTC+5:30) at any time of year.
    ['Asia/Kolkata', '2026-03-29T01:00:00Z', '2026-03-30T03:30:00.000Z'],
    ['Asia/Kolkata', '2026-10-26T12:00:00Z', '2026-10-27T03:30:00.000Z'],
    // Sydney falls back Sun 5 Apr 2026 (AEDT UTC+11 -> AEST UTC+10): Friday evening -> Monday 09:00 AEST.
    ['Australia/Sydney', '2026-04-03T08:00:00Z', '2026-04-05T23:00:00.000Z'],
    // ...and springs forward Sun 4 Oct 2026 (AEST -> AEDT): Saturday -> Monday 09:00 AEDT.
    ['Australia/Sydney', '2026-10-03T02:00:00Z', '2026-10-04T22:00:00.000Z'],
  ])('%s from %s', (zone, from, expected) => {
    const at = nextInWindow(new Date(from), zone, WINDOW);
    expect(at.toISOString()).toBe(expected);
    expect(isInWindow(at, zone, WINDOW)).toBe(true);
  });

  it('keeps an instant that is already inside the window', () => {
    const at = new Date('2026-03-10T17:30:00Z'); // Tuesday 10:30 PDT
    expect(nextInWindow(at, 'America/Los_Angeles', WINDOW)).toEqual(at);
  });

  it('treats the end of the window as closed', () => {
    // Monday 9 March 16:59 and 17:00 PDT.
    expect(isInWindow(new Date('2026-03-09T23:59:00Z'), 'America/Los_Angeles', WINDOW)).toBe(true);
    expect(isInWindow(new Date('2026-03-10T00:00:00Z'), 'America/Los_Angeles', WINDOW)).toBe(false);
  });

  it('adds business hours over a weekend and a DST change', () => {
    // Friday 6 March 15:00 PST + 4 business hours = 2 h Friday + 2 h Monday (PDT) = Monday 11:00 PDT.
    const due = addBusinessHours(new Date('2026-03-06T23:00:00Z'), 4, 'America/Los_Angeles', WINDOW);
    expect(due.toISOString()).toBe('2026-03-09T18:00:00.000Z');
  });
});

describe('checkFrequencyCap', () => {
  const now = new Date('2026-03-10T12:00:00Z');
  const touch = (
    contactId: string,
    daysAgo: number,
    status = 'sent',
    channel: 'email' | 'ads' = 'email',
  ) => ({
    contactId,
    channel,
    status,
    at: new Date(now.getTime() - daysAgo * 86_400_000).toISOString(),
    touchId: `${contactId}-${daysAgo}-${channel}`,
  });
  const cap = { perContact: 3, window: 'P7D', onCapped: 'skip' as const };

  it.each([
    ['under the cap', [touch('a', 1), touch('a', 2)], false],
    ['at the cap', [touch('a', 1), touch('a', 2), touch('a', 3)], true],
    ['old touches fall out of the window', [touch('a', 1), touch('a', 2), touch('a', 8)], false],
    ['only sent touches count', [touch('a', 1), touch('a', 2), touch('a', 3, 'skipped')], false],
    ['ads do not count', [touch('a', 1), touch('a', 2), touch('a', 3, 'sent', 'ads')], false],
    ['other contacts do not count per contact', [touch('b', 1), touch('b', 2), touch('b', 3)], false],
  ])('%s', (_name, touches, capped) => {
    expect(checkFrequencyCap(cap, touches, 'a', now).capped).toBe(capped);
  });

  it('says when a deferred touch may go and applies the account cap', () => {
    const result = checkFrequencyCap(cap, [touch('a', 1), touch('a', 2), touch('a', 3)], 'a', now);
    expect(result).toEqual({
      capped: true,
      scope: 'contact',
      until: new Date(now.getTime() - 3 * 86_400_000 + 7 * 86_400_000 + 1),
    });
    const account = checkFrequencyCap({ ...cap, perAccount: 2 }, [touch('b', 1), touch('c', 2)], 'a', now);
    expect(account).toMatchObject({ capped: true, scope: 'account' });
  });
});

describe('business hours without luxon: the same instants luxon computes', () => {
  // The engine dropped luxon (70 KB of the ExecuteStep bundle) for the runtime's Intl; these
  // properties hold the replacement to luxon's answers, daylight-saving gaps and overlaps included.
  const ZONES = [
    'America/Los_Angeles',
    'America/New_York',
    'America/St_Johns',
    'Europe/Berlin',
    'Europe/London',
    'Australia/Sydney',
    'Australia/Lord_Howe',
    'Asia/Kolkata',
    'Asia/Kathmandu',
    'Pacific/Chatham',
    'UTC',
  ];
  const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
  const hhmm = fc
    .tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 15, 30, 45))
    .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
  const windowArb = fc
    .tuple(fc.subarray([...DAYS], { minLength: 1 }), hhmm, hhmm)
    .filter(([, a, b]) => a < b)
    .map(([days, start, end]): SendWindow => ({ days, start, end }));
  // 2024-2028 to the minute, and half the runs within three days of a 2026 change of these zones.
  const CHANGES = ['03-08', '11-01', '03-29', '10-25', '04-05', '10-04', '09-27'].map(
    (d) => Date.parse(`2026-${d}T00:00:00Z`) / 60_000,
  );
  const instant = fc.oneof(
    fc.integer({ min: Date.UTC(2024, 0, 1) / 60_000, max: Date.UTC(2028, 0, 1) / 60_000 }),
    fc
      .tuple(fc.constantFrom(...CHANGES), fc.integer({ min: -3 * 1440, max: 3 * 1440 }))
      .map(([c, d]) => c + d),
  );

  /** luxon's answers, with the code the engine ran before (kept here as the reference). */
  const reference = {
    bounds(day: DateTime, w: SendWindow) {
      const base = day.startOf('day');
      const hm = (v: string) => ({ hour: Number(v.slice(0, 2)), minute: Number(v.slice(3)) });
      return {
        start: base.set({ ...hm(w.start), second: 0, millisecond: 0 }),
        end: base.set({ ...hm(w.end), second: 0, millisecond: 0 }),
      };
    },
    isDay: (d: DateTime, w: SendWindow) => (w.days as readonly string[]).includes(DAYS[d.weekday - 1]!),
    next(from: Date, zone: string, w: SendWindow): Date {
      let day = DateTime.fromJSDate(from, { zone });
      for (let i = 0; i <= 14; i++) {
        if (reference.isDay(day, w)) {
          const { start, end } = reference.bounds(day, w);
          if (day < start) return start.toJSDate();
          if (day < end) return day.toJSDate();
        }
        day = day.plus({ days: 1 }).startOf('day');
      }
      throw new RangeError('none');
    },
    addDays(from: Date, days: number, zone: string, w: SendWindow): Date {
      let dt = DateTime.fromJSDate(reference.next(from, zone, w), { zone });
      let counted = 0;
      for (let i = 0; counted < days && i < 366; i++) {
        dt = dt.plus({ days: 1 });
        if (reference.isDay(dt, w)) counted++;
      }
      return reference.next(dt.toJSDate(), zone, w);
    },
  };

  it('nextInWindow, isInWindow and addBusinessDays agree with luxon', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        instant,
        windowArb,
        fc.integer({ min: 0, max: 6 }),
        (zone, m, w, n) => {
          const from = new Date(m * 60_000);
          const expected = reference.next(from, zone, w);
          expect(nextInWindow(from, zone, w).toISOString()).toBe(expected.toISOString());
          const dt = DateTime.fromJSDate(from, { zone });
          const { start, end } = reference.bounds(dt, w);
          expect(isInWindow(from, zone, w)).toBe(reference.isDay(dt, w) && dt >= start && dt < end);
          expect(addBusinessDays(from, n, zone, w).toISOString()).toBe(
            reference.addDays(from, n, zone, w).toISOString(),
          );
        },
      ),
      { numRuns: 1500, seed: 20261201 },
    );
  });

  it('labels the local time as luxon formatted it', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), instant, (zone, m) => {
        const at = new Date(m * 60_000);
        expect(localTimeLabel(at, zone)).toBe(
          `${DateTime.fromJSDate(at, { zone }).toFormat('ccc HH:mm')} (${zone})`,
        );
      }),
      { numRuns: 500, seed: 7 },
    );
  });

  it('rejects an unknown zone with a RangeError', () => {
    expect(() => nextInWindow(new Date(), 'Mars/Olympus_Mons', WINDOW)).toThrow(RangeError);
  });
});
