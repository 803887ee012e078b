import { describe, expect, it } from 'vitest';
import { HOLDOUT_MIN_ACCOUNTS, liftStatistics } from '../../functions/reports/campaign-report';

const group = (accounts: number, engaged: number, mqa = 0) => ({ accounts, engaged, mqa });

describe('the lift a report states, and when it says it cannot conclude', () => {
  it('no holdout: no lift, and says so', () => {
    expect(liftStatistics(group(100, 30), group(0, 0))).toEqual({
      engagementRate: null,
      mqaRate: null,
      minimumDetectableLift: null,
      note: 'No holdout: the lift cannot be measured.',
    });
  });

  it('a holdout too small to conclude says how large a lift it could detect', () => {
    const out = liftStatistics(group(180, 40), group(HOLDOUT_MIN_ACCOUNTS - 10, 1));
    expect(out.engagementRate?.value).toBeCloseTo((40 / 180 - 1 / 20) * 100, 2);
    expect(out.note).toMatch(/^The holdout has 20 accounts, too few to conclude/);
    expect(out.note).toContain(`${out.minimumDetectableLift} points`);
  });

  it('an interval that includes no lift is not conclusive; one that excludes it has no note', () => {
    expect(liftStatistics(group(100, 22), group(100, 20)).note).toMatch(/includes no lift: not conclusive/);
    const clear = liftStatistics(group(500, 200), group(100, 10));
    expect(clear.engagementRate!.ci95.lower).toBeGreaterThan(0);
    expect(clear.note).toBeUndefined();
  });
});
