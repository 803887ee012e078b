/**
 * Continue as new (docs/architecture.md "The engine"): one Standard execution holds at most 25,000
 * history events and lasts at most one year, "Maximum execution history size: 25,000 events in a
 * single state machine execution history" and "Maximum execution time: 1 year"
 * (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html). A year-long sequence
 * can reach either, so an execution hands its enrollment over to a new execution of the same state
 * machine (StartExecution from a Task state, as AWS recommends for long-running work:
 * https://docs.aws.amazon.com/step-functions/latest/dg/tutorial-continue-new.html) before it does.
 *
 * The rules, pure here and applied by ExecuteStep (engine/step.ts):
 * - An execution has a **deadline**: its start (`continuation.startedAt`, else the enrollment's
 *   `enrolledAt`, which is never after the first execution's start) plus `maxAgeMs`. No parked state
 *   outlasts it: a Wait ends at the deadline if the step's time (kept in `resumeAt`) is later, an
 *   await's and a pause's task
 *   timeout are cut to it.
 * - ExecuteStep counts its **invocations** in the plan.
 * - At the START of an ExecuteStep, before it does anything, when the deadline is reached or the
 *   invocations reach `maxInvocations`, it returns `continue` with the plan it was given (`then`):
 *   the next execution starts with exactly the work this one would have done, nothing is split,
 *   and the enrollment's touch ids and provider keys come from its execution name, which every
 *   continuation keeps (kernel/execution.ts), so no touch is repeated or lost.
 * A plan that carries an outcome to take in (an await engaged or timed out for real, a failure to
 * record) is taken in first; the next invocation continues.
 */
import { durationMillis } from '../kernel/duration';
import { continuationName, type Continuation, type ExecutionInput } from '../kernel/execution';
import type { SequenceDefinition } from '../kernel/model';
import { Plan, timeoutSecondsOf } from '../kernel/plan';
import { stepById } from './domain/planner';
import { iso } from './time';

/**
 * The history events of the heaviest ordinary cycle: ExecuteStep (a waitForTaskToken task:
 * entered, scheduled, started, submitted, succeeded, exited = 6), Route (a Choice: 2), then
 * AwaitEngagement (the same 6, succeeded or timed out). A touch cycle is 8, 10 through WaitUntil.
 */
export const EVENTS_PER_CYCLE_MAX = 14;

/**
 * Default invocations before continuing: 800 ordinary cycles are at most 11,200 history events,
 * which leaves 13,800 of the 25,000 for retried Lambda attempts (3 events each: failed,
 * scheduled, started; about 4,500 of them) and the continuation itself.
 */
export const DEFAULT_MAX_INVOCATIONS = 800;

/**
 * Default age before continuing: 360 days, five days short of the one-year maximum. After the
 * deadline one ExecuteStep (with its retries, minutes) and the ContinueAsNew task run, and the start
 * the age counts from is never after the execution's real start.
 */
export const DEFAULT_MAX_AGE_MS = 360 * 86_400_000;

export interface ContinuationLimits {
  /** ExecuteStep invocations of one execution before it continues as new. */
  maxInvocations: number;
  /** How long one execution runs before it continues as new. */
  maxAgeMs: number;
}

export function continuationLimits(config?: Partial<ContinuationLimits>): ContinuationLimits {
  const maxInvocations = config?.maxInvocations ?? DEFAULT_MAX_INVOCATIONS;
  const maxAgeMs = config?.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  if (!Number.isInteger(maxInvocations) || maxInvocations < 1)
    throw new Error(`continueAsNew.maxInvocations must be a positive integer: ${maxInvocations}`);
  if (!(maxAgeMs > 0)) throw new Error(`continueAsNew.maxAgeMs must be positive: ${maxAgeMs}`);
  return { maxInvocations, maxAgeMs };
}

type Input = Pick<ExecutionInput, 'executionName' | 'enrolledAt' | 'continuation'>;

