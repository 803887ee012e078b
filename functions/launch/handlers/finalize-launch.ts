/**
 * The launcher's last state: counts the campaign's enrollments and marks it running, and releases
 * the launch lease. With `failed` (the Distributed Map's Catch: a batch failed after its retries)
 * it counts, leaves the campaign `launching` and releases the lease, so a relaunch can finish it;
 * the state machine then fails (and its failed-executions alarm fires).
 */
import { composeLambda } from '../../platform/lambda';
import { instrument } from '../../platform/powertools';
import { finalizeLaunch } from '../finalize';
import { launchFeature } from '../launch-service';

const { launch } = composeLambda(['tableName'], { launch: launchFeature });

export const handler = instrument(async (event: unknown) => finalizeLaunch(launch, event));
