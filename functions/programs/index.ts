/**
 * Always-on programs, the feature's published port: the service behind `/programs` and the
 * trigger handler's entry (functions/programs/programs.ts, triggers.ts).
 */
import { controlFeature } from '../launch';
import { withPorts, type Platform } from '../platform/compose';
import { EXECUTION_STARTER } from '../platform/sfn';
import { AccountRepository } from '../platform/store/accounts';
import { CampaignRepository } from '../platform/store/campaigns';
import { CatalogReader } from '../platform/store/catalog';
import { EnrollmentRepository } from '../platform/store/enrollments';
import { ProgramRepository } from '../platform/store/programs';
import { createPrograms, type ProgramsService } from './programs';
import type { TriggerEvent } from './triggers';

export function programsFeature(platform: Platform): ProgramsService {
  let control: ReturnType<typeof controlFeature> | undefined;
  return createPrograms(
    withPorts(
      platform,
      { starter: EXECUTION_STARTER },
      {
        programs: platform.repository(ProgramRepository),
        campaigns: platform.repository(CampaignRepository),
        catalog: platform.repository(CatalogReader),
        accounts: platform.repository(AccountRepository),
        enrollments: platform.repository(EnrollmentRepository),
        // Built on first use: only a pause or a resume needs it.
        control: {
          campaign: (id: string, action: 'pause' | 'resume') =>
            (control ??= controlFeature(platform)).campaign(id, action),
        },
        clock: platform.clock,
        log: platform.log,
      },
    ),
  );
}

export { createPrograms, type EntryOutcome, type ProgramsService } from './programs';
export { firingPrograms, outsideAudience, triggerFires, type TriggerEvent } from './triggers';

/**
 * One batch of the trigger queue: each record's EventBridge event through the programs, one read
 * of the programs for the batch; the records that failed, for SQS to redeliver.
 */
export async function triggerBatch(
  programs: Pick<ProgramsService, 'onEvent' | 'list'>,
  records: readonly { messageId: string; body: string }[],
  log: (message: string, data: Record<string, unknown>) => void = () => undefined,
): Promise<{ batchItemFailures: { itemIdentifier: string }[] }> {
  const failures: { itemIdentifier: string }[] = [];
  if (records.length === 0) return { batchItemFailures: failures };
  const all = await programs.list();
  for (const record of records) {
    try {
      const event = JSON.parse(record.body) as { 'detail-type': string; detail: TriggerEvent['detail'] };
      await programs.onEvent({ detailType: event['detail-type'], detail: event.detail } as TriggerEvent, all);
    } catch (err) {
      log('program trigger failed', { messageId: record.messageId, error: String(err) });
      failures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures: failures };
}
