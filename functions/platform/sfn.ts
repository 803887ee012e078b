/**
 * The Step Functions adapters, behind the ports the features use:
 * - `SequenceControl`: resume an execution parked on a task token, or stop one at once (the scorer
 *   and the operator's controls). Both are idempotent from the caller's side: a used (or timed
 *   out) token and a finished execution report `gone` instead of throwing, so retries are safe.
 * - `ExecutionStarter`: start one AccountSequence execution (the launch service); an existing
 *   name answers `started: false`, like ExecutionAlreadyExists.
 * - `LaunchRunner`: hand a large launch to the launcher state machine (audience in S3 as JSON
 *   lines, a Distributed Map over it).
 * Local mode and tests put their own implementations behind the same ports.
 */
import { createHash, randomUUID } from 'node:crypto';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  ExecutionAlreadyExists,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StopExecutionCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import type {
  ExecutionInput,
  LaunchContext,
  LaunchItem,
  LaunchPlan,
  LaunchRunner,
} from '../kernel/execution';

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

// ---------------------------------------------------------------------------
// Starting executions
// ---------------------------------------------------------------------------

export interface ExecutionStarter {
  /** Starts the execution named `input.executionName`; `started: false` when it already exists. */
  start(input: ExecutionInput): Promise<{ started: boolean }>;
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

// ---------------------------------------------------------------------------
// The launcher
// ---------------------------------------------------------------------------

/** The launcher execution's input (what the ASL reads with JSONPath). */
export interface LauncherInput extends LaunchContext {
  bucket: string;
  key: string;
}

export function toJsonLines(items: readonly LaunchItem[]): string {
  return items.map((i) => JSON.stringify(i)).join('\n') + '\n';
}

/**
 * The launcher execution's name: unique per launch attempt (the lease owner id), so a relaunch
 * after a failed or finished run really runs (a name can be used once per 90 days). Two attempts
 * never run at once: the campaign's lease serialises launches. The same attempt retried (a
 * retried StartExecution) gets the same name: ExecutionAlreadyExists, nothing launched twice.
 */
export function launcherExecutionName(campaignId: string, audienceDigest: string, launchId: string): string {
  const attempt = launchId.replace(/[^A-Za-z0-9]/g, '').slice(0, 12);
  return `${campaignId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 48)}-${audienceDigest.slice(0, 12)}-${attempt}`;
}

export class StepFunctionsLaunchRunner implements LaunchRunner {
  constructor(private readonly deps: { s3: S3Client; sfn: SFNClient; bucket: string; launcherArn: string }) {}

  async start(plan: LaunchPlan): Promise<void> {
    const body = toJsonLines(plan.items);
    const digest = createHash('sha256').update(plan.campaignId).update(body).digest('hex').slice(0, 16);
    const key = `launches/${plan.campaignId}/${digest}.jsonl`;
    await this.deps.s3.send(
      new PutObjectCommand({
        Bucket: this.deps.bucket,
        Key: key,
        Body: body,
        ContentType: 'application/x-ndjson',
      }),
    );
    const input: LauncherInput = {
      campaignId: plan.campaignId,
      sequence: plan.sequence,
      enrolledAt: plan.enrolledAt,
      bucket: this.deps.bucket,
      key,
    };
    const name = launcherExecutionName(plan.campaignId, digest, plan.launchId ?? randomUUID());
    try {
      await this.deps.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: this.deps.launcherArn,
          name,
          input: JSON.stringify(input),
        }),
      );
    } catch (err) {
      if (!(err instanceof ExecutionAlreadyExists) && (err as Error).name !== 'ExecutionAlreadyExists')
        throw err;
    }
  }
}
