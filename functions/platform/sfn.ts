/**
 * The scorer's port into running sequences (DESIGN 2, 2.4): resume an execution parked on a task
 * token, or stop an execution at once. Both are idempotent from the caller's side: a token that
 * was already used (or timed out), and an execution that is already finished, report `gone`
 * instead of throwing, so a retried scorer batch can repeat them safely.
 */
import { SendTaskSuccessCommand, StopExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';

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
      await this.client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output ?? {}) }));
      return 'done';
    } catch (err) {
      if (GONE_ERRORS.has(errorName(err))) return 'gone';
      throw err;
    }
  }

  async stop(executionName: string, reason: string): Promise<ControlOutcome> {
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

/** Records calls; for tests and dry runs. `onResume`/`onStop` let a test route them into a local engine. */
export class RecordingSequenceControl implements SequenceControl {
  readonly resumed: { taskToken: string; output: unknown }[] = [];
  readonly stopped: { executionName: string; reason: string }[] = [];
  private readonly usedTokens = new Set<string>();

  constructor(
    private readonly hooks: {
      onResume?: (taskToken: string, output: unknown) => Promise<ControlOutcome | void>;
      onStop?: (executionName: string, reason: string) => Promise<ControlOutcome | void>;
    } = {},
  ) {}

  async resume(taskToken: string, output: unknown): Promise<ControlOutcome> {
    if (this.usedTokens.has(taskToken)) return 'gone';
    this.usedTokens.add(taskToken);
    this.resumed.push({ taskToken, output });
    return (await this.hooks.onResume?.(taskToken, output)) ?? 'done';
  }

  async stop(executionName: string, reason: string): Promise<ControlOutcome> {
    this.stopped.push({ executionName, reason });
    return (await this.hooks.onStop?.(executionName, reason)) ?? 'done';
  }
}
