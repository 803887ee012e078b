/**
 * Fit scoring and tiering against an ideal-customer profile (ICP) from configuration.
 * Each criterion has a weight; a criterion scores a fraction 0..1 of its weight; the fit
 * score is the weighted share, 0 to 100. Unknown data counts as a miss, and says so.
 */
import * as z from 'zod';
import type { AccountInput, FitResult, Tier } from '../../kernel/model';

const Band = z.object({
  /** Inclusive lower bound of the band. */
  min: z.number().nonnegative(),
  /** Share of the criterion's weight an account in this band earns, 0..1. */
  score: z.number().min(0).max(1),
  label: z.string().min(1),
});

const ValueList = z.object({
  weight: z.number().nonnegative(),
  values: z.array(z.string().trim().toLowerCase().min(1)).min(1),
  /** How a miss reads, e.g. "no data warehouse". */
  missLabel: z.string().optional(),
});

const Banded = z.object({
  weight: z.number().nonnegative(),
  bands: z.array(Band).min(1),
  missLabel: z.string().optional(),
});

export const Icp = z
  .object({
    industries: ValueList,
    employees: Banded,
    revenue: Banded,
    techStack: ValueList,
    regions: ValueList,
    /** Minimum fit score for tier 1 and tier 2; below tier2 an account is tier 3. */
    tierThresholds: z
      .object({ tier1: z.number().min(0).max(100), tier2: z.number().min(0).max(100) })
      .refine((t) => t.tier1 >= t.tier2, { message: 'tier1 must be at least tier2', path: ['tier1'] }),
  })
  .refine(
    (icp) =>
      icp.industries.weight +
        icp.employees.weight +
        icp.revenue.weight +
        icp.techStack.weight +
        icp.regions.weight >
      0,
    { message: 'at least one criterion needs a positive weight' },
  );
export type Icp = z.infer<typeof Icp>;
export type IcpInput = z.input<typeof Icp>;

/** The default profile: a mid-sized logistics-software vendor selling to large operators. */
export const DEFAULT_ICP: Icp = Icp.parse({
  industries: {
    weight: 30,
    values: ['logistics', 'retail', 'healthcare', 'manufacturing', 'transportation', 'freight'],
    missLabel: 'industry outside the profile',
  },
  employees: {
    weight: 25,
    bands: [
      { min: 5000, score: 1, label: '5,000+ employees' },
      { min: 1000, score: 0.7, label: '1,000-4,999 employees' },
      { min: 200, score: 0.35, label: '200-999 employees' },
    ],
    missLabel: 'under 200 employees',
  },
  revenue: {
    weight: 20,
    bands: [
      { min: 1_000_000_000, score: 1, label: '$1B+ revenue' },
      { min: 100_000_000, score: 0.6, label: '$100M-$1B revenue' },
      { min: 20_000_000, score: 0.25, label: '$20M-$100M revenue' },
    ],
    missLabel: 'revenue under $20M',
  },
  techStack: {
    weight: 15,
    values: ['snowflake', 'bigquery', 'redshift', 'databricks', 'synapse'],
    missLabel: 'no data warehouse',
  },
  regions: { weight: 10, values: ['na', 'eu', 'uk'], missLabel: 'region outside the profile' },
  tierThresholds: { tier1: 80, tier2: 55 },
});

export type Fit = FitResult;

type FitSubject = Pick<AccountInput, 'industry' | 'employees' | 'annualRevenueUsd' | 'techStack' | 'region'>;

function bandOf(value: number | undefined, criterion: z.infer<typeof Banded>) {
  if (value === undefined) return undefined;
  return [...criterion.bands].sort((a, b) => b.min - a.min).find((band) => value >= band.min);
}

export function scoreFit(account: FitSubject, icp: Icp = DEFAULT_ICP): Fit {
  const fits: string[] = [];
  const misses: string[] = [];
  let earned = 0;
  const total =
    icp.industries.weight +
    icp.employees.weight +
    icp.revenue.weight +
    icp.techStack.weight +
    icp.regions.weight;

  const industry = account.industry?.trim().toLowerCase();
  if (industry && icp.industries.values.includes(industry)) {
    earned += icp.industries.weight;
    fits.push(industry);
  } else if (icp.industries.weight > 0) {
    misses.push(
      industry
        ? `${industry} (${icp.industries.missLabel ?? 'industry outside the profile'})`
        : 'industry unknown',
    );
  }

  for (const [criterion, value, unknown] of [
    [icp.employees, account.employees, 'employee count unknown'],
    [icp.revenue, account.annualRevenueUsd, 'revenue unknown'],
  ] as const) {
    if (criterion.weight === 0) continue;
    const band = bandOf(value, criterion);
    if (band && band.score > 0) {
      earned += criterion.weight * band.score;
      (band.score >= 0.5 ? fits : misses).push(band.label);
    } else misses.push(value === undefined ? unknown : (criterion.missLabel ?? 'below the profile'));
  }

  const stack = (account.techStack ?? []).map((t) => t.trim().toLowerCase());
  const stackHits = stack.filter((t) => icp.techStack.values.includes(t));
  if (stackHits.length > 0) {
    earned += icp.techStack.weight;
    fits.push(stackHits.join(', '));
  } else if (icp.techStack.weight > 0)
    misses.push(icp.techStack.missLabel ?? 'tech stack outside the profile');

  const region = account.region?.trim().toLowerCase();
  if (region && icp.regions.values.includes(region)) {
    earned += icp.regions.weight;
    fits.push(`region ${account.region}`);
  } else if (icp.regions.weight > 0) {
    misses.push(region ? `region ${account.region}` : 'region unknown');
  }

  const score = Math.round((earned / total) * 1000) / 10;
  const suggestedTier: Tier =
    score >= icp.tierThresholds.tier1 ? 1 : score >= icp.tierThresholds.tier2 ? 2 : 3;
  const parts = [
    fits.length ? `fits: ${fits.join(', ')}` : '',
    misses.length ? `misses: ${misses.join(', ')}` : '',
  ];
  return { score, suggestedTier, fits, misses, summary: parts.filter(Boolean).join('; ') };
}
