/**
 * `account.imported` for the programs that listen to imports (functions/programs, trigger
 * `account.imported`): published only while an active program has that trigger, so an import
 * pays nothing for programs it does not feed. One event per account written, its id the account
 * and its version after the write (a retried request republishes the same ids).
 */
import { mapLimit } from '../kernel/async';
import type { Clock } from '../kernel/clock';
import { busEvent, DETAIL_TYPES } from '../kernel/events';
import type { EventPublisher } from '../platform/bus';
import type { AccountRepository } from '../platform/store/accounts';
import type { ProgramRepository } from '../platform/store/programs';
import type { WrittenAccount } from './account-import';

/** PutEvents takes at most 10 entries per call (functions/platform/bus.ts batches; this bounds memory). */
const CHUNK = 500;

export function importEvents(deps: {
  programs: Pick<ProgramRepository, 'listAll'>;
  accounts: Pick<AccountRepository, 'getMany'>;
  publisher: EventPublisher;
  clock: Clock;
}) {
  return async function publish(written: readonly WrittenAccount[]): Promise<number> {
    if (written.length === 0) return 0;
    const programs = await deps.programs.listAll();
    if (!programs.some((p) => p.status === 'active' && p.trigger.type === 'account.imported')) return 0;
    const stored = await deps.accounts.getMany(written.filter((w) => !w.fresh).map((w) => w.accountId));
    const occurredAt = deps.clock.now().toISOString();
    const events = written.flatMap((w) => {
      const account = w.fresh?.account ?? stored.get(w.accountId);
      if (!account) return [];
      return [
        busEvent(DETAIL_TYPES.accountImported, {
          eventId: `import-${account.accountId}-v${account.version}`,
          occurredAt,
          accountId: account.accountId,
          tier: account.tier,
          cluster: account.cluster ?? null,
          created: w.fresh !== undefined,
        }),
      ];
    });
    const chunks = Array.from({ length: Math.ceil(events.length / CHUNK) }, (_, i) =>
      events.slice(i * CHUNK, (i + 1) * CHUNK),
    );
    await mapLimit(chunks, 2, (chunk) => deps.publisher.publish(chunk));
    return events.length;
  };
}
