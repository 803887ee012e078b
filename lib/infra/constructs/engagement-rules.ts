/**
 * Engagement in: the EventBridge rules, with patterns taken verbatim
 * from `RULES` in functions/kernel/events.ts (the same constants the handlers publish with),
 * and the SES normaliser function.
 *
 * - RULES.sesEngagement on the DEFAULT bus (SES configuration sets can publish nowhere else),
 *   narrowed to this stage's configuration set (`sesEngagementPattern`)
 *   -> NormaliseSesEvent function -> `engagement.recorded` on the engagement bus (+ suppression).
 * - RULES.scorerIngest on the engagement bus -> the scorer's buffer queue.
 * - POST /events is served by the API's router, which calls the same ingestion service in process.
 *
 * Rule targets retry for 24 h and park undeliverable events in a DLQ (alarmed by depth).
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule, type IEventBus } from 'aws-cdk-lib/aws-events';
import { LambdaFunction, SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import {
  ConfigurationSetEventDestination,
  EmailSendingEvent,
  EventDestination,
  type IConfigurationSet,
} from 'aws-cdk-lib/aws-ses';
import { Queue, QueueEncryption, type IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { RULES, sesEngagementPattern, type RulePattern } from '../../../functions/kernel/events';
import type { ReputationConfig } from '../../../functions/kernel/reputation';
import { LAMBDAS, type FunctionFactory } from '../functions';
import { deadLetterAlarm } from './alarms';
import { ENV } from '../../../functions/platform/env';

export interface EngagementRulesProps {
  readonly table: ITable;
  /** The engagement bus (abm.* events). */
  readonly bus: IEventBus;
  /** Where RULES.scorerIngest delivers: the scorer's buffer queue (`Scorer.bufferQueue`). */
  readonly scorerBuffer: IQueue;
  readonly createFunction: FunctionFactory;
  /** The bus SES publishes to. @default the account's default event bus */
  readonly sesEventBus?: IEventBus;
  /**
   * The SES configuration set the engine sends with (`SequenceEngine.configurationSet`). When given,
   * an event destination publishes its send, delivery, open, click, bounce, complaint and reject
   * events to the default bus, where RULES.sesEngagement picks them up.
   */
  readonly configurationSet?: IConfigurationSet;
  /** The sender reputation breaker's thresholds (`config.reputation`); the defaults when omitted. */
  readonly reputation?: ReputationConfig;
  /** Where the engine's unsubscribe links point: the normaliser drops clicks on them. */
  readonly unsubscribeBaseUrl?: string;
}

/** Every SES event type: the normaliser reads all ten (RULES.sesEngagement lists their detail types). */
export const SES_PUBLISHED_EVENTS = [
  EmailSendingEvent.SEND,
  EmailSendingEvent.DELIVERY,
  EmailSendingEvent.OPEN,
  EmailSendingEvent.CLICK,
  EmailSendingEvent.BOUNCE,
  EmailSendingEvent.COMPLAINT,
  EmailSendingEvent.REJECT,
  EmailSendingEvent.RENDERING_FAILURE,
  EmailSendingEvent.DELIVERY_DELAY,
  EmailSendingEvent.SUBSCRIPTION,
] as const;

export class EngagementRules extends Construct {
  public readonly scorerIngestRule: Rule;
  public readonly sesRule: Rule;
  public readonly sesEventDestination?: ConfigurationSetEventDestination;
  public readonly sesFunction: IFunction;
  /** Events a rule could not deliver after its retries. */
  public readonly deadLetterQueue: Queue;
  public readonly deadLetterAlarm: Alarm;
  /** SES events the normaliser failed on after Lambda's asynchronous retries (its on-failure destination). */
  public readonly normaliserFailures: Queue;
  public readonly normaliserFailureAlarm: Alarm;

