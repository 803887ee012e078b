/**
 * Lambda entry point: buffer queue (standard, EventBridge target) -> FIFO scorer queue, grouped
 * per account. Thin: wiring only; the logic is `createEnqueuer`.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { requireEnv } from '../../platform/env';
import { instrument, logger } from '../../platform/powertools';
import { createEnqueuer } from '../enqueuer';
import { SqsFifoSender } from '../../platform/sqs';

const env = requireEnv(['SCORER_QUEUE_URL']);
const enqueue = createEnqueuer({
  sender: new SqsFifoSender(new SQSClient({}), env.SCORER_QUEUE_URL),
  logger: { error: (message, extra) => logger.error(message, extra ?? {}) },
});

export const handler = instrument(async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const { batchItemFailures } = await enqueue(event.Records);
  return { batchItemFailures };
});
