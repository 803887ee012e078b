/** The ingestion feature's published port: POST /events. */
export { ingestFeature, type IngestResponse } from './ingest';
