/**
 * The report's score distribution over time (pure; no DOM): the treated accounts' scores at evenly
 * spaced instants, each account's last known score at that instant, then quantiles across accounts.
 */

export interface Quantiles {
  at: string;
  n: number;
  p10: number;
  p25: number;
  p50: number;
  p75: number;
  p90: number;
}

export interface ScoreHistory {
  accountId: string;
  points: { at: string; value: number }[];
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * The treated accounts' scores at up to 24 evenly spaced instants: each account's last known score
 * at that instant (0 before its first), then the quantiles across accounts.
 */
export function distribution(history: ScoreHistory[], buckets = 24): Quantiles[] {
  const all = history.flatMap((h) => h.points.map((p) => Date.parse(p.at)));
  if (all.length === 0) return [];
  const start = Math.min(...all);
  const end = Math.max(...all);
  const n = end === start ? 1 : buckets;
  const out: Quantiles[] = [];
  for (let i = 0; i < n; i++) {
    const t = n === 1 ? end : start + ((end - start) * i) / (n - 1);
    const values = history
      .map((h) => {
        let v = 0;
        for (const p of h.points) if (Date.parse(p.at) <= t) v = p.value;
        return v;
      })
      .sort((a, b) => a - b);
    out.push({
      at: new Date(t).toISOString(),
      n: values.length,
      p10: quantile(values, 0.1),
      p25: quantile(values, 0.25),
      p50: quantile(values, 0.5),
      p75: quantile(values, 0.75),
      p90: quantile(values, 0.9),
    });
  }
  return out;
}
