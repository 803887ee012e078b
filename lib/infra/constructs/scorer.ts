/**
 * The account scorer (docs/architecture.md "Scoring"):
 *
 *   engagement bus --(RULES.scorerIngest, see engagement-rules.ts)--> buffer queue (standard)
 *     --> Enqueue function (batches of up to 1,000, 5 s window; groups per account)
 *     --> scorer queue (FIFO, message group = account id, high-throughput mode)
 *     --> Score function (batches of 10, partial batch failure) --> table, bus, Step Functions
 *
 * Why two queues: an EventBridge SQS target can only set a fixed MessageGroupId, and a FIFO event
 * source hands Lambda at most 10 messages; the enqueuer sets the group per account and packs a
 * busy account's events into one message, so one scorer write covers many events.
 *
 * Each queue has a DLQ (maxReceiveCount 5) with an alarm on its depth. Permissions are grants
 * only: table read/write, PutEvents on the bus, SendTaskSuccess on the state machine and
 * StopExecution on its executions.
 *
 * Stages follow decay without new events: an EventBridge Scheduler schedule runs the Rescore
 * function once a day (RESCORE_AT_UTC), which reads the decay index (Query on gsi1 only, and
 * decrypt with the table's key) and sends one re-score message per account below its stage's
 * floor to the scorer queue (SendMessage only): the Score function folds it like any other
 * (functions/scoring/rescore.ts). An alarm fires when a run fails.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { DeduplicationScope, FifoThroughputLimit, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { scoringConfig } from '../../../functions/scoring/domain/config';
import { RESCORE_AT_UTC } from '../../../functions/scoring/rescore';
import { TABLE_KEYS } from './account-store';
import { LAMBDAS, type FunctionFactory } from '../functions';
import { deadLetterAlarm } from './alarms';
import { ENV } from '../../../functions/platform/env';

export interface ScorerProps {
  readonly table: ITable;
  readonly bus: IEventBus;
  /** The AccountSequence state machine: the scorer resumes its parked tasks and stops its executions. */
  readonly stateMachine: IStateMachine;
  readonly createFunction: FunctionFactory;
  /**
   * Overrides of the default scoring configuration (functions/scoring/domain/config.ts), e.g.
   * `{ mqa: config.mqa }` from cdk.json. Validated at synth: a bad value fails synth.
   */
  readonly scoringConfig?: Record<string, unknown>;
  /** Enqueue batching window. @default 5 seconds */
  readonly batchingWindow?: Duration;
  /** Cap on concurrent scorer invocations (protects the table). @default 20 */
  readonly maxConcurrency?: number;
}

export class Scorer extends Construct {
  public readonly bufferQueue: Queue;
  public readonly bufferDeadLetterQueue: Queue;
  public readonly queue: Queue;
  public readonly deadLetterQueue: Queue;
  public readonly enqueueFunction: IFunction;
  public readonly scoreFunction: IFunction;
  public readonly rescoreFunction: IFunction;
  public readonly rescoreSchedule: Schedule;
  public readonly deadLetterAlarms: readonly Alarm[];
  /** A daily re-score that failed (its retries too): stages did not follow decay that day. */
  public readonly rescoreFailedAlarm: Alarm;

