/**
 * Lambda entry of the AwaitEngagement and Paused states (`lambda:invoke.waitForTaskToken`): stores
 * the task token on the enrollment, so the scorer (engagement) or the campaign API (resume, stop)
 * can complete it with SendTaskSuccess. It composes the park alone: no channel executor.
 */
import { composeLambda } from '../../platform/lambda';
import { instrument } from '../../platform/powertools';
import { parkFeature } from '../park';

const { park } = composeLambda(['tableName'], { park: parkFeature });

export const handler = instrument<unknown, { parked: true; op: 'await' | 'pause' }>(async (event) =>
  park(event),
);
