/**
 * The scoring feature's published port: what other features may use. The engine evaluates its
 * conditions on `accountFacts` (the scorer's state read as the scorer reads it); ingestion refuses
 * events the scorer would ignore as dated in the future; the API shows the score decayed to now and
 * the progress towards MQA (`mqaProgress`).
 */
export { accountFacts } from './domain/facts';
export { MAX_FUTURE_SKEW_MS, scoreAt } from './domain/fold';
export { mqaProgress, readoutConfig, type MqaProgress, type ReadoutConfig } from './domain/readout';
