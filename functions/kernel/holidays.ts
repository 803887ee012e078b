/**
 * Closed days of a send window (docs/architecture.md "Sequences" `sendWindow`): the dates a
 * sequence names (`closedDates`) and public holidays (`holidays`: country codes, or `"contact"` for
 * each contact's own country: its postal address, else its time zone's country). The calendars
 * come from a maintained library, date-holidays (functions/platform/holidays.ts); this file only
 * knows which countries it has calendars for, so `PUT /sequences` refuses one it has not without
 * loading the library. test/kernel/holidays.test.ts checks this list against the library's.
 * Pure.
 */
import * as z from 'zod';

/** The countries date-holidays has calendars for (ISO 3166-1 alpha-2). */
export const HOLIDAY_COUNTRIES: readonly string[] = [
  'AD AE AG AI AL AM AO AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS',
  'BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE',
  'EG EH ER ES ET FI FJ FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GT GU GW GY HK HN HR',
  'HT HU IC ID IE IL IM IN IR IS IT JE JM JP KE KM KN KR KY KZ LC LI LK LR LS LT LU LV LY MA',
  'MC MD ME MF MG MK ML MQ MR MS MT MU MW MX MY MZ NA NC NE NF NG NI NL NO NZ PA PE PF PH PK',
  'PL PM PR PT PY RE RO RS RU RW SA SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SZ TC',
  'TD TG TH TN TO TR TT TW TZ UA UG US UY UZ VA VC VE VG VI VN VU WF XK YT ZA ZM ZW',
]
  .join(' ')
  .split(' ');
const KNOWN = new Set(HOLIDAY_COUNTRIES);

export const HolidayCountry = z
  .string()
  .regex(/^[A-Z]{2}$/, { message: 'an ISO 3166-1 alpha-2 country code in capitals, e.g. DE', abort: true })
  .refine((code) => KNOWN.has(code), { message: 'no holiday calendar for this country' });

/** `YYYY-MM-DD`, a real calendar date. */
export const LocalDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'a date as YYYY-MM-DD', abort: true })
  .refine((d) => new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) === d, {
    message: 'not a calendar date',
  });

/** Whether a local date (`YYYY-MM-DD` in the contact's zone) is closed. */
export type ClosedDay = (localDate: string) => boolean;
