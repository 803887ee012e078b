/**
 * The launcher state machine's item processor: one Distributed Map batch
 * (`{ BatchInput: { campaignId, sequence, enrolledAt }, Items: [{ accountId, heldOut }] }`).
 * Enrolls the batch's new accounts and starts the treated ones' executions; safe to retry.
 */
import { composeLambda } from '../../platform/lambda';
import { instrument } from '../../platform/powertools';
import { EnrollBatchEvent } from '../enroll-batch-schema';
import { launchFeature } from '../launch-service';

const { launch } = composeLambda(['tableName', 'sequenceStateMachineArn'], { launch: launchFeature });

export const handler = instrument(async (event: unknown) => {
  const { BatchInput, Items } = EnrollBatchEvent.parse(event);
  return launch.enrollBatch(BatchInput, Items);
});
