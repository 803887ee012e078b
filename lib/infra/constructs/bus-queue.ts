/**
 * A bus rule feeding a standard queue that a Lambda consumes (the audience sync, the CRM task
 * sync): the queue with a dead-letter queue after 5 receives, and the rule's target with its own
 * dead-letter queue (events EventBridge could not deliver), both encrypted and SSL-only. Made in
 * the caller's scope (`SyncDlq`, `RuleDlq`, `SyncQueue`, the rule's id), so the logical ids are the
 * caller's own.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import { Rule, type IEventBus } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { RulePattern } from '../../../functions/kernel/events';

export interface BusQueueProps {
  readonly bus: IEventBus;
  readonly ruleId: string;
  readonly pattern: RulePattern;
  readonly description: string;
  /** The consumer's timeout (the queue's visibility timeout follows it). */
  readonly consumerTimeout: Duration;
  /** What the dead-letter queues belong to ("the audience sync"). */
  readonly owner: string;
}

export function busQueue(scope: Construct, props: BusQueueProps) {
  const common = { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true };
  const deadLetterQueue = new Queue(scope, 'SyncDlq', { ...common, retentionPeriod: Duration.days(14) });
  const ruleDeadLetterQueue = new Queue(scope, 'RuleDlq', { ...common, retentionPeriod: Duration.days(14) });
  for (const dlq of [deadLetterQueue, ruleDeadLetterQueue])
    Validations.of(dlq).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: `This queue is itself a dead-letter queue of ${props.owner}; a DLQ of a DLQ adds nothing.`,
    });
  const queue = new Queue(scope, 'SyncQueue', {
    ...common,
    // At least 6 x the consumer's timeout plus the batching window, as Lambda recommends:
    // https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html
    visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * 6 + 30),
    deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: 5 },
  });
  const rule = new Rule(scope, props.ruleId, {
    eventBus: props.bus,
    description: props.description,
    eventPattern: props.pattern as never,
    targets: [
      new SqsQueue(queue, {
        deadLetterQueue: ruleDeadLetterQueue,
        retryAttempts: 185,
        maxEventAge: Duration.hours(24),
      }),
    ],
  });
  return { queue, deadLetterQueue, ruleDeadLetterQueue, rule };
}
