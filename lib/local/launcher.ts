/**
 * The launcher state machine run locally: `statemachines/campaign-launch.asl.json` itself on the
 * local Step Functions runner (lib/local/step-functions.ts; its Distributed Map as an inline Map
 * over the same item reader contract), the audience in an object store as the AWS runner writes it
 * to S3 (the same key, the same JSON lines: functions/platform/launcher.ts `launcherRequest`), the
 * batches and Finalize on the same service calls their Lambda handlers make
 * (functions/launch/handlers/enroll-batch.ts; functions/launch/finalize.ts).
 *
 * Every call a real launch makes outside the service's own clients is counted in `calls`: the S3
 * PutObject of the audience, the launcher's StartExecution, the item reader's GetObject, each
 * Distributed Map child (an Express execution) and each Lambda invoke, the DeleteObject at the end.
 */
import * as path from 'node:path';
import type { LaunchPlan, LaunchRunner } from '../../functions/kernel/execution';
import { EnrollBatchEvent } from '../../functions/launch/enroll-batch-schema';
import type { LaunchService } from '../../functions/launch';
import { finalizeLaunch } from '../../functions/launch/finalize';
import { launcherRequest } from '../../functions/platform/launcher';
import { createLocalSfn, type LocalSfn } from './step-functions';

export const LAUNCHER_ASL_PATH = path.join(
  __dirname,
  '..',
  '..',
  'statemachines',
  'campaign-launch.asl.json',
);

const ENROLL_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:local-enroll-batch';
const FINALIZE_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:local-finalize-launch';

export type LauncherCall =
  | 's3:PutObject'
  | 's3:GetObject'
  | 's3:DeleteObject'
  | 'states:StartExecution'
  | 'states:MapChildExecution'
  | 'lambda:Invoke';

/** A bucket in memory: objects by key. */
export class LocalBucket {
  readonly objects = new Map<string, string>();
}

export class LocalLauncher implements LaunchRunner {
  readonly calls: Record<LauncherCall, number> = {
    's3:PutObject': 0,
    's3:GetObject': 0,
    's3:DeleteObject': 0,
    'states:StartExecution': 0,
    'states:MapChildExecution': 0,
    'lambda:Invoke': 0,
  };
  private readonly sfn: LocalSfn;
  /** The outcome of each launcher execution, by name. */
  readonly executions = new Map<
    string,
    { status: string; output?: unknown; error?: unknown; path: string[] }
  >();

  constructor(
    service: Pick<LaunchService, 'enrollBatch' | 'finalize' | 'finalizeFailed'>,
    private readonly options: { bucket?: LocalBucket; bucketName?: string } = {},
  ) {
    const bucket = (this.options.bucket ??= new LocalBucket());
    const count = (call: LauncherCall) => this.calls[call]++;
    this.sfn = createLocalSfn({
      definitionPath: LAUNCHER_ASL_PATH,
      substitutions: { EnrollBatchFunctionArn: ENROLL_ARN, FinalizeFunctionArn: FINALIZE_ARN },
      time: { mode: 'skip' },
      tasks: {
        // The Distributed Map's ItemReader: the JSON lines of the audience object.
        'arn:aws:states:::s3:getObject': (input) => {
          count('s3:GetObject');
          const { Key, ReaderConfig } = input as { Key: string; ReaderConfig?: { InputType?: string } };
          if (ReaderConfig?.InputType !== 'JSONL') throw new Error('local launcher: JSONL audiences only');
          const body = bucket.objects.get(Key);
          if (body === undefined) throw new Error(`NoSuchKey: ${Key}`);
          return body
            .split('\n')
            .filter((line) => line.trim() !== '')
            .map((line) => JSON.parse(line) as unknown);
        },
        [ENROLL_ARN]: async (payload) => {
          count('states:MapChildExecution');
          count('lambda:Invoke');
          const { BatchInput, Items } = EnrollBatchEvent.parse(payload);
          return service.enrollBatch(BatchInput, Items);
        },
        [FINALIZE_ARN]: (payload) => {
          count('lambda:Invoke');
          return finalizeLaunch(service, payload);
        },
        'arn:aws:states:::aws-sdk:s3:deleteObject': (input) => {
          count('s3:DeleteObject');
          bucket.objects.delete((input as { Key: string }).Key);
          return {};
        },
      },
    });
  }

  /** Writes the audience, starts the launcher and waits for it; a failed launch throws. */
  async start(plan: LaunchPlan): Promise<void> {
    const bucket = this.options.bucket!;
    const { key, body, input, name } = launcherRequest(plan, this.options.bucketName ?? 'local-audiences');
    this.calls['s3:PutObject']++;
    bucket.objects.set(key, body);
    this.calls['states:StartExecution']++;
    const run = await this.sfn.start(input, { name }).done;
    this.executions.set(name, { status: run.status, output: run.output, error: run.error, path: run.path });
    if (run.status !== 'SUCCEEDED')
      throw new Error(`launcher ${name} ${run.status}: ${run.error?.name} ${run.error?.message ?? ''}`);
  }

  /** Every call counted, in total. */
  get totalCalls(): number {
    return Object.values(this.calls).reduce((a, b) => a + b, 0);
  }
}
