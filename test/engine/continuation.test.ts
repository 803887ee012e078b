/**
 * The pure rules of continue as new (functions/engine/continuation.ts): the continuation's name,
 * when an execution continues, what it hands over, and how a plan is fitted under its deadline.
 */
import { describe, expect, it } from 'vitest';
import {
  carriedPlan,
  continuationLimits,
  DEFAULT_MAX_AGE_MS,
  DEFAULT_MAX_INVOCATIONS,
  EVENTS_PER_CYCLE_MAX,
  fitted,
  mustContinue,
  nextContinuation,
} from '../../functions/engine/continuation';
import { continuationName, executionNameFor } from '../../functions/kernel/execution';
import { SequenceInput } from '../../functions/kernel/model';

const DAY = 86_400_000;
const T0 = new Date('2026-01-05T10:00:00.000Z');
const at = (days: number) => new Date(T0.getTime() + days * DAY);
const limits = continuationLimits({ maxInvocations: 10, maxAgeMs: 30 * DAY });
const first = { executionName: 'q1--acme', enrolledAt: T0.toISOString() };
const SEQ = {
  ...SequenceInput.parse({
    id: 'seq',
    name: 'S',
    steps: [
      { id: 'wait', type: 'await_engagement', timeout: 'P20D', until: { minScore: 40 }, onTimeout: 'next' },
      { id: 'mail', channel: 'email', after: 'P0D', to: 'all', template: 't' },
    ],
  }),
  version: 1,
};

describe('continuation names', () => {
  it('keeps the enrollment name, differs per continuation and never exceeds 80 characters', () => {
    expect(continuationName('q1--acme', 1)).toMatch(/^q1--acme--c1-[0-9a-f]{8}$/);
    expect(continuationName('q1--acme', 1)).toBe(continuationName('q1--acme', 1));
    expect(continuationName('q1--acme', 2)).not.toBe(continuationName('q1--acme', 1));
    const long = executionNameFor('c'.repeat(60), 'a'.repeat(60));
    expect(long).toHaveLength(80);
    for (const n of [1, 99, 12_345]) {
      const name = continuationName(long, n);
      expect(name.length).toBeLessThanOrEqual(80);
      expect(name).toMatch(/^[A-Za-z0-9_-]+$/);
    }
    expect(nextContinuation({ ...first, continuation: nextContinuation(first, at(1)) }, at(2))).toEqual({
      n: 2,
      name: continuationName('q1--acme', 2),
      startedAt: at(2).toISOString(),
    });
  });
});

