/**
 * Hand-over: how ExecuteStep gives its plan back to the state machine. ExecuteStep is a callback
 * task (`lambda:invoke.waitForTaskToken`, statemachines/account-sequence.asl.json): its function
 * completes its own task token with the plan (SendTaskSuccess), and the task's time is the step's
 * wait, so the common cycle is ExecuteStep -> Route -> ExecuteStep, two state transitions per touch
 * where a Wait state made it three (Task, Choice, Wait):
 * - a `wait` of at least `SCHEDULED_WAIT_MIN_MS` completes at its end through a one-time EventBridge
 *   Scheduler schedule (platform/wake.ts), as a `wake` plan that Route sends straight to
 *   ExecuteStep. A schedule fires within the minute after its time
 *   (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html), so its time is
 *   the wait's end rounded up to the minute: never early, at most two minutes late;
 * - every other plan completes at once (a shorter wait: WaitUntil; an await, a pause, a
 *   continuation, the end: their states).
 * RecordFailure invokes the same function as a plain Lambda task (no token): it returns the plan.
 *
 * A schedule's name is the running execution's digest and the invocation's number
 * (`wakeScheduleName`): a retried attempt of one invocation replaces its own schedule, two waits
 * never share one (a schedule deletes itself after it has run, not at once), and stopping an
 * execution deletes its pending schedule by the digest (platform/sfn.ts).
 */
import { createHash } from 'node:crypto';
import { runningExecutionName, type ExecutionInput } from '../kernel/execution';
import type { Plan } from '../kernel/plan';
import type { StepWaker } from '../platform/wake';

/** Shorter waits go through WaitUntil: a schedule's 60-second precision would delay them too much. */
export const SCHEDULED_WAIT_MIN_MS = 2 * 60_000;

/** What the ExecuteStep state gives its function: the state, and the task's token. */
export interface StepTaskEvent {
  state: unknown;
  taskToken: string;
}

export function isStepTask(event: unknown): event is StepTaskEvent {
  const e = event as Partial<StepTaskEvent> | undefined;
  return typeof e?.taskToken === 'string' && typeof e.state === 'object' && e.state !== null;
}

/** The minute at or after `at`: a schedule then fires at `at` at the earliest. */
export function wakeTime(at: Date): Date {
  return new Date(Math.ceil(at.getTime() / 60_000) * 60_000);
}

/** The digest every wake schedule of an execution starts with. */
export function wakeSchedulePrefix(executionName: string): string {
  return `w-${createHash('sha256').update(executionName).digest('hex').slice(0, 24)}-`;
}

/** A wake schedule's name (at most 64 of [0-9A-Za-z-_.], as EventBridge Scheduler requires). */
export function wakeScheduleName(
  input: Pick<ExecutionInput, 'executionName' | 'continuation'>,
  plan: Plan,
): string {
  return `${wakeSchedulePrefix(runningExecutionName(input))}${plan.invocations ?? 0}`;
}

/**
 * What Step Functions publishes when an execution stops (an ABORTED "Step Functions Execution
 * Status Change", https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html): the
 * stack's rule sends the AccountSequence's to ExecuteStep, which deletes the execution's pending
 * wake (StopExecution leaves it, and it would fail against the closed task).
 */
export interface ExecutionStopped {
  source: 'aws.states';
  'detail-type': 'Step Functions Execution Status Change';
  detail: { name: string; status: 'ABORTED' };
}

export function isExecutionStopped(event: unknown): event is ExecutionStopped {
  const e = event as Partial<ExecutionStopped> | undefined;
  return e?.source === 'aws.states' && e.detail?.status === 'ABORTED' && typeof e.detail.name === 'string';
}

/** How a plan left: at once, or at a schedule's time. */
export type HandedOver = { at: 'now' } | { at: Date; schedule: string };

/**
 * The ExecuteStep function's protocol, one piece for Lambda, local mode and the tests: a step task
 * runs the step on its state (`step`: the engine, and whatever a runtime does with the plan) and
 * hands the plan over; RecordFailure's plain invocation (the state itself) only runs it.
 */
export async function runStepTask(
  event: unknown,
  step: (state: unknown) => Promise<Plan>,
  waker: StepWaker,
  now: () => Date,
): Promise<{ plan: Plan; handedOver?: HandedOver }> {
  if (!isStepTask(event)) return { plan: await step(event) };
  const plan = await step(event.state);
  const state = event.state as Pick<ExecutionInput, 'executionName' | 'continuation'>;
  return { plan, handedOver: await handOver(waker, now(), { ...event, state }, plan) };
}

/** Completes ExecuteStep's task with `plan` (see the header). */
export async function handOver(
  waker: StepWaker,
  now: Date,
  event: { state: Pick<ExecutionInput, 'executionName' | 'continuation'>; taskToken: string },
  plan: Plan,
): Promise<HandedOver> {
  const end = plan.action === 'wait' && plan.at ? Date.parse(plan.at) : NaN;
  if (end - now.getTime() >= SCHEDULED_WAIT_MIN_MS) {
    const at = wakeTime(new Date(end));
    const schedule = wakeScheduleName(event.state, plan);
    await waker.completeAt(schedule, at, event.taskToken, { ...plan, action: 'wake' });
    return { at, schedule };
  }
  await waker.complete(event.taskToken, plan);
  return { at: 'now' };
}
