/**
 * The launcher's Finalize and LaunchFailed states (statemachines/campaign-launch.asl.json): the
 * event they pass, and what they return. The Lambda entry (handlers/finalize-launch.ts) and local
 * mode's launcher (lib/local/launcher.ts) both run it.
 */
import * as z from 'zod';
import { Id } from '../kernel/model';
import type { LaunchService } from './launch-service';

const FinalizeEvent = z.object({ campaignId: Id, failed: z.unknown().optional() });

/** Counts and marks the campaign running; with `failed`, counts, leaves it launching and releases the lease. */
export async function finalizeLaunch(
  launch: Pick<LaunchService, 'finalize' | 'finalizeFailed'>,
  event: unknown,
) {
  const { campaignId, failed } = FinalizeEvent.parse(event);
  const campaign =
    failed === undefined ? await launch.finalize(campaignId) : await launch.finalizeFailed(campaignId);
  return {
    campaignId,
    failed: failed !== undefined,
    status: campaign?.status,
    enrolled: campaign?.enrolled ?? 0,
    heldOut: campaign?.heldOut ?? 0,
  };
}
