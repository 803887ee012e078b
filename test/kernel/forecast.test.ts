/** The launch forecast's pricing and quotas (functions/kernel/forecast.ts). */
import { describe, expect, it } from 'vitest';
import {
  forecastCost,
  isoWeekOf,
  startExecutionSeconds,
  TRANSITIONS_PER_TOUCH_STEP,
} from '../../functions/kernel/forecast';

describe('forecastCost', () => {
  it('prices each component from the counts, with the assumptions it rests on', () => {
    const cost = forecastCost({
      sent: { email: 10_000, ads: 500, sdr_task: 40, direct_mail: 20 },
      touchSteps: 1000,
      invocations: 2000,
      directMailCents: 20 * 2500,
    });
    expect(cost.byComponent).toEqual({
      ses: 1, // $0.10 per 1,000
      stepFunctions: Math.round(1000 * TRANSITIONS_PER_TOUCH_STEP * 0.025) / 1000, // $0.025 per 1,000
      lambda: Math.round(2000 * (0.2 / 1e6 + 0.5 * 0.3 * 0.0000166667) * 1e4) / 1e4,
      directMail: 500,
    });
    expect(cost.usd).toBeCloseTo(1 + 0.072 + cost.byComponent.lambda + 500, 4);
    expect(cost.assumptions.join('\n')).toMatch(/aws\.amazon\.com\/ses\/pricing/);
    expect(cost.assumptions.join('\n')).toMatch(/aws\.amazon\.com\/step-functions\/pricing/);
    expect(cost.assumptions.join('\n')).toMatch(/aws\.amazon\.com\/lambda\/pricing/);
    expect(cost.assumptions.join('\n')).toContain('10000 emails');
  });
});

describe('quotas and weeks', () => {
  it('StartExecution: the bucket at once, then the refill rate', () => {
    expect(startExecutionSeconds(800)).toBe(0);
    expect(startExecutionSeconds(950)).toBe(1);
  });

  it('an ISO week is named by its Monday (UTC)', () => {
    expect(isoWeekOf(new Date('2026-03-02T00:00:00Z'))).toBe('2026-03-02'); // Monday
    expect(isoWeekOf(new Date('2026-03-08T23:59:59Z'))).toBe('2026-03-02'); // Sunday
    expect(isoWeekOf(new Date('2026-03-09T00:00:00Z'))).toBe('2026-03-09');
    expect(isoWeekOf(new Date('2027-01-01T12:00:00Z'))).toBe('2026-12-28');
  });
});
