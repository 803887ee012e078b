/**
 * Lambda entry of the ExecuteStep and RecordFailure states (statemachines/account-sequence.asl.json):
 * runs the current step of one enrolled account and returns the next plan.
 */
import type { Plan } from '../../kernel/plan';
import { composeLambda } from '../../platform/lambda';
import { instrument, metrics } from '../../platform/powertools';
import { mailRequestCounts } from '../../platform/providers/mail/metrics';
import { stepFeature } from '..';

const { engine } = composeLambda(
  ['tableName', 'busName', 'senderEmail', 'unsubscribeBaseUrl', 'unsubscribeSecretId'],
  { engine: stepFeature },
);

export const handler = instrument<unknown, Plan>(async (event) => {
  try {
    return await engine.executeStep(event);
  } finally {
    // The print-and-mail provider's requests of this invocation (none when no piece was ordered).
    mailRequestCounts.publish(metrics as never);
  }
});
