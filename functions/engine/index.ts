/**
 * The engine: the use cases behind the AccountSequence state machine's tasks, assembled from its
 * parts (docs/architecture.md, "The engine"):
 *   step.ts        ExecuteStep: the plan loop (what runs now, what comes next)
 *   channels/      the channel executors and the prologue they share (window, eligibility, cap, claim)
 *   ledger.ts      the touch ledger (claimed -> handing_over -> an outcome; never lost, at most once)
 *   lifecycle.ts   the enrollment's cursor and its end (from inside, or stopped from outside)
 *   park.ts        AwaitEngagement and Paused: the task token stored on the enrollment
 *
 * Published port for other features: `enrollmentLifecycle` (the scorer's exit stages and the
 * operator's stop end enrollments through it).
 */
import { overlay } from '../kernel/async';
import type { Plan } from '../kernel/plan';
import type { Platform } from '../platform/compose';
import { createChannels } from './channels';
import type { ChannelDeps } from './channels/types';
import { engineDeps, type EngineConfig, type EngineDeps } from './context';
import { scoreFacts } from './facts';
import { createLedger } from './ledger';
import { createLifecycle } from './lifecycle';
import { createPark } from './park';
import { createStepExecutor } from './step';
import { isExecutionStopped, runStepTask, wakeSchedulePrefix } from './hand-over';

export interface SequenceEngine {
  executeStep(state: unknown): Promise<Plan>;
  park(input: unknown): Promise<{ parked: true; op: 'await' | 'pause' }>;
}

export interface EngineOptions extends Partial<Omit<EngineDeps, 'config'>> {
  config?: Partial<EngineConfig>;
}

/** ExecuteStep of a platform: the plan loop with the channels, the ledger and the lifecycle. */
export function stepFeature(platform: Platform, options: EngineOptions = {}) {
  const base = engineDeps(platform);
  const deps = overlay(base, { ...options, config: { ...base.config, ...options.config } });
  const facts = deps.facts ?? scoreFacts(deps.scores, deps.clock);
  const lifecycle = createLifecycle(deps);
  const ledger = createLedger(deps.touches, deps.log);
  const { executeTouch } = createChannels(overlay(deps as ChannelDeps, { ledger }));
  return { deps, facts, executeStep: createStepExecutor({ deps, facts, lifecycle, ledger, executeTouch }) };
}

/**
 * The ExecuteStep function (handlers/execute-step.ts): a step task (`{ state, taskToken }`) runs the
 * step and hands its plan over (hand-over.ts); RecordFailure's plain invocation (the state itself)
 * returns it; a stopped execution's status change deletes its pending wake.
 */
export function stepTaskFeature(platform: Platform, options: EngineOptions = {}) {
  const { deps, executeStep } = stepFeature(platform, options);
  return async (event: unknown): Promise<Plan | { cancelledWakes: number }> => {
    if (isExecutionStopped(event))
      return { cancelledWakes: await deps.waker.cancel(wakeSchedulePrefix(event.detail.name)) };
    return (await runStepTask(event, executeStep, deps.waker, () => deps.clock.now())).plan;
  };
}

/** The whole engine of a platform (ExecuteStep and park); `options` replace single dependencies. */
export function createSequenceEngine(platform: Platform, options: EngineOptions = {}): SequenceEngine {
  const { deps, facts, executeStep } = stepFeature(platform, options);
  return {
    executeStep,
    park: createPark({
      enrollments: deps.enrollments,
      // The same facts the steps read (a test's reader when given), for an account known by id.
      facts: async (accountId, now) => {
        const account = await deps.accounts.get(accountId);
        return account ? facts(account, now) : undefined;
      },
      clock: deps.clock,
    }),
  };
}

/** The enrollment lifecycle of a platform, for the features that end enrollments from outside. */
export { lifecycleFeature as enrollmentLifecycle, campaignCompletion } from './lifecycle';

export { touchIdOf } from './ledger';
export { runStepTask, type StepTaskEvent } from './hand-over';
/** The launch forecast (the launch feature's dry run; its own Lambda function on AWS). */
export { forecastFeature, createForecaster } from './forecast';
export type { EngineConfig } from './context';
export type { Lifecycle } from './lifecycle';
