/**
 * The audience sync (docs/architecture.md "Ad audiences"):
 *
 *   engagement bus --(RULES.adsAudienceChanged)--> sync queue (standard, DLQ after 5 receives)
 *     --> SyncAudiences function (batches of up to 100, 10 s batching window, partial batch
 *         failure) --> the providers' APIs; the table (accounts read, membership ledger written)
 *
 * The rule's target has its own dead-letter queue (events EventBridge could not deliver), and both
 * dead-letter queues alarm on depth (to the stack's alarm topic). Permissions are least privilege:
 * table read/write, and `secretsmanager:GetSecretValue` on the configured providers' secret names
 * only (none when no provider is configured), by the name's ARN with Secrets Manager's six-character
 * suffix (https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples.html,
 * "Secret names and ARNs": the wildcard `-??????` matches the suffix and nothing longer).
 */
import { Duration } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, type IEventBus } from 'aws-cdk-lib/aws-events';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AdsProvidersConfig, type AdsProviderSettings } from '../../../functions/kernel/ads-providers';
import { RULES } from '../../../functions/kernel/events';
import { ENV } from '../../../functions/platform/env';
import { LAMBDAS, type FunctionFactory } from '../functions';
import { deadLetterAlarm } from './alarms';
import { busQueue } from './bus-queue';
import { grantSecretsByName } from './secret-grants';

export interface AdsSyncProps {
  readonly table: ITable;
  readonly bus: IEventBus;
  readonly createFunction: FunctionFactory;
  /** `config.providers.ads` (validated again here: a bad value fails synth). */
  readonly providers: readonly AdsProviderSettings[];
  /** The SQS event source's batching window. @default 10 seconds */
  readonly batchingWindow?: Duration;
  /** Cap on concurrent sync invocations (protects the providers' rate limits). @default 5 */
  readonly maxConcurrency?: number;
}

export class AdsSync extends Construct {
  public readonly rule: Rule;
  public readonly queue: Queue;
  public readonly deadLetterQueue: Queue;
  /** Events the rule could not deliver to the queue. */
  public readonly ruleDeadLetterQueue: Queue;
  public readonly function: IFunction;
  public readonly deadLetterAlarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: AdsSyncProps) {
    super(scope, id);
    const providers = AdsProvidersConfig.parse(props.providers);
    const timeout = Duration.seconds(120);
    ({
      queue: this.queue,
      deadLetterQueue: this.deadLetterQueue,
      ruleDeadLetterQueue: this.ruleDeadLetterQueue,
      rule: this.rule,
    } = busQueue(this, {
      bus: props.bus,
      ruleId: 'AudienceChanged',
      pattern: RULES.adsAudienceChanged,
      description: 'ads.audience.changed -> the audience sync queue',
      consumerTimeout: timeout,
      owner: 'the audience sync',
    }));

    this.function = props.createFunction(this, 'SyncAudiences', {
      ...LAMBDAS.syncAudiences,
      environment: {
        [ENV.tableName]: props.table.tableName,
        [ENV.adsProviders]: JSON.stringify(providers),
      },
      memorySize: 512,
      timeoutSeconds: timeout.toSeconds(),
    });
    props.table.grantReadWriteData(this.function);
    grantSecretsByName(
      this.function,
      providers.map((p) => p.secretName),
    );
    this.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 100,
        maxBatchingWindow: props.batchingWindow ?? Duration.seconds(10),
        reportBatchItemFailures: true,
        maxConcurrency: props.maxConcurrency ?? 5,
      }),
    );

    this.deadLetterAlarms = [
      deadLetterAlarm(
        this,
        'SyncDlqAlarm',
        this.deadLetterQueue,
        'Ad audience changes failed 5 times (a provider refusing, credentials, an outage): see the sync logs',
      ),
      deadLetterAlarm(
        this,
        'RuleDlqAlarm',
        this.ruleDeadLetterQueue,
        'ads.audience.changed events EventBridge could not deliver to the audience sync queue',
      ),
    ];
  }
}
