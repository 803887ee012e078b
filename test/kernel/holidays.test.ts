/**
 * Closed days of a send window: the kernel knows which countries have holiday calendars (checked
 * here against the library itself, so an upgrade of date-holidays cannot leave the list stale),
 * and a sequence names only those; the platform's calendars close public holidays only, per
 * contact when the window follows each contact's country.
 */
import Holidays from 'date-holidays';
import { describe, expect, it } from 'vitest';
import { detailsFromZod } from '../../functions/kernel/errors';
import { HOLIDAY_COUNTRIES } from '../../functions/kernel/holidays';
import { SendWindow } from '../../functions/kernel/model';
import { HolidayCalendars } from '../../functions/platform/holidays';
import { nextInWindow } from '../../functions/engine/domain/business-hours';

const window = (extra: Record<string, unknown>) =>
  SendWindow.parse({ start: '09:00', end: '17:00', ...extra });

describe('send window closed days (validation)', () => {
  it('lists exactly the countries date-holidays has calendars for', () => {
    expect([...HOLIDAY_COUNTRIES].sort()).toEqual(Object.keys(new Holidays().getCountries()).sort());
  });

  it('accepts country codes, "contact" and calendar dates; refuses the rest with a reason', () => {
    expect(window({ holidays: ['US', 'DE'], closedDates: ['2026-12-24'] }).holidays).toEqual(['US', 'DE']);
    expect(window({ holidays: 'contact' }).holidays).toBe('contact');
    const issues = (extra: Record<string, unknown>) => {
      const error = SendWindow.safeParse({ ...extra }).error;
      return error ? detailsFromZod(error).map((d) => `${d.path}: ${d.message}`) : [];
    };
    expect(issues({ holidays: ['de'] })).toEqual([expect.stringMatching(/^holidays\.0: .*capitals/)]);
    expect(issues({ holidays: ['AQ'] })).toEqual(['holidays.0: no holiday calendar for this country']);
    expect(issues({ holidays: [] })).toHaveLength(1);
    expect(issues({ holidays: 'everyone' })).toHaveLength(1);
    expect(issues({ closedDates: ['2026-02-30'] })).toEqual(['closedDates.0: not a calendar date']);
    expect(issues({ closedDates: ['30/12/2026'] })).toEqual(['closedDates.0: a date as YYYY-MM-DD']);
  });
});

describe('holiday calendars', () => {
  const contacts = {
    berlin: { timeZone: 'Europe/Berlin' },
    newYork: { timeZone: 'America/New_York' },
    // The postal address wins over the time zone.
    londonOffice: { timeZone: 'America/New_York', postalAddress: { country: 'GB' } },
    nowhere: { timeZone: 'UTC' },
  };

  it('closes public holidays only, of each contact country', async () => {
    const calendars = new HolidayCalendars();
    const closed = await calendars.closedDays(window({ holidays: 'contact' }), Object.values(contacts));
    const of = (c: keyof typeof contacts) => closed(contacts[c])!;
    expect(of('berlin')('2026-05-14')).toBe(true); // Ascension Day (public in DE)
    expect(of('berlin')('2026-02-14')).toBe(false); // Valentine's Day (an observance)
    expect(of('newYork')('2026-05-14')).toBe(false);
    expect(of('newYork')('2026-07-03')).toBe(true); // Independence Day (observed)
    expect(of('londonOffice')('2026-12-28')).toBe(true); // Boxing Day (substitute)
    expect(of('newYork')('2026-12-28')).toBe(false);
    // No country known: no holidays (and no closed dates given): no closed days at all.
    expect(closed(contacts.nowhere)).toBeUndefined();
  });

  it('closes the given countries for everyone, and the closed dates', async () => {
    const calendars = new HolidayCalendars();
    const closed = await calendars.closedDays(window({ holidays: ['US'], closedDates: ['2026-12-31'] }), [
      contacts.berlin,
    ]);
    const berlin = closed(contacts.berlin)!;
    expect(berlin('2026-11-26')).toBe(true); // Thanksgiving, from the window's US calendar
    expect(berlin('2026-05-14')).toBe(false); // DE's Ascension Day: the window follows US only
    expect(berlin('2026-12-31')).toBe(true);
  });

  it('moves a time that falls on a closed day to the next open window in the contact zone', async () => {
    const calendars = new HolidayCalendars();
    const w = window({ holidays: 'contact', days: ['mon', 'tue', 'wed', 'thu', 'fri'] });
    const closed = await calendars.closedDays(w, [contacts.newYork, contacts.londonOffice]);
    // Friday 25 December 2026, 10:00 in New York.
    const due = new Date('2026-12-25T15:00:00Z');
    expect(nextInWindow(due, 'America/New_York', w, closed(contacts.newYork)).toISOString()).toBe(
      '2026-12-28T14:00:00.000Z', // Monday 09:00 New York
    );
    // The GB contact (in New York's zone) also has Monday 28th off: Tuesday 09:00 New York.
    expect(nextInWindow(due, 'America/New_York', w, closed(contacts.londonOffice)).toISOString()).toBe(
      '2026-12-29T14:00:00.000Z',
    );
  });
});
