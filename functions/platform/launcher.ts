/**
 * The `LaunchRunner` adapter: a large launch goes to the launcher state machine, its audience in S3
 * as JSON lines and a Distributed Map over it (statemachines/campaign-launch.asl.json).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { lazyClient, sfnSdk } from './aws-sdk';
import type { LaunchContext, LaunchItem, LaunchPlan, LaunchRunner } from '../kernel/execution';
import { needConfig, port } from './compose';

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

/**
 * The S3 client module, loaded on the first launch that needs it: the functions that carry this
 * port but never start a launcher (the launcher's own batches and Finalize, the API for launches
 * of up to 100 accounts) do not load it at cold start (40 ms and more of their init,
 * `npm run bench -- bundles`).
 */
const s3Module = (): typeof import('@aws-sdk/client-s3') =>
  // A require, not import(): the same CommonJS build of the SDK the other clients load.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('@aws-sdk/client-s3');

/**
 * What a launch hands the launcher: the audience file (its key and JSON lines), the execution's
 * input and name. The AWS runner below and local mode's (lib/local/launcher.ts) share it.
 */
export function launcherRequest(plan: LaunchPlan, bucket: string) {
  const body = toJsonLines(plan.items);
  const digest = createHash('sha256').update(plan.campaignId).update(body).digest('hex').slice(0, 16);
  const key = `launches/${plan.campaignId}/${digest}.jsonl`;
  const input: LauncherInput = {
    campaignId: plan.campaignId,
    sequence: plan.sequence,
    enrolledAt: plan.enrolledAt,
    bucket,
    key,
  };
  return {
    key,
    body,
    input,
    name: launcherExecutionName(plan.campaignId, digest, plan.launchId ?? randomUUID()),
  };
}

export class StepFunctionsLaunchRunner implements LaunchRunner {
  private s3?: S3Client;

  constructor(private readonly deps: { s3?: S3Client; sfn: SFNClient; bucket: string; launcherArn: string }) {
    this.s3 = deps.s3;
  }

  async start(plan: LaunchPlan): Promise<void> {
    const { PutObjectCommand, S3Client } = s3Module();
    this.s3 ??= new S3Client({});
    const { key, body, input, name } = launcherRequest(plan, this.deps.bucket);
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.deps.bucket,
        Key: key,
        Body: body,
        ContentType: 'application/x-ndjson',
      }),
    );
    const { ExecutionAlreadyExists, StartExecutionCommand } = sfnSdk();
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

/** Hand a large launch to the launcher (`config.launcherStateMachineArn`, `config.audienceBucket`). */
export const LAUNCHER = /* @__PURE__ */ port(
  'launcher',
  (config) =>
    new StepFunctionsLaunchRunner({
      sfn: lazyClient(() => new (sfnSdk().SFNClient)({})),
      bucket: needConfig(config, 'launcher', 'audienceBucket'),
      launcherArn: needConfig(config, 'launcher', 'launcherStateMachineArn'),
    }),
);
