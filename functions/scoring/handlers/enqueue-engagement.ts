/**
 * Lambda entry point: buffer queue (standard, EventBridge target) -> FIFO scorer queue, grouped
 * per account. Thin: wiring only; the logic is `createEnqueuer`.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { composeLambda } from '../../platform/lambda';
import { instrument } from '../../platform/powertools';
import { enqueuerFeature } from '../enqueuer';

const { enqueue } = composeLambda(['scorerQueueUrl'], { enqueue: enqueuerFeature });

export const handler = instrument(async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const { batchItemFailures } = await enqueue(event.Records);
  return { batchItemFailures };
});