  constructor(scope: Construct, id: string, props: ScorerProps) {
    super(scope, id);
    // Fail synth on a bad configuration rather than at the first cold start.
    scoringConfig(props.scoringConfig ?? {});

    const enqueueTimeout = Duration.seconds(30);
    const scoreTimeout = Duration.seconds(60);
    const common = { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true };

    this.bufferDeadLetterQueue = new Queue(this, 'BufferDlq', {
      ...common,
      retentionPeriod: Duration.days(14),
    });
    this.bufferQueue = new Queue(this, 'Buffer', {
      ...common,
      // At least 6 x the consumer's timeout (plus the batching window), as Lambda recommends.
      visibilityTimeout: Duration.seconds(enqueueTimeout.toSeconds() * 6 + 30),
      deadLetterQueue: { queue: this.bufferDeadLetterQueue, maxReceiveCount: 5 },
    });

    this.deadLetterQueue = new Queue(this, 'ScoreDlq', {
      ...common,
      fifo: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, 'ScoreQueue', {
      ...common,
      fifo: true,
      contentBasedDeduplication: false,
      // High-throughput FIFO: ordering and dedup per account, throughput per message group.
      deduplicationScope: DeduplicationScope.MESSAGE_GROUP,
      fifoThroughputLimit: FifoThroughputLimit.PER_MESSAGE_GROUP_ID,
      visibilityTimeout: Duration.seconds(scoreTimeout.toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 5 },
    });

    this.enqueueFunction = props.createFunction(this, 'Enqueue', {
      ...LAMBDAS.enqueueEngagement,
      environment: { [ENV.scorerQueueUrl]: this.queue.queueUrl },
      memorySize: 256,
      timeoutSeconds: enqueueTimeout.toSeconds(),
    });
    this.queue.grantSendMessages(this.enqueueFunction);
    this.enqueueFunction.addEventSource(
      new SqsEventSource(this.bufferQueue, {
        batchSize: 1000,
        maxBatchingWindow: props.batchingWindow ?? Duration.seconds(5),
        reportBatchItemFailures: true,
      }),
    );

    this.scoreFunction = props.createFunction(this, 'Score', {
      ...LAMBDAS.scoreEngagement,
      environment: {
        [ENV.tableName]: props.table.tableName,
        [ENV.busName]: props.bus.eventBusName,
        [ENV.sequenceStateMachineArn]: props.stateMachine.stateMachineArn,
        ...(props.scoringConfig ? { [ENV.scoringConfig]: JSON.stringify(props.scoringConfig) } : {}),
      },
      memorySize: 512,
      timeoutSeconds: scoreTimeout.toSeconds(),
    });
    props.table.grantReadWriteData(this.scoreFunction);
    props.bus.grantPutEventsTo(this.scoreFunction);
    props.stateMachine.grantTaskResponse(this.scoreFunction);
    props.stateMachine.grantExecution(this.scoreFunction, 'states:StopExecution');
    this.scoreFunction.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 10,
        reportBatchItemFailures: true,
        maxConcurrency: props.maxConcurrency ?? 20,
      }),
    );

    // The daily re-score: reads only the decay index, sends only to the scorer queue.
    this.rescoreFunction = props.createFunction(this, 'Rescore', {
      ...LAMBDAS.rescoreAccounts,
      environment: {
        [ENV.tableName]: props.table.tableName,
        [ENV.scorerQueueUrl]: this.queue.queueUrl,
        ...(props.scoringConfig ? { [ENV.scoringConfig]: JSON.stringify(props.scoringConfig) } : {}),
      },
      memorySize: 256,
      timeoutSeconds: 300,
    });
    this.rescoreFunction.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${props.table.tableArn}/index/${TABLE_KEYS.gsi1.indexName}`],
      }),
    );
    props.table.encryptionKey?.grantDecrypt(this.rescoreFunction);
    this.queue.grant(this.rescoreFunction, 'sqs:SendMessage');
    // EventBridge Scheduler (AWS recommends it over scheduled rules:
    // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-rule-schedule.html);
    // cron in UTC by default. A missed run is caught up by the next: the re-score reads state, not events.
    this.rescoreSchedule = new Schedule(this, 'RescoreSchedule', {
      description: 'Daily re-score: stages follow score decay without new events',
      schedule: ScheduleExpression.cron({
        hour: String(RESCORE_AT_UTC.hour),
        minute: String(RESCORE_AT_UTC.minute),
      }),
      target: new LambdaInvoke(this.rescoreFunction, { retryAttempts: 2, maxEventAge: Duration.hours(2) }),
    });
    this.rescoreFailedAlarm = new Alarm(this, 'RescoreFailedAlarm', {
      alarmDescription: `${Stack.of(this).stackName}: the daily re-score failed (stages did not follow decay)`,
      metric: this.rescoreFunction.metricErrors({ period: Duration.hours(1), statistic: 'Sum' }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    this.deadLetterAlarms = [
      [this.bufferDeadLetterQueue, 'BufferDlqAlarm', 'buffer'] as const,
      [this.deadLetterQueue, 'ScoreDlqAlarm', 'scorer'] as const,
    ].map(([queue, alarmId, what]) =>
      deadLetterAlarm(
        this,
        alarmId,
        queue,
        `${Stack.of(this).stackName}: engagement events in the ${what} dead-letter queue (not scored)`,
      ),
    );
  }
}
