/**
 * Public-holiday calendars from date-holidays (https://github.com/commenthol/date-holidays, its
 * rules per country maintained upstream), loaded when a sequence's send window asks for holidays
 * and not before: the library and its data are large, so a function whose sequences never use
 * holidays never loads them (on AWS it is installed beside the bundle, not bundled:
 * lib/infra/constructs/base-function.ts `nodeModules`).
 *
 * Only holidays of type `public` close a window (the library's other types, `bank`, `school`,
 * `optional` and `observance`, are days many businesses work). A country's dates are computed
 * once per year and kept for the life of the execution environment.
 */
import { HOLIDAY_COUNTRIES, type ClosedDay } from '../kernel/holidays';
import type { SendWindow } from '../kernel/model';

type HolidaysLib = typeof import('date-holidays').default;
type ZonesLib = typeof import('countries-and-timezones');

let lib: Promise<HolidaysLib> | undefined;
/** The library, imported once, on first use. */
const load = (): Promise<HolidaysLib> =>
  (lib ??= import('date-holidays').then((m) => (m.default ?? m) as unknown as HolidaysLib));
let zonesLib: Promise<ZonesLib> | undefined;
/** countries-and-timezones (a time zone's country), imported once, when a window follows contacts. */
const loadZones = (): Promise<ZonesLib> =>
  (zonesLib ??= import('countries-and-timezones').then(
    (m) => ((m as unknown as { default?: ZonesLib }).default ?? m) as ZonesLib,
  ));
const SUPPORTED = new Set(HOLIDAY_COUNTRIES);

/** A contact as its country is found: its postal address, else its time zone. */
export interface Located {
  timeZone: string;
  postalAddress?: { country: string };
}

export class HolidayCalendars {
  private readonly byCountry = new Map<string, InstanceType<HolidaysLib>>();
  private readonly days = new Map<string, Set<string>>();
  private library: HolidaysLib | undefined;

  /** Makes these countries' calendars available to `isHoliday` (imports the library the first time). */
  async load(countries: Iterable<string>): Promise<void> {
    const wanted = [...new Set(countries)].filter((c) => !this.byCountry.has(c));
    if (wanted.length === 0) return;
    this.library ??= await load();
    for (const country of wanted) this.byCountry.set(country, new this.library(country));
  }

  /** Whether `localDate` (`YYYY-MM-DD`) is a public holiday in `country` (loaded before). */
  isHoliday(country: string, localDate: string): boolean {
    const year = Number(localDate.slice(0, 4));
    const key = `${country}:${year}`;
    let set = this.days.get(key);
    if (!set) {
      const calendar = this.byCountry.get(country);
      if (!calendar) throw new Error(`the ${country} holiday calendar was not loaded`);
      set = new Set(
        calendar
          .getHolidays(year)
          .filter((h) => h.type === 'public')
          .map((h) => h.date.slice(0, 10)),
      );
      this.days.set(key, set);
    }
    return set.has(localDate);
  }

  /**
   * The closed-day test of each contact under this window (undefined: the window has no closed
   * days for it), with the calendars it needs loaded. `holidays: "contact"` follows each contact's
   * country: its postal address, else the country of its time zone (countries-and-timezones); a
   * contact whose country is unknown or has no calendar gets the window's closed dates only.
   */
  async closedDays<C extends Located>(
    window: SendWindow,
    contacts: readonly C[],
  ): Promise<(contact: C) => ClosedDay | undefined> {
    const dates = window.closedDates ?? [];
    if (!window.holidays) {
      const closed = this.closedDay([], dates);
      return () => closed;
    }
    let countryOf: (c: C) => string[];
    if (window.holidays === 'contact') {
      const zones = await loadZones();
      countryOf = (c) => {
        const code = (c.postalAddress?.country ?? zones.getCountryForTimezone(c.timeZone)?.id)?.toUpperCase();
        return code && SUPPORTED.has(code) ? [code] : [];
      };
    } else {
      const fixed = window.holidays;
      countryOf = () => fixed;
    }
    await this.load(contacts.flatMap(countryOf));
    return (c) => this.closedDay(countryOf(c), dates);
  }

  /** A closed-day test over these countries' calendars and the given dates. */
  closedDay(countries: readonly string[], closedDates: readonly string[] = []): ClosedDay | undefined {
    if (countries.length === 0 && closedDates.length === 0) return undefined;
    const dates = new Set(closedDates);
    return (day) => dates.has(day) || countries.some((c) => this.isHoliday(c, day));
  }
}
