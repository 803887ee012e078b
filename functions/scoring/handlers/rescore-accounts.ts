/**
 * Lambda entry point: the daily re-score (an EventBridge schedule) -> one re-score message per
 * account whose score decayed below its stage's floor, on the scorer's FIFO queue. Thin: wiring
 * only; the logic is `createRescorer` (local mode runs it on its simulated clock).
 */
import { composeLambda } from '../../platform/lambda';
import { instrument } from '../../platform/powertools';
import { rescoreFeature } from '../rescore';

const { rescorer } = composeLambda(['tableName', 'scorerQueueUrl'], { rescorer: rescoreFeature });

export const handler = instrument(async () => rescorer.rescore());
