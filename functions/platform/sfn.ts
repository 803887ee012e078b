/**
 * The Step Functions adapters, behind the ports the features use:
 * - `SequenceControl`: resume an execution parked on a task token, or stop one at once (the scorer
 *   and the operator's controls). Both are idempotent from the caller's side: a used (or timed
 *   out) token and a finished execution report `gone` instead of throwing, so retries are safe.
 * - `ExecutionStarter`: start one AccountSequence execution (the launch service); an existing
 *   name answers `started: false` (ExecutionAlreadyExists), except AWS's idempotent success for a
 *   running execution with the same input (`startExecutionOutcome`).
 * Local mode and tests put their own implementations behind the same ports. The SDK is loaded
 * when a port is first used (./aws-sdk.ts).
 */
import type { SFNClient } from '@aws-sdk/client-sfn';
import { lazyClient, sfnSdk } from './aws-sdk';
import { configuredPort } from './compose';
import type { ExecutionInput } from '../kernel/execution';

export type ControlOutcome = 'done' | 'gone';

export interface SequenceControl {
  /** Completes the task token of a parked await_engagement with `output` (JSON-serialisable). */
  resume(taskToken: string, output: unknown): Promise<ControlOutcome>;
  /** Stops the account's execution with a reason (the execution ends at once, not at its next step). */
  stop(executionName: string, reason: string): Promise<ControlOutcome>;
}

/** Errors that mean "already done": the token or the execution is gone. */
const GONE_ERRORS = new Set(['TaskDoesNotExist', 'TaskTimedOut', 'InvalidToken', 'ExecutionDoesNotExist']);

const errorName = (err: unknown): string => (err as { name?: string } | undefined)?.name ?? '';

/** The execution ARN of a named execution of a state machine. */
export function executionArnFor(stateMachineArn: string, executionName: string): string {
  const parts = stateMachineArn.split(':');
  // arn:partition:states:region:account:stateMachine:name
  if (parts.length < 7 || parts[5] !== 'stateMachine')
    throw new Error(`not a state machine ARN: ${stateMachineArn}`);
  return [...parts.slice(0, 5), 'execution', parts[6], executionName].join(':');
}

export class SfnSequenceControl implements SequenceControl {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async resume(taskToken: string, output: unknown): Promise<ControlOutcome> {
    try {
      const { SendTaskSuccessCommand } = sfnSdk();
      await this.client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output ?? {}) }));
      return 'done';
    } catch (err) {
      if (GONE_ERRORS.has(errorName(err))) return 'gone';
      throw err;
    }
  }

  async stop(executionName: string, reason: string): Promise<ControlOutcome> {
    const { StopExecutionCommand } = sfnSdk();
    try {
      await this.client.send(
        new StopExecutionCommand({
          executionArn: executionArnFor(this.stateMachineArn, executionName),
          error: 'AccountExited',
          cause: reason.slice(0, 32_000),
        }),
      );
      return 'done';
    } catch (err) {
      if (GONE_ERRORS.has(errorName(err))) return 'gone';
      throw err;
    }
  }
}

// ---------------------------------------------------------------------------
// Starting executions
// ---------------------------------------------------------------------------

export interface ExecutionStarter {
  /** Starts the execution named `input.executionName`; `started: false` when it already exists. */
  start(input: ExecutionInput): Promise<{ started: boolean }>;
}

/**
 * One StartExecution per account; ExecutionAlreadyExists means the account's execution exists. A
 * success may be AWS's idempotent answer for a running execution with the same input
 * (`startExecutionOutcome`): callers that must tell send a fresh `restartId`.
 */
export class StepFunctionsStarter implements ExecutionStarter {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(input: ExecutionInput): Promise<{ started: boolean }> {
    const { ExecutionAlreadyExists, StartExecutionCommand } = sfnSdk();
    try {
      await this.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: input.executionName,
          input: JSON.stringify(input),
        }),
      );
      return { started: true };
    } catch (err) {
      if (err instanceof ExecutionAlreadyExists || errorName(err) === 'ExecutionAlreadyExists')
        return { started: false };
      throw err;
    }
  }
}

// ---------------------------------------------------------------------------
// Ports
// ---------------------------------------------------------------------------

/** Resume and stop AccountSequence executions (`config.sequenceStateMachineArn`). */
export const SEQUENCE_CONTROL = /* @__PURE__ */ configuredPort(
  'control',
  'sequenceStateMachineArn',
  (arn) =>
    new SfnSequenceControl(
      lazyClient(() => new (sfnSdk().SFNClient)({})),
      arn,
    ),
);

/** Start AccountSequence executions (`config.sequenceStateMachineArn`). */
export const EXECUTION_STARTER = /* @__PURE__ */ configuredPort(
  'starter',
  'sequenceStateMachineArn',
  (arn) =>
    new StepFunctionsStarter(
      lazyClient(() => new (sfnSdk().SFNClient)({})),
      arn,
    ),
);
