/**
 * A campaign's touch ledger counted as the launch forecast counts it (docs/api.md "Forecast"): sent
 * touches by channel and by ISO week, skipped ones by reason, to compare with a forecast.
 */
import { isoWeekOf, type TouchForecast } from '../../functions/kernel/forecast';
import { CHANNELS, type Touch } from '../../functions/kernel/model';

export function ledgerCounts(ledger: readonly Touch[]): TouchForecast['touches'] {
  const zero = () =>
    Object.fromEntries(CHANNELS.map((ch) => [ch, 0])) as Record<(typeof CHANNELS)[number], number>;
  const byChannel = zero();
  const weeks = new Map<string, ReturnType<typeof zero>>();
  const skippedByReason: Record<string, number> = {};
  for (const t of ledger) {
    if (t.status === 'skipped') skippedByReason[t.reason ?? ''] = (skippedByReason[t.reason ?? ''] ?? 0) + 1;
    if (t.status !== 'sent') continue;
    byChannel[t.channel]++;
    const week = isoWeekOf(new Date(t.at));
    if (!weeks.has(week)) weeks.set(week, zero());
    weeks.get(week)![t.channel]++;
  }
  return {
    byChannel,
    byWeek: [...weeks].sort(([a], [b]) => (a < b ? -1 : 1)).map(([week, row]) => ({ week, ...row })),
    skippedByReason,
  };
}
