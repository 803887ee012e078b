/**
 * Lambda entry point: SQS FIFO (message group = account id) -> scorer, with partial batch
 * failure (ReportBatchItemFailures). Thin: wiring only; the logic is `createScorer`.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { composeLambda } from '../../platform/lambda';
import { instrument } from '../../platform/powertools';
import { scorerFeature } from '../scorer';

const { scorer } = composeLambda(['tableName', 'busName', 'sequenceStateMachineArn'], {
  scorer: scorerFeature,
});

export const handler = instrument(async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const { batchItemFailures } = await scorer.handleBatch(event.Records);
  return { batchItemFailures };
});
