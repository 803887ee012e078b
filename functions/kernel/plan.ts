/**
 * The plan contract between the engine's Lambda tasks and the state machine (`$.plan`).
 *
 * Route (a Choice on `$.plan.action`) reads it:
 * - `wait`  -> WaitUntil (`$.plan.at`) -> ExecuteStep runs `$.plan.step`
 * - `run`   -> ExecuteStep at once (a step that is due now but did not fit in the last invocation)
 * - `await` -> AwaitEngagement: parks on a task token for at most `$.plan.timeoutSeconds`
 * - `pause` -> Paused: parks on a task token until the enrollment is resumed or stopped
 * - `done`  -> Done (Succeed); `reason` says why
 *
 * The state machine adds `resume` (the output of SendTaskSuccess) or `timedOut` (the States.Timeout
 * error) to a parked plan, and `failed` when ExecuteStep failed after its retries.
 */
import * as z from 'zod';
import { Condition, IsoTimestamp } from './model';

export const PLAN_ACTIONS = ['wait', 'run', 'await', 'pause', 'done'] as const;

export const Plan = z.object({
  action: z.enum(PLAN_ACTIONS),
  /** wait: when ExecuteStep runs next (already inside the send window). */
  at: IsoTimestamp.optional(),
  /** The step to run next, or the step being awaited or paused in. */
  step: z.string().optional(),
  /** When the step fell due (before business hours and caps moved it). */
  due: IsoTimestamp.optional(),
  /** Contacts of a partly executed step still to reach (other windows, deferred by a cap). */
  contacts: z.array(z.string()).optional(),
  /** await: the step's timeout in seconds. */
  timeoutSeconds: z.number().int().positive().optional(),
  /** await: the condition that ends the wait early (stored on the enrollment for the scorer). */
  until: Condition.optional(),
  /** await: when the wait began (engagement counts from here). */
  since: IsoTimestamp.optional(),
  /** pause: the plan to continue with when resumed (itself a Plan, parsed when it is taken up). */
  then: z.unknown().optional(),
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
