/**
 * Lambda entry point: SQS FIFO (message group = account id) -> scorer, with partial batch
 * failure (ReportBatchItemFailures). Thin: wiring only; the logic is `createScorer`.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { EventBridgePublisher } from '../../platform/bus';
import { EventBridgeAudienceProvider } from '../../platform/providers/audience';
import { AccountRepository } from '../../platform/store/repository';
import { createDocumentClient, Table } from '../../platform/store/table';
import { SfnSequenceControl } from '../../platform/sfn';
import { systemClock } from '../../kernel/clock';
import { scoringConfig } from '../domain/config';
import { requireEnv } from '../../platform/env';
import { instrument, logger } from '../../platform/powertools';
import { createScorer } from '../scorer';
import { DynamoScorerStore } from '../../platform/store/scores';

const env = requireEnv(['TABLE_NAME', 'BUS_NAME', 'STATE_MACHINE_ARN']);
const table = new Table(createDocumentClient(new DynamoDBClient({})), env.TABLE_NAME);
const repo = new AccountRepository(table);
const publisher = new EventBridgePublisher(new EventBridgeClient({}), env.BUS_NAME);
const store = new DynamoScorerStore(table, repo, (item, error) =>
  logger.warn('invalid item in account partition', { pk: item.pk, sk: item.sk, error: String(error) }),
);
const scorer = createScorer({
  store,
  publisher,
  control: new SfnSequenceControl(new SFNClient({}), env.STATE_MACHINE_ARN),
  clock: systemClock,
  // SCORING_CONFIG: optional JSON overrides (e.g. the MQA thresholds from cdk.json), validated at cold start.
  config: scoringConfig(process.env.SCORING_CONFIG ? JSON.parse(process.env.SCORING_CONFIG) : {}),
  // Exit-stage stops leave the ad audiences (ads.audience.changed on the bus).
  audienceExit: { repo, audiences: new EventBridgeAudienceProvider(publisher) },
  logger: {
    warn: (message, extra) => logger.warn(message, extra ?? {}),
    error: (message, extra) => logger.error(message, extra ?? {}),
  },
});

export const handler = instrument(async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const { batchItemFailures } = await scorer.handleBatch(event.Records);
  return { batchItemFailures };
});
