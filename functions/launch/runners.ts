/**
 * LaunchRunner implementations. On AWS a large audience is written to S3 as JSON lines and the
 * launcher state machine (statemachines/campaign-launch.asl.json) runs a Distributed Map over it,
 * with bounded concurrency, each batch calling `enrollBatch`. In local mode, tests and the
 * benchmark the same `enrollBatch` runs in process, in batches (aws-local-stepfunctions cannot run
 * a Distributed Map that reads from S3).
 */
import { createHash, randomUUID } from 'node:crypto';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ExecutionAlreadyExists, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { BatchResult, LaunchContext, LaunchItem, LaunchPlan, LaunchRunner } from './launch-service';

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

export interface InProcessRunnerOptions {
  batchSize?: number;
  /** Batches in flight at once (the Distributed Map's MaxConcurrency). */
  concurrency?: number;
  /** Wait for the launch before `start` returns (tests, bench); else it runs in the background. */
  awaitCompletion?: boolean;
  onError?: (err: unknown) => void;
}

/** Runs the launch in this process, in batches: local mode, tests and the benchmark. */
export class InProcessLaunchRunner implements LaunchRunner {
  readonly results: BatchResult[] = [];
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly service: {
      enrollBatch(context: LaunchContext, items: readonly LaunchItem[]): Promise<BatchResult>;
      finalize(campaignId: string, added?: { enrolled: number; heldOut: number }): Promise<unknown>;
      finalizeFailed?(campaignId: string): Promise<unknown>;
    },
    private readonly options: InProcessRunnerOptions = {},
  ) {}

  async start(plan: LaunchPlan): Promise<void> {
    const run = this.run(plan);
    this.pending = this.pending.then(() => run).catch((err) => this.options.onError?.(err));
    if (this.options.awaitCompletion ?? true) await run;
  }

  /** Resolves when every launch started so far has finished. */
  idle(): Promise<void> {
    return this.pending;
  }

  private async run(plan: LaunchPlan): Promise<void> {
    const size = this.options.batchSize ?? 100;
    const batches: LaunchItem[][] = [];
    for (let i = 0; i < plan.items.length; i += size) batches.push(plan.items.slice(i, i + size));
    const context: LaunchContext = {
      campaignId: plan.campaignId,
      sequence: plan.sequence,
      enrolledAt: plan.enrolledAt,
    };
    let next = 0;
    const added = { enrolled: 0, heldOut: 0 };
    const workers = Array.from(
      { length: Math.min(this.options.concurrency ?? 10, batches.length) },
      async () => {
        while (next < batches.length) {
          const batch = batches[next++];
          const result = await this.service.enrollBatch(context, batch);
          this.results.push(result);
          added.enrolled += result.enrolled;
          added.heldOut += result.heldOut;
        }
      },
    );
    try {
      await Promise.all(workers);
    } catch (err) {
      // As the launcher's Catch: record what was enrolled and release the lease, then fail.
      await this.service.finalizeFailed?.(plan.campaignId);
      throw err;
    }
    await this.service.finalize(plan.campaignId, added);
  }
}
