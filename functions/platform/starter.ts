/**
 * The launch service's port for starting one AccountSequence execution, so tests, the benchmark
 * and local mode run the same service with other wiring. Controlling a running execution (resume,
 * stop) goes through the shared `SequenceControl` in functions/platform/sfn.
 */
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { ExecutionInput } from '../kernel/execution';

export interface ExecutionStarter {
  /** Starts the execution named `input.executionName`; `started: false` when it already exists. */
  start(input: ExecutionInput): Promise<{ started: boolean }>;
}

const errorName = (err: unknown): string => (err as { name?: string } | undefined)?.name ?? '';

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