/** When this execution must have handed over (see the header). */
export function deadlineOf(input: Input, limits: ContinuationLimits): Date {
  const start = Date.parse(input.continuation?.startedAt ?? input.enrolledAt);
  return new Date(start + limits.maxAgeMs);
}

/** The execution that continues this one, started now. */
export function nextContinuation(input: Input, now: Date): Continuation {
  const n = (input.continuation?.n ?? 0) + 1;
  return { n, name: continuationName(input.executionName, n), startedAt: iso(now) };
}

/** Whether this execution must continue as new before running `plan` (see the header). */
export function mustContinue(
  input: Input,
  plan: Plan | undefined,
  now: Date,
  limits: ContinuationLimits,
  toleranceMs: number,
): boolean {
  if (!plan) return false; // the first invocation of an execution: never (no loop of empty executions)
  if ((plan.invocations ?? 0) >= limits.maxInvocations) return true;
  return now.getTime() + toleranceMs >= deadlineOf(input, limits).getTime();
}

/**
 * The plan the next execution starts with, from the plan this invocation was given; undefined
 * when that plan carries an outcome this execution takes in first (see the header).
 */
export function carriedPlan(
  plan: Plan,
  seq: SequenceDefinition,
  now: Date,
  toleranceMs: number,
): Plan | undefined {
  if (plan.failed !== undefined) return undefined;
  switch (plan.action) {
    case 'wake':
    case 'wait':
    case 'run':
      return {
        ...plan,
        action: plan.action === 'wake' ? 'wait' : plan.action,
        at: plan.resumeAt ?? plan.at,
        resumeAt: undefined,
        invocations: undefined,
      };
    case 'pause':
      // Whether it was resumed or its park ran out at the deadline, the enrollment's status says
      // what the next execution does with it (engine/step.ts): park again, or go on with `then`.
      return { action: 'pause', step: plan.step, then: plan.then };
    case 'await': {
      if (plan.resume !== undefined || plan.timedOut === undefined) return undefined;
      const step = plan.step ? stepById(seq, plan.step) : undefined;
      if (!step || step.type !== 'await_engagement' || !plan.since) return undefined;
      const end = Date.parse(plan.since) + durationMillis(step.timeout);
      if (end <= now.getTime() + toleranceMs) return undefined; // its real timeout: taken in here
      // Cut at the deadline: the next execution parks again for what is left, as the same wait
      // (`since` kept). A pause around it is the way in that parks an await without taking it as
      // ended (the way local mode re-hydrates a parked await).
      const rest: Plan = {
        action: 'await',
        step: plan.step,
        until: plan.until,
        since: plan.since,
        timeoutSeconds: timeoutSecondsOf(end - now.getTime()),
      };
      return { action: 'pause', step: plan.step, then: rest };
    }
    case 'continue':
    case 'done':
      return undefined;
  }
}

/**
 * A plan ExecuteStep returns, fitted to the execution: its invocation counted, and no parked state
 * past the deadline (a Wait wakes at it; an await's or a pause's task times out at it).
 */
export function fitted(
  plan: Plan,
  input: Input & { plan?: Plan },
  now: Date,
  limits: ContinuationLimits,
): Plan {
  const invocations = (input.plan?.invocations ?? 0) + 1;
  const deadline = deadlineOf(input, limits).getTime();
  const untilDeadline = timeoutSecondsOf(deadline - now.getTime());
  switch (plan.action) {
    case 'wait': {
      const target = plan.resumeAt ?? plan.at;
      if (!target || Date.parse(target) <= deadline)
        return { ...plan, at: target, resumeAt: undefined, invocations };
      return { ...plan, at: iso(new Date(Math.max(deadline, now.getTime()))), resumeAt: target, invocations };
    }
    case 'await':
      return {
        ...plan,
        invocations,
        timeoutSeconds: Math.min(plan.timeoutSeconds ?? untilDeadline, untilDeadline),
      };
    case 'pause':
      return { ...plan, invocations, timeoutSeconds: untilDeadline };
    default:
      return { ...plan, invocations };
  }
}
