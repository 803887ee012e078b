/**
 * Ports of the launch service, so tests, the benchmark and local mode run the same service with
 * other wiring: starting one AccountSequence execution, handing a large audience to the launcher
 * state machine, and controlling (resume, stop) a running execution.
 */
import {
  ExecutionAlreadyExists,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { ExecutionInput } from '../contracts/execution';

export interface ExecutionStarter {
  /** Starts the execution named `input.executionName`; `started: false` when it already exists. */
  start(input: ExecutionInput): Promise<{ started: boolean }>;
}

export interface SequenceControl {
  /** Completes a parked task token (a paused enrollment resumes). False when the token is gone. */
  resume(taskToken: string, output: Record<string, unknown>): Promise<boolean>;
  /** Stops the execution; false when it does not exist or already ended. */
  stop(executionName: string, cause: string): Promise<boolean>;
}

const errorName = (err: unknown): string => (err as { name?: string } | undefined)?.name ?? '';

/** The ARN of an execution of a state machine, from the state machine's ARN and the execution name. */
export function executionArnFor(stateMachineArn: string, executionName: string): string {
  const parts = stateMachineArn.split(':');
  // arn:aws:states:region:account:stateMachine:Name
  if (parts.length < 7 || parts[5] !== 'stateMachine')
    throw new Error(`not a state machine ARN: ${stateMachineArn}`);
  return [...parts.slice(0, 5), 'execution', parts[6], executionName].join(':');
}

/** One StartExecution per account; ExecutionAlreadyExists means the account is already running. */
export class StepFunctionsStarter implements ExecutionStarter {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(input: ExecutionInput): Promise<{ started: boolean }> {
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

export class StepFunctionsControl implements SequenceControl {
  constructor(
    private readonly client: SFNClient,
    private readonly sequenceStateMachineArn: string,
  ) {}

  async resume(taskToken: string, output: Record<string, unknown>): Promise<boolean> {
    try {
      await this.client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
      return true;
    } catch (err) {
      if (['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken'].includes(errorName(err))) return false;
      throw err;
    }
  }

  async stop(executionName: string, cause: string): Promise<boolean> {
    try {
      await this.client.send(
        new StopExecutionCommand({
          executionArn: executionArnFor(this.sequenceStateMachineArn, executionName),
          cause: cause.slice(0, 32_000),
        }),
      );
      return true;
    } catch (err) {
      if (errorName(err) === 'ExecutionDoesNotExist') return false;
      throw err;
    }
  }
}

/** Records what it was asked to do; for tests and dry local runs. */
export class RecordingStarter implements ExecutionStarter {
  readonly started: ExecutionInput[] = [];
  private readonly names = new Set<string>();
  calls = 0;
  async start(input: ExecutionInput): Promise<{ started: boolean }> {
    this.calls++;
    if (this.names.has(input.executionName)) return { started: false };
    this.names.add(input.executionName);
    this.started.push(input);
    return { started: true };
  }
}

export class RecordingControl implements SequenceControl {
  readonly resumed: { taskToken: string; output: Record<string, unknown> }[] = [];
  readonly stopped: { executionName: string; cause: string }[] = [];
  async resume(taskToken: string, output: Record<string, unknown>): Promise<boolean> {
    this.resumed.push({ taskToken, output });
    return true;
  }
  async stop(executionName: string, cause: string): Promise<boolean> {
    this.stopped.push({ executionName, cause });
    return true;
  }
}
