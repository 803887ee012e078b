import { describe, expect, it } from 'vitest';
import { replay, VirtualBucket } from '../../bench/scale';

describe('VirtualBucket', () => {
  it('lets the burst through at once, then paces at the refill rate on its virtual clock', () => {
    const b = new VirtualBucket(1300, 300);
    let now = 0;
    for (let i = 0; i < 1300; i++) now = b.take(now);
    expect(now).toBe(0);
    for (let i = 0; i < 300; i++) now = b.take(now);
    expect(now).toBeCloseTo(1, 9);
    expect(b.waitedSeconds).toBeCloseTo(1, 9);
    expect(b.calls).toBe(1600);
  });

  it('refills while the clock moves elsewhere, never above its capacity', () => {
    const b = new VirtualBucket(10, 1);
    for (let i = 0; i < 10; i++) b.take(0);
    expect(b.take(100)).toBe(100); // refilled to 10, not 100
    for (let i = 0; i < 9; i++) b.take(100);
    expect(b.take(100)).toBeCloseTo(101, 9);
  });
});

describe('replay', () => {
  it('puts 1,000,000 StartExecutions at (1,000,000 - 1,300) / 300 seconds', () => {
    const r = replay({ perAccount: { 'sfn:StartExecution': 1 }, fixed: {} }, 1_000_000, 100);
    expect(r.calls['sfn:StartExecution']).toBe(1_000_000);
    expect(r.seconds).toBeCloseTo((1_000_000 - 1300) / 300, 3);
    expect(r.waitsSeconds['sfn:StartExecution']).toBeCloseTo(3329, 0);
  });

  it('carries fractional per-account rates so a 0.01 rate gives one call per 100 accounts', () => {
    const r = replay({ perAccount: { 'lambda:Invoke': 0.01 }, fixed: {} }, 10_000, 100);
    expect(r.calls['lambda:Invoke']).toBe(100);
  });
});
