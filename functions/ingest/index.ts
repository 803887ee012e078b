/**
 * The ingestion feature's published port: POST /events, the SES normaliser (local mode replays SES
 * events through it) and the sender reputation breaker (the API's sending-domain routes).
 */
export { ingestFeature, type IngestResponse } from './ingest';
export { sendingReputationFeature, type SendingReputation } from './reputation';
export { sesNormaliserFeature, type SesEventBridgeEvent, type SesNormaliseResult } from './ses';
