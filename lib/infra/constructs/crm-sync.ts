/**
 * The CRM bridge (docs/architecture.md "CRM"; README "Connect your CRM"):
 *
 *   engagement bus --(RULES.crmTaskCreated)--> CRM task queue (standard, DLQ after 5 receives)
 *     --> SyncCrmTasks function (batches of up to 10, partial batch failure, at most 2 at a time:
 *         the CRM's rate limits) --> HubSpot or Salesforce; the table (tasks, accounts read; the
 *         task links written)
 *   EventBridge Scheduler, every 5 minutes --> PollCrmTasks (the bounded completion poll) -->
 *     the CRM; completed tasks through the task completion (table, bus)
 *
 * Always deployed, like the audience sync (with no CRM configured both functions return at once).
 * The rule's target has its own dead-letter queue; both dead-letter queues alarm on depth, and the
 * poll alarms on errors. Permissions are least privilege: the table, the bus for the poll only, and
 * `secretsmanager:GetSecretValue` on the CRM's access secret only (the webhook secret is the
 * webhook function's: lib/infra/constructs/api.ts).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, type IEventBus } from 'aws-cdk-lib/aws-events';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CrmProviderSettings } from '../../../functions/kernel/crm-provider';
import { RULES } from '../../../functions/kernel/events';
import { ENV } from '../../../functions/platform/env';
import { LAMBDAS, type FunctionFactory } from '../functions';
import { deadLetterAlarm } from './alarms';
import { busQueue } from './bus-queue';
import { grantSecretsByName } from './secret-grants';

export interface CrmSyncProps {
  readonly table: ITable;
  readonly bus: IEventBus;
  readonly createFunction: FunctionFactory;
  /** `config.providers.crm` (validated again here: a bad value fails synth); none: nothing to sync. */
  readonly provider?: CrmProviderSettings;
  /** How often the completion poll runs. @default 5 minutes */
  readonly pollEvery?: Duration;
}

export class CrmSync extends Construct {
  public readonly rule: Rule;
  public readonly queue: Queue;
  public readonly deadLetterQueue: Queue;
  public readonly ruleDeadLetterQueue: Queue;
  public readonly syncFunction: IFunction;
  public readonly pollFunction: IFunction;
  public readonly pollSchedule: Schedule;
  public readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: CrmSyncProps) {
    super(scope, id);
    const provider = props.provider === undefined ? undefined : CrmProviderSettings.parse(props.provider);
    const crmEnv: Record<string, string> = provider ? { [ENV.crmProvider]: JSON.stringify(provider) } : {};
    const timeout = Duration.seconds(120);
    ({
      queue: this.queue,
      deadLetterQueue: this.deadLetterQueue,
      ruleDeadLetterQueue: this.ruleDeadLetterQueue,
      rule: this.rule,
    } = busQueue(this, {
      bus: props.bus,
      ruleId: 'TaskCreated',
      pattern: RULES.crmTaskCreated,
      description: 'sdr.task.created -> the CRM task sync queue',
      consumerTimeout: timeout,
      owner: 'the CRM task sync',
    }));

    this.syncFunction = props.createFunction(this, 'SyncCrmTasks', {
      ...LAMBDAS.syncCrmTasks,
      environment: { [ENV.tableName]: props.table.tableName, ...crmEnv },
      memorySize: 512,
      timeoutSeconds: timeout.toSeconds(),
    });
    props.table.grantReadWriteData(this.syncFunction);
    grantSecretsByName(this.syncFunction, provider ? [provider.secretName] : []);
    this.syncFunction.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(5),
        reportBatchItemFailures: true,
        maxConcurrency: 2,
      }),
    );

    this.pollFunction = props.createFunction(this, 'PollCrmTasks', {
      ...LAMBDAS.pollCrmTasks,
      environment: {
        [ENV.tableName]: props.table.tableName,
        [ENV.busName]: props.bus.eventBusName,
        ...crmEnv,
      },
      memorySize: 512,
      timeoutSeconds: 300,
    });
    props.table.grantReadWriteData(this.pollFunction);
    props.bus.grantPutEventsTo(this.pollFunction);
    grantSecretsByName(this.pollFunction, provider ? [provider.secretName] : []);
    // EventBridge Scheduler (AWS recommends it over scheduled rules:
    // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-rule-schedule.html).
    this.pollSchedule = new Schedule(this, 'PollSchedule', {
      description: 'CRM completion poll: tasks completed in the CRM come back as outcomes',
      schedule: ScheduleExpression.rate(props.pollEvery ?? Duration.minutes(5)),
      target: new LambdaInvoke(this.pollFunction, { retryAttempts: 0, maxEventAge: Duration.minutes(5) }),
    });

    this.alarms = [
      deadLetterAlarm(
        this,
        'SyncDlqAlarm',
        this.deadLetterQueue,
        'SDR tasks not created in the CRM after 5 tries (credentials, an owner id, a missing property): see the sync logs',
      ),
      deadLetterAlarm(
        this,
        'RuleDlqAlarm',
        this.ruleDeadLetterQueue,
        'sdr.task.created events EventBridge could not deliver to the CRM task queue',
      ),
      new Alarm(this, 'PollFailedAlarm', {
        alarmDescription: `${Stack.of(this).stackName}: the CRM completion poll failed (outcomes are not coming back)`,
        metric: this.pollFunction.metricErrors({ period: Duration.minutes(30), statistic: 'Sum' }),
        threshold: 2,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    ];
  }
}
