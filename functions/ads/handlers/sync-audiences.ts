/**
 * Lambda entry point: the audience sync queue (`ads.audience.changed`, batched) -> the sync, with
 * partial batch failure (ReportBatchItemFailures); the batch's per-provider counts are published as
 * Powertools metrics. Thin: wiring only; the logic is `createAudienceSync` (functions/ads/sync.ts).
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { composeLambda } from '../../platform/lambda';
import { instrument, metrics as powertools } from '../../platform/powertools';
import { adsSyncFeature, CountingAdsMetrics } from '..';

const counts = new CountingAdsMetrics();
const { ads } = composeLambda(['tableName', 'adsProviders'], {
  ads: (p) => adsSyncFeature(p, { metrics: counts }),
});

export const handler = instrument(async (event: SQSEvent): Promise<SQSBatchResponse> => {
  try {
    return await ads.handleBatch(event.Records);
  } finally {
    counts.publish(powertools);
  }
});
