/**
 * Lambda entry of the ExecuteStep and RecordFailure states (statemachines/account-sequence.asl.json):
 * runs the current step of one enrolled account and plans the next. ExecuteStep is a callback task:
 * the plan completes its token, at once or at the end of its wait (engine/hand-over.ts);
 * RecordFailure invokes the function plainly and takes the plan it returns. A stopped execution's
 * status change (an EventBridge rule) deletes its pending wake.
 */
import type { Plan } from '../../kernel/plan';
import { composeLambda } from '../../platform/lambda';
import { instrument, metrics } from '../../platform/powertools';
import { mailRequestCounts } from '../../platform/providers/mail/metrics';
import { stepTaskFeature } from '..';

const { stepTask } = composeLambda(
  [
    'tableName',
    'busName',
    'senderEmail',
    'unsubscribeBaseUrl',
    'unsubscribeSecretId',
    'wakeScheduleGroup',
    'wakeRoleArn',
    'wakeDeadLetterArn',
  ],
  { stepTask: stepTaskFeature },
);

export const handler = instrument<unknown, Plan | { cancelledWakes: number }>(async (event) => {
  try {
    return await stepTask(event);
  } finally {
    // The print-and-mail provider's requests of this invocation (none when no piece was ordered).
    mailRequestCounts.publish(metrics as never);
  }
});