describe('when an execution continues', () => {
  it('defaults sit under the quotas: 25,000 history events, one year', () => {
    expect(continuationLimits()).toEqual({
      maxInvocations: DEFAULT_MAX_INVOCATIONS,
      maxAgeMs: DEFAULT_MAX_AGE_MS,
    });
    expect(DEFAULT_MAX_INVOCATIONS * EVENTS_PER_CYCLE_MAX).toBeLessThan(25_000 / 2);
    expect(DEFAULT_MAX_AGE_MS).toBeLessThan(365 * DAY);
    expect(() => continuationLimits({ maxInvocations: 0 })).toThrow(/maxInvocations/);
    expect(() => continuationLimits({ maxAgeMs: -1 })).toThrow(/maxAgeMs/);
  });

  it('at its invocation threshold or its deadline, never at its first invocation', () => {
    const wait = { action: 'wait' as const, at: at(1).toISOString(), step: 'mail' };
    expect(mustContinue(first, undefined, at(40), limits, 1000)).toBe(false);
    expect(mustContinue(first, { ...wait, invocations: 9 }, at(1), limits, 1000)).toBe(false);
    expect(mustContinue(first, { ...wait, invocations: 10 }, at(1), limits, 1000)).toBe(true);
    expect(mustContinue(first, wait, new Date(at(30).getTime() - 2000), limits, 1000)).toBe(false);
    expect(mustContinue(first, wait, new Date(at(30).getTime() - 500), limits, 1000)).toBe(true);
    // A continuation's deadline counts from its own start.
    const second = { ...first, continuation: nextContinuation(first, at(30)) };
    expect(mustContinue(second, wait, at(31), limits, 1000)).toBe(false);
    expect(mustContinue(second, wait, at(60), limits, 1000)).toBe(true);
  });

  it('hands over the plan as given; an outcome to take in stays', () => {
    const wait = {
      action: 'wait' as const,
      at: at(30).toISOString(),
      resumeAt: at(40).toISOString(),
      step: 'mail',
      invocations: 4,
    };
    expect(carriedPlan(wait, SEQ, at(30), 1000)).toEqual({
      action: 'wait',
      at: at(40).toISOString(),
      step: 'mail',
    });
    expect(carriedPlan({ action: 'run', step: 'mail', invocations: 10 }, SEQ, at(1), 1000)).toEqual({
      action: 'run',
      step: 'mail',
    });
    expect(
      carriedPlan(
        { action: 'pause', step: 'mail', then: wait, timedOut: {}, timeoutSeconds: 5 },
        SEQ,
        at(30),
        1000,
      ),
    ).toEqual({
      action: 'pause',
      step: 'mail',
      then: wait,
    });
    const parked = {
      action: 'await' as const,
      step: 'wait',
      since: at(25).toISOString(),
      until: { minScore: 40 },
    };
    // Cut at the deadline: parks again for what is left (20 days from day 25: 15 days from day 30).
    expect(carriedPlan({ ...parked, timedOut: {} }, SEQ, at(30), 1000)).toEqual({
      action: 'pause',
      step: 'wait',
      then: { ...parked, timeoutSeconds: 15 * 86_400 },
    });
    // Its real timeout, an engagement, a failure: taken in by this execution.
    expect(carriedPlan({ ...parked, timedOut: {} }, SEQ, at(45), 1000)).toBeUndefined();
    expect(carriedPlan({ ...parked, resume: { engaged: true } }, SEQ, at(30), 1000)).toBeUndefined();
    expect(carriedPlan({ ...wait, failed: { Error: 'x' } }, SEQ, at(30), 1000)).toBeUndefined();
    expect(carriedPlan({ action: 'done', reason: 'completed' }, SEQ, at(30), 1000)).toBeUndefined();
  });
});

describe('a plan under the deadline', () => {
  const input = { ...first, plan: { action: 'run' as const, step: 'mail', invocations: 3 } };

  it('counts the invocation and cuts a wait, an await and a pause at the deadline', () => {
    expect(fitted({ action: 'wait', at: at(5).toISOString(), step: 'mail' }, input, at(1), limits)).toEqual({
      action: 'wait',
      at: at(5).toISOString(),
      step: 'mail',
      invocations: 4,
    });
    expect(
      fitted({ action: 'wait', at: at(45).toISOString(), step: 'mail' }, input, at(1), limits),
    ).toMatchObject({
      at: at(30).toISOString(),
      resumeAt: at(45).toISOString(),
    });
    // Taken up again under a later deadline: the step's own time.
    expect(
      fitted(
        { action: 'wait', at: at(30).toISOString(), resumeAt: at(45).toISOString(), step: 'mail' },
        { ...input, continuation: nextContinuation(first, at(30)) },
        at(30),
        limits,
      ),
    ).toMatchObject({ at: at(45).toISOString(), resumeAt: undefined });
    // Past the deadline already: wake now (the next invocation continues).
    expect(fitted({ action: 'wait', at: at(45).toISOString(), step: 'mail' }, input, at(31), limits).at).toBe(
      at(31).toISOString(),
    );
    expect(
      fitted({ action: 'await', step: 'wait', timeoutSeconds: 86_400 }, input, at(1), limits).timeoutSeconds,
    ).toBe(86_400);
    expect(
      fitted({ action: 'await', step: 'wait', timeoutSeconds: 20 * 86_400 }, input, at(25), limits)
        .timeoutSeconds,
    ).toBe(5 * 86_400);
    expect(fitted({ action: 'pause', step: 'mail' }, input, at(28), limits).timeoutSeconds).toBe(2 * 86_400);
    expect(fitted({ action: 'done', reason: 'completed' }, input, at(28), limits)).toEqual({
      action: 'done',
      reason: 'completed',
      invocations: 4,
    });
  });
});
