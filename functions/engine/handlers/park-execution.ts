/**
 * Lambda entry of the AwaitEngagement and Paused states (`lambda:invoke.waitForTaskToken`): stores
 * the task token on the enrollment, so the scorer (engagement) or the campaign API (resume, stop)
 * can complete it with SendTaskSuccess.
 */
import { instrument } from '../../platform/powertools';
import { engineFromEnvironment } from '../wiring';

const engine = engineFromEnvironment();

export const handler = instrument<unknown, { parked: true; op: 'await' | 'pause' }>(async (event) =>
  engine.park(event),
);
