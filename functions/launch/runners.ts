/**
 * The in-process LaunchRunner: local mode and most tests run a large launch's batches here with the
 * same `enrollBatch` the launcher's item processor runs on AWS. The launcher's ASL itself runs on
 * lib/local/launcher.ts (its Distributed Map as an inline Map over the same item reader contract:
 * the launch benchmark and test/launch/launcher-asl.test.ts). The AWS runner is
 * functions/platform/launcher.ts.
 */
import type { LaunchContext, LaunchItem, LaunchPlan, LaunchRunner } from '../kernel/execution';
import { forecastFeature } from '../engine';
import type { Platform } from '../platform/compose';
import { launchFeature, type BatchResult, type LaunchOptions, type LaunchService } from './launch-service';

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

/**
 * The launch service of a platform with its large launches run in this process (local mode, tests,
 * benchmarks) instead of the launcher state machine, and its forecast computed in this process;
 * `idle()` resolves when they have finished.
 */
export function inProcessLaunch(
  platform: Platform,
  runnerOptions: InProcessRunnerOptions = {},
  options: LaunchOptions = {},
): LaunchService & { idle(): Promise<void> } {
  const holder: { runner?: InProcessLaunchRunner } = {};
  const service = launchFeature(platform, {
    // The forecast in process too (on AWS it is its own function).
    forecaster: forecastFeature(platform),
    ...options,
    runner: { start: (plan) => holder.runner!.start(plan) },
  });
  holder.runner = new InProcessLaunchRunner(service, runnerOptions);
  return { ...service, idle: () => holder.runner!.idle() };
}
