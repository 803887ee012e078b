/**
 * The launcher state machine's item processor: one Distributed Map batch
 * (`{ BatchInput: { campaignId, sequence, enrolledAt }, Items: [{ accountId, heldOut }] }`).
 * Per account: one conditional put of the enrollment and, when treated, one StartExecution.
 * Safe to retry: both writes are idempotent.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { AccountRepository } from '../../platform/store/repository';
import { createDocumentClient, Table } from '../../platform/store/table';
import { systemClock } from '../../kernel/clock';
import { requireEnv } from '../../platform/env';
import { instrument } from '../../platform/powertools';
import { EnrollBatchEvent } from '../enroll-batch-schema';
import { createLaunchService } from '../launch-service';
import { StepFunctionsStarter } from '../../platform/starter';

const env = requireEnv(['TABLE_NAME', 'SEQUENCE_STATE_MACHINE_ARN']);
const table = new Table(createDocumentClient(new DynamoDBClient({})), env.TABLE_NAME);
const repo = new AccountRepository(table);
const service = createLaunchService({
  repo,
  table,
  clock: systemClock,
  starter: new StepFunctionsStarter(new SFNClient({}), env.SEQUENCE_STATE_MACHINE_ARN),
});

export const handler = instrument(async (event: unknown) => {
  const { BatchInput, Items } = EnrollBatchEvent.parse(event);
  return service.enrollBatch(BatchInput, Items);
});
