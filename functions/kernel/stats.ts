/**
 * The statistics of a campaign's lift over its holdout (docs/api.md "Lift"): rates are accounts
 * engaged (or MQA) over accounts; each rate gets a Wilson score interval, their difference
 * Newcombe's hybrid score interval, and a launch states the minimum detectable lift.
 *
 * Hand-written because no maintained JavaScript library computes Newcombe's interval; the formulas
 * are short, cited, and tested against the published worked examples (test/kernel/stats.test.ts):
 * - Wilson, E. B. (1927), "Probable inference, the law of succession, and statistical inference",
 *   JASA 22:209-212; as method 3 in Newcombe, R. G. (1998), "Two-sided confidence intervals for the
 *   single proportion: comparison of seven methods", Statistics in Medicine 17:857-872.
 * - Newcombe, R. G. (1998), "Interval estimation for the difference between independent
 *   proportions: comparison of eleven methods", Statistics in Medicine 17:873-890, method 10.
 * - The minimum detectable difference of two proportions at two-sided alpha and power (normal
 *   approximation, the variance of the baseline rate in both groups): Fleiss, Levin & Paik (2003),
 *   "Statistical Methods for Rates and Proportions", 3rd ed., section 4.2, solved for the difference.
 */

/** The standard normal quantile at 0.975 (two-sided 95%) and at 0.8 (power 80%). */
export const Z_975 = 1.959963984540054;
export const Z_80 = 0.8416212335729143;

export interface Interval {
  lower: number;
  upper: number;
}

/** Wilson's score interval for x successes in n trials (no continuity correction); n = 0: [0, 1]. */
export function wilson(x: number, n: number, z = Z_975): Interval {
  if (n === 0) return { lower: 0, upper: 1 };
  const p = x / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const half = z * Math.sqrt((p * (1 - p) + z2 / (4 * n)) / n);
  const denominator = 1 + z2 / n;
  return {
    lower: x === 0 ? 0 : (centre - half) / denominator,
    upper: x === n ? 1 : (centre + half) / denominator,
  };
}

/**
 * Newcombe's hybrid score interval for p1 - p2 (x1 of n1 against x2 of n2), from the two Wilson
 * intervals (l1, u1) and (l2, u2): lower = d - sqrt((p1 - l1)^2 + (u2 - p2)^2),
 * upper = d + sqrt((u1 - p1)^2 + (p2 - l2)^2). Undefined when a group is empty.
 */
export function newcombe(x1: number, n1: number, x2: number, n2: number, z = Z_975): Interval | undefined {
  if (n1 === 0 || n2 === 0) return undefined;
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const a = wilson(x1, n1, z);
  const b = wilson(x2, n2, z);
  const d = p1 - p2;
  return {
    lower: d - Math.sqrt((p1 - a.lower) ** 2 + (b.upper - p2) ** 2),
    upper: d + Math.sqrt((a.upper - p1) ** 2 + (p2 - b.lower) ** 2),
  };
}

/**
 * The smallest difference of two rates (as a fraction) a test at two-sided alpha 0.05 finds with
 * power 0.8, for groups of n1 and n2 around a baseline rate p: (z_0.975 + z_0.8) *
 * sqrt(p (1 - p) (1/n1 + 1/n2)). Undefined when a group is empty.
 */
export function minimumDetectableDifference(p: number, n1: number, n2: number): number | undefined {
  if (n1 === 0 || n2 === 0) return undefined;
  return (Z_975 + Z_80) * Math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2));
}

/**
 * The minimum detectable lift in percentage points (rounded to 0.01) for treated and holdout groups
 * around a baseline rate; a baseline of 0 or 1 has no variance, so the lift is then stated around
 * 50% (the widest). Null when a group is empty.
 */
export function minimumDetectableLiftPoints(
  baseline: number,
  treated: number,
  holdout: number,
): number | null {
  const p = baseline <= 0 || baseline >= 1 ? 0.5 : baseline;
  const d = minimumDetectableDifference(p, treated, holdout);
  return d === undefined ? null : Math.round(d * 100 * 100) / 100;
}