  constructor(scope: Construct, id: string, props: EngagementRulesProps) {
    super(scope, id);
    const environment = { [ENV.tableName]: props.table.tableName, [ENV.busName]: props.bus.eventBusName };

    this.deadLetterQueue = new Queue(this, 'TargetDlq', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue of the engagement rules targets; a DLQ of a DLQ adds nothing.',
    });
    const delivery = {
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: 185,
      maxEventAge: Duration.hours(24),
    };

    this.sesFunction = props.createFunction(this, 'NormaliseSesEvent', {
      ...LAMBDAS.normaliseSesEvent,
      environment: {
        ...environment,
        // Events of other configuration sets reach the default bus too: the normaliser keeps ours.
        ...(props.configurationSet
          ? { [ENV.sesConfigurationSet]: props.configurationSet.configurationSetName }
          : {}),
        ...(props.reputation ? { [ENV.reputation]: JSON.stringify(props.reputation) } : {}),
        ...(props.unsubscribeBaseUrl ? { [ENV.unsubscribeBaseUrl]: props.unsubscribeBaseUrl } : {}),
      },
      timeoutSeconds: 10,
    });
    props.table.grantReadWriteData(this.sesFunction);
    props.bus.grantPutEventsTo(this.sesFunction);
    // EventBridge invokes the normaliser asynchronously: after Lambda's retries (two by default) the
    // event would be discarded, and a hard bounce left unsuppressed. Events that fail every attempt
    // go to a queue instead, alarmed by depth:
    // https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
    this.normaliserFailures = new Queue(this, 'NormaliserFailures', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.normaliserFailures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: "This queue is the SES normaliser's on-failure destination; a DLQ of it adds nothing.",
    });
    this.sesFunction.configureAsyncInvoke({
      onFailure: new SqsDestination(this.normaliserFailures),
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
    });
    this.normaliserFailureAlarm = deadLetterAlarm(
      this,
      'NormaliserFailuresAlarm',
      this.normaliserFailures,
      `${Stack.of(this).stackName}: SES events the normaliser failed on after its retries`,
    );

    const sesBus = props.sesEventBus ?? EventBus.fromEventBusName(this, 'DefaultBus', 'default');
    if (props.configurationSet) {
      this.sesEventDestination = new ConfigurationSetEventDestination(this, 'SesToEventBridge', {
        configurationSet: props.configurationSet,
        destination: EventDestination.eventBus(sesBus),
        events: [...SES_PUBLISHED_EVENTS],
      });
    }
    this.sesRule = new Rule(this, 'SesEngagement', {
      eventBus: sesBus,
      description: 'SES email events (configuration set -> EventBridge) into the ABM engagement pipeline',
      // Only this stage's mail: every configuration set in the account publishes to the default bus.
      eventPattern: clone(
        props.configurationSet
          ? sesEngagementPattern(props.configurationSet.configurationSetName)
          : RULES.sesEngagement,
      ),
      targets: [new LambdaFunction(this.sesFunction, delivery)],
    });
    this.scorerIngestRule = new Rule(this, 'ScorerIngest', {
      eventBus: props.bus,
      description: 'engagement.recorded -> scorer buffer queue',
      eventPattern: clone(RULES.scorerIngest),
      targets: [new SqsQueue(props.scorerBuffer, delivery)],
    });

    this.deadLetterAlarm = deadLetterAlarm(
      this,
      'TargetDlqAlarm',
      this.deadLetterQueue,
      `${Stack.of(this).stackName}: engagement events EventBridge could not deliver`,
    );
  }
}

/** The CDK EventPattern type wants mutable arrays; the constants are readonly. */
function clone(pattern: RulePattern): {
  source: string[];
  detailType: string[];
  detail?: Record<string, unknown>;
} {
  return {
    source: [...pattern.source],
    detailType: [...pattern['detail-type']],
    ...(pattern.detail ? { detail: structuredClone(pattern.detail) as Record<string, unknown> } : {}),
  };
}
