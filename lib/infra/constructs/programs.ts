/**
 * Always-on programs (functions/programs): two rules on the engagement bus (intent surges and CRM
 * stage changes; stage changes, score changes and imports) -> the trigger queue (DLQ with alarm) ->
 * `programTriggers`, which enrolls accounts (table read/write, StartExecution on the sequence
 * state machine only).
 */
import { Duration, Validations } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, type IEventBus } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { RULES, type RulePattern } from '../../../functions/kernel/events';
import { ENV } from '../../../functions/platform/env';
import { LAMBDAS, type FunctionFactory } from '../functions';
import { deadLetterAlarm } from './alarms';

export interface ProgramTriggersProps {
  readonly table: ITable;
  readonly bus: IEventBus;
  readonly sequenceStateMachine: IStateMachine;
  readonly createFunction: FunctionFactory;
}

export class ProgramTriggers extends Construct {
  public readonly queue: Queue;
  public readonly deadLetterQueue: Queue;
  public readonly ruleDeadLetterQueue: Queue;
  public readonly function: IFunction;
  public readonly deadLetterAlarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: ProgramTriggersProps) {
    super(scope, id);
    const timeout = Duration.seconds(60);
    const common = { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true };
    this.deadLetterQueue = new Queue(this, 'TriggerDlq', { ...common, retentionPeriod: Duration.days(14) });
    this.ruleDeadLetterQueue = new Queue(this, 'RuleDlq', { ...common, retentionPeriod: Duration.days(14) });
    for (const dlq of [this.deadLetterQueue, this.ruleDeadLetterQueue])
      Validations.of(dlq).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason:
          'This queue is itself a dead-letter queue of the program triggers; a DLQ of a DLQ adds nothing.',
      });
    this.queue = new Queue(this, 'TriggerQueue', {
      ...common,
      // At least 6 x the consumer's timeout, as Lambda recommends:
      // https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html
      visibilityTimeout: Duration.seconds(timeout.toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 5 },
    });
    const target = new SqsQueue(this.queue, {
      deadLetterQueue: this.ruleDeadLetterQueue,
      retryAttempts: 185,
      maxEventAge: Duration.hours(24),
    });
    new Rule(this, 'Engagement', {
      eventBus: props.bus,
      description: 'intent surges and CRM stage changes -> the program trigger queue',
      eventPattern: RULES.programEngagement as RulePattern as never,
      targets: [target],
    });
    new Rule(this, 'AccountChanges', {
      eventBus: props.bus,
      description: 'stage changes, score changes and imports -> the program trigger queue',
      eventPattern: RULES.programAccountChanges as RulePattern as never,
      targets: [target],
    });

    this.function = props.createFunction(this, 'ProgramTriggers', {
      ...LAMBDAS.programTriggers,
      environment: {
        [ENV.tableName]: props.table.tableName,
        [ENV.sequenceStateMachineArn]: props.sequenceStateMachine.stateMachineArn,
      },
      memorySize: 512,
      timeoutSeconds: timeout.toSeconds(),
    });
    props.table.grantReadWriteData(this.function);
    props.sequenceStateMachine.grantStartExecution(this.function);
    this.function.addEventSource(
      new SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: 5 }),
    );
    this.deadLetterAlarms = [
      deadLetterAlarm(
        this,
        'TriggerDlqAlarm',
        this.deadLetterQueue,
        'Program trigger events failed 5 times: see the programTriggers logs',
      ),
      deadLetterAlarm(
        this,
        'RuleDlqAlarm',
        this.ruleDeadLetterQueue,
        'Program trigger events EventBridge could not deliver to the trigger queue',
      ),
    ];
  }
}
