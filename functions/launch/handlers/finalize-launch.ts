/**
 * The launcher's last state: counts the campaign's enrollments and marks it running, and releases
 * the launch lease. With `failed` (the Distributed Map's Catch: a batch failed after its retries)
 * it counts, leaves the campaign `launching` and releases the lease, so a relaunch can finish it;
 * the state machine then fails (and its failed-executions alarm fires).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import { AccountRepository } from '../../platform/store/repository';
import { createDocumentClient, Table } from '../../platform/store/table';
import { systemClock } from '../../kernel/clock';
import { Id } from '../../kernel/model';
import { requireEnv } from '../../platform/env';
import { instrument } from '../../platform/powertools';
import { createLaunchService } from '../launch-service';

const env = requireEnv(['TABLE_NAME']);
const table = new Table(createDocumentClient(new DynamoDBClient({})), env.TABLE_NAME);
const service = createLaunchService({
  repo: new AccountRepository(table),
  table,
  clock: systemClock,
  starter: {
    start: async () => {
      throw new Error('finalize never starts executions');
    },
  },
});

export const handler = instrument(async (event: unknown) => {
  const { campaignId, failed } = z.object({ campaignId: Id, failed: z.unknown().optional() }).parse(event);
  const campaign =
    failed === undefined ? await service.finalize(campaignId) : await service.finalizeFailed(campaignId);
  return {
    campaignId,
    failed: failed !== undefined,
    status: campaign?.status,
    enrolled: campaign?.enrolled ?? 0,
    heldOut: campaign?.heldOut ?? 0,
  };
});
