/**
 * The plan contract between the engine's Lambda tasks and the state machine (`$.plan`).
 *
 * ExecuteStep is a callback task: its Lambda function completes its own task token with the plan
 * (SendTaskSuccess), at once or, for a wait of at least `SCHEDULED_WAIT_MIN_MS`, at the wait's end
 * through a one-time EventBridge Scheduler schedule (engine/hand-over.ts). Route (a Choice on
 * `$.plan.action`) reads it:
 * - `wake`  -> ExecuteStep at once: a `wait` that was served by a schedule, whose time has come
 *              (ExecuteStep reads it as the `wait` it was)
 * - `wait`  -> WaitUntil (`$.plan.at`) -> ExecuteStep runs `$.plan.step`: a wait shorter than a
 *              schedule's precision allows (an email's sending slot, a throttled call's retry)
 * - `run`   -> ExecuteStep at once (a step that is due now but did not fit in the last invocation)
 * - `await` -> AwaitEngagement: parks on a task token for at most `$.plan.timeoutSeconds`
 * - `pause` -> Paused: parks on a task token until the enrollment is resumed or stopped, for at
 *              most `$.plan.timeoutSeconds`
 * - `continue` -> ContinueAsNew: starts `$.plan.continuation.name` with `$.plan.then` as its plan,
 *              then Continued (Succeed)
 * - `done`  -> Done (Succeed); `reason` says why
 *
 * No parked state outlasts the execution's continuation deadline (engine/continuation.ts):
 * a wait's `at` and a park's `timeoutSeconds` are cut to it (the step's own time kept in
 * `resumeAt`), and ExecuteStep continues as new once it is reached.
 *
 * The state machine adds `resume` (the output of SendTaskSuccess) or `timedOut` (the States.Timeout
 * error) to a parked plan, and `failed` when ExecuteStep failed after its retries.
 */
import * as z from 'zod';
import { Continuation } from './execution';
import { Condition, IsoTimestamp } from './model';

export const PLAN_ACTIONS = ['wake', 'wait', 'run', 'await', 'pause', 'continue', 'done'] as const;

export const Plan = z.object({
  action: z.enum(PLAN_ACTIONS),
  /**
   * wait, wake: when ExecuteStep runs next: when the step is to run (already inside the send window), or
   * the execution's continuation deadline when that comes first.
   */
  at: IsoTimestamp.optional(),
  /** wait: when the step is to run, when `at` was cut to the continuation deadline. */
  resumeAt: IsoTimestamp.optional(),
  /** The step to run next, or the step being awaited or paused in. */
  step: z.string().optional(),
  /** When the step fell due (before business hours and caps moved it). */
  due: IsoTimestamp.optional(),
  /** Contacts of a partly executed step still to reach (other windows, deferred by a cap). */
  contacts: z.array(z.string()).optional(),
  /**
   * await: the step's timeout in seconds (cut to the continuation deadline); pause: the seconds
   * until the continuation deadline.
   */
  timeoutSeconds: z.number().int().positive().optional(),
  /** await: the condition that ends the wait early (stored on the enrollment for the scorer). */
  until: Condition.optional(),
  /** await: when the wait began (engagement counts from here). */
  since: IsoTimestamp.optional(),
  /**
   * pause: the plan to continue with when resumed; continue: the plan the next execution starts
   * with (itself a Plan, parsed when it is taken up).
   */
  then: z.unknown().optional(),
  /** continue: the execution that continues this one. */
  continuation: Continuation.optional(),
  /** ExecuteStep invocations of this execution so far (its continue-as-new threshold). */
  invocations: z.number().int().nonnegative().optional(),
  /** done: why the sequence ended (completed, exit_stage:opportunity, stopped, ...). */
  reason: z.string().optional(),
  /** Set by the state machine: SendTaskSuccess output, timeout error, or a caught task failure. */
  resume: z.unknown().optional(),
  timedOut: z.unknown().optional(),
  failed: z.unknown().optional(),
});
export type Plan = z.infer<typeof Plan>;

/** SFN timeouts are integers in [1, 99999999] seconds. */
export function timeoutSecondsOf(ms: number): number {
  return Math.min(99_999_999, Math.max(1, Math.ceil(ms / 1000)));
}
