/**
 * Lambda entry point: the program trigger queue (RULES.programEngagement and
 * RULES.programAccountChanges, EventBridge events in SQS) -> the programs' entries, with partial
 * batch failure (ReportBatchItemFailures): a record that fails is retried alone, and after its
 * retries goes to the dead-letter queue (alarmed). Thin: wiring only (functions/programs).
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { composeLambda } from '../../platform/lambda';
import { instrument, logger } from '../../platform/powertools';
import { programsFeature, triggerBatch } from '..';

const { programs } = composeLambda(['tableName', 'sequenceStateMachineArn'], { programs: programsFeature });

export const handler = instrument(async (event: SQSEvent): Promise<SQSBatchResponse> =>
  triggerBatch(programs, event.Records, (message, data) => logger.error(message, data)),
);
