import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, RuleTargetInput, EventField, type IEventBus } from 'aws-cdk-lib/aws-events';
import { SnsTopic } from 'aws-cdk-lib/aws-events-targets';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { RULES } from '../../../functions/kernel/events';

/** Alarms as soon as a dead-letter queue holds a message (checked every 5 minutes). */
export function deadLetterAlarm(scope: Construct, id: string, queue: IQueue, description: string): Alarm {
  return new Alarm(scope, id, {
    alarmDescription: description,
    metric: queue.metricApproximateNumberOfMessagesVisible({
      period: Duration.minutes(5),
      statistic: 'Maximum',
    }),
    threshold: 0,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
}

/**
 * The sender reputation breaker's alarm: every `email.sending_paused` on the engagement bus
 * (RULES.sendingPaused) goes to the alarm topic as a readable message, at once; an event is the
 * alarm here, since a pause lasts until an operator resumes the domain (no metric goes back to OK).
 */
export function sendingPausedAlarm(
  scope: Construct,
  id: string,
  props: { bus: IEventBus; topic: ITopic; deadLetterQueue?: IQueue },
): Rule {
  const { bus, topic } = props;
  // EventBridge publishes to the KMS-encrypted topic.
  topic.masterKey?.grant(new ServicePrincipal('events.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
  const pattern = RULES.sendingPaused;
  const field = (path: string) => EventField.fromPath(`$.detail.${path}`);
  return new Rule(scope, id, {
    eventBus: bus,
    description: 'email.sending_paused (sender reputation breaker) -> the alarm topic',
    eventPattern: { source: [...pattern.source], detailType: [...pattern['detail-type']] },
    targets: [
      new SnsTopic(topic, {
        deadLetterQueue: props.deadLetterQueue,
        retryAttempts: 185,
        maxEventAge: Duration.hours(24),
        message: RuleTargetInput.fromText(
          [
            `ABM paused email from ${field('domain')}: its ${field('reason')} reached its threshold`,
            `(last ${field('window.hours')} h: ${field('window.sends')} sends, ${field('window.bounces')} hard bounces,`,
            `${field('window.complaints')} complaints). Its email touches are deferred until an operator runs:`,
            `abm sending resume ${field('domain')}`,
          ].join(' '),
        ),
      }),
    ],
  });
}
