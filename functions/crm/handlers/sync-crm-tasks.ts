/**
 * Lambda entry point: the CRM task queue (`sdr.task.created`, batched) -> the CRM task sync, with
 * partial batch failure (ReportBatchItemFailures); the batch's counts are published as Powertools
 * metrics. Thin: wiring only; the logic is `createCrmTaskSync` (functions/crm/sync.ts). With no CRM
 * configured there is nothing to do (the queue is deployed either way, like the audience sync's).
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { composeLambda } from '../../platform/lambda';
import { instrument, metrics as powertools } from '../../platform/powertools';
import { crmFeature, CrmMetrics } from '..';

const counts = new CrmMetrics();
const { crm } = composeLambda(['tableName'], {
  // The sync never completes tasks (the poll does): no bus access is needed here.
  crm: (p) =>
    crmFeature(
      p,
      {
        completeTask: () => Promise.reject(new Error('the task sync completes no task')),
      },
      { metrics: counts },
    ),
});

export const handler = instrument(async (event: SQSEvent): Promise<SQSBatchResponse> => {
  if (!crm) return { batchItemFailures: [] };
  try {
    return await crm.handleBatch(event.Records);
  } finally {
    counts.publish(powertools);
  }
});
