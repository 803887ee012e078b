import { describe, expect, it } from 'vitest';
import { minimumDetectableDifference, newcombe, wilson } from '../../functions/kernel/stats';

const round4 = (i: { lower: number; upper: number } | undefined) =>
  i && { lower: Number(i.lower.toFixed(4)), upper: Number(i.upper.toFixed(4)) };

describe('Wilson score interval: the worked examples of Newcombe (1998, single proportion), method 3', () => {
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])('%i / %i', (x, n, lower, upper) => {
    expect(round4(wilson(x, n))).toEqual({ lower, upper });
  });
});

describe("Newcombe's hybrid score interval: the worked examples of Newcombe (1998, difference), method 10", () => {
  it.each([
    [56, 70, 48, 80, 0.0524, 0.3339],
    [9, 10, 3, 10, 0.1705, 0.809],
    [6, 7, 2, 7, 0.0582, 0.8062],
    [5, 56, 0, 29, -0.0381, 0.1926],
    [0, 10, 0, 20, -0.1611, 0.2775],
    [0, 10, 0, 10, -0.2775, 0.2775],
  ])('%i/%i - %i/%i', (x1, n1, x2, n2, lower, upper) => {
    expect(round4(newcombe(x1, n1, x2, n2))).toEqual({ lower, upper });
  });

  it('is undefined when a group is empty', () => {
    expect(newcombe(1, 10, 0, 0)).toBeUndefined();
  });
});

describe('minimum detectable difference (alpha 0.05 two-sided, power 0.8)', () => {
  it('follows (z_0.975 + z_0.8) sqrt(p(1-p)(1/n1 + 1/n2))', () => {
    expect(minimumDetectableDifference(0.5, 100, 100)).toBeCloseTo(0.1981, 4);
    // Four times the sample halves the detectable difference.
    expect(minimumDetectableDifference(0.2, 400, 400)! * 2).toBeCloseTo(
      minimumDetectableDifference(0.2, 100, 100)!,
      10,
    );
    expect(minimumDetectableDifference(0.2, 100, 0)).toBeUndefined();
  });
});
