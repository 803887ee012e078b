import { describe, expect, it } from 'vitest';
import { DEFAULT_ICP, Icp, scoreFit } from '../../functions/api/domain/fit';

describe('scoreFit', () => {
  it('explains a strong fit with its one miss', () => {
    const fit = scoreFit({
      industry: 'Logistics',
      employees: 6000,
      annualRevenueUsd: 2_000_000_000,
      techStack: ['sap'],
      region: 'NA',
    });
    expect(fit.score).toBe(85);
    expect(fit.suggestedTier).toBe(1);
    expect(fit.summary).toBe(
      'fits: logistics, 5,000+ employees, $1B+ revenue, region NA; misses: no data warehouse',
    );
  });

  it('gives a perfect fit 100 and tier 1', () => {
    const fit = scoreFit({
      industry: 'retail',
      employees: 42_000,
      annualRevenueUsd: 9e9,
      techStack: ['SAP', 'Snowflake'],
      region: 'EU',
    });
    expect(fit).toMatchObject({ score: 100, suggestedTier: 1, misses: [] });
    expect(fit.fits).toContain('snowflake');
  });

  it('scores missing data as misses that say so', () => {
    const fit = scoreFit({});
    expect(fit.score).toBe(0);
    expect(fit.suggestedTier).toBe(3);
    expect(fit.misses).toEqual([
      'industry unknown',
      'employee count unknown',
      'revenue unknown',
      'no data warehouse',
      'region unknown',
    ]);
  });

  it.each([
    [{ industry: 'logistics', employees: 1500, annualRevenueUsd: 300e6, techStack: [], region: 'NA' }, 2],
    [{ industry: 'mining', employees: 300, annualRevenueUsd: 30e6, techStack: [], region: 'APAC' }, 3],
    [
      {
        industry: 'healthcare',
        employees: 12000,
        annualRevenueUsd: 5e9,
        techStack: ['databricks'],
        region: 'NA',
      },
      1,
    ],
  ])('suggests a tier from the thresholds (%o -> %i)', (account, tier) => {
    expect(scoreFit(account).suggestedTier).toBe(tier);
  });

  it('follows the weights of a custom profile', () => {
    const icp = Icp.parse({
      ...DEFAULT_ICP,
      industries: { weight: 0, values: ['x'] },
      employees: { weight: 0, bands: [{ min: 0, score: 1, label: 'any' }] },
      revenue: { weight: 0, bands: [{ min: 0, score: 1, label: 'any' }] },
      regions: { weight: 0, values: ['na'] },
      techStack: { weight: 1, values: ['kafka'], missLabel: 'no streaming' },
    });
    expect(scoreFit({ techStack: ['kafka'] }, icp).score).toBe(100);
    expect(scoreFit({ techStack: ['excel'] }, icp)).toMatchObject({ score: 0, misses: ['no streaming'] });
  });

  it('rejects a profile whose weights are all zero', () => {
    const zero = { weight: 0, values: ['x'] };
    const band = { weight: 0, bands: [{ min: 0, score: 1, label: 'any' }] };
    expect(
      Icp.safeParse({
        industries: zero,
        employees: band,
        revenue: band,
        techStack: zero,
        regions: zero,
        tierThresholds: { tier1: 80, tier2: 50 },
      }).success,
    ).toBe(false);
  });
});
