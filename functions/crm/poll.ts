/**
 * The completion poll (scheduled; docs/architecture.md "CRM"): a task completed in the CRM comes
 * back as the SDR task's outcome even where no webhook told us (Salesforce without the Task Flow,
 * HubSpot without the beta task subscription, a webhook lost past the CRM's retries).
 *
 * Bounded: each run reads at most `limit` open links, least recently polled first (the sparse
 * index of functions/platform/store/crm-tasks.ts), asks the CRM which are completed in batches of
 * the adapter's `maxPoll`, and moves the rest to the back of the order, so every open task gets
 * its turn. A completed one goes through the task completion of `POST /tasks/{taskId}/complete`
 * (the same path as the webhook's `task_outcome`), which publishes the outcome exactly once
 * whichever path arrives first; then the link is closed.
 */
import type { Clock } from '../kernel/clock';
import type { SdrOutcome } from '../kernel/model';
import type { Log } from '../platform/compose';
import type { CrmTaskLinkRepository } from '../platform/store/crm-tasks';
import type { CrmMetrics } from './metrics';
import type { CrmAdapter } from './port';

export const CRM_POLL_LIMIT = 1000;

export interface CrmPollDeps {
  provider: string;
  adapter: () => Promise<CrmAdapter>;
  links: Pick<CrmTaskLinkRepository, 'open' | 'polled' | 'close'>;
  completeTask: (taskId: string, body: { outcome: SdrOutcome; notes?: string }) => Promise<unknown>;
  metrics: CrmMetrics;
  clock: Clock;
  log: Log;
  limit?: number;
}

export function createCrmPoll(deps: CrmPollDeps) {
  async function poll(): Promise<{ polled: number; completed: number }> {
    const open = (await deps.links.open(deps.provider, deps.limit ?? CRM_POLL_LIMIT)).filter((l) => l.crmId);
    if (open.length === 0) return { polled: 0, completed: 0 };
    const adapter = await deps.adapter();
    let completed = 0;
    for (let i = 0; i < open.length; i += adapter.maxPoll) {
      const batch = open.slice(i, i + adapter.maxPoll);
      const byCrmId = new Map(batch.map((l) => [l.crmId!, l]));
      const done = await adapter.completed([...byCrmId.keys()]);
      const closed = new Set<string>();
      for (const c of done) {
        const link = byCrmId.get(c.crmId);
        if (!link) continue;
        try {
          await deps.completeTask(link.taskId, {
            outcome: c.outcome,
            ...(c.notes ? { notes: c.notes } : {}),
          });
        } catch (err) {
          const status = (err as { status?: number }).status;
          // 409: completed here with another outcome first; 404: the task is gone. Nothing to apply.
          if (status !== 404 && status !== 409) throw err;
          deps.log.warn('crm poll: outcome not applied', { taskId: link.taskId, error: String(err) });
        }
        await deps.links.close(link.taskId);
        closed.add(link.taskId);
        completed++;
      }
      const now = deps.clock.now();
      for (const l of batch) if (!closed.has(l.taskId)) await deps.links.polled(l.taskId, deps.provider, now);
    }
    deps.metrics.count(deps.provider, 'outcomesPolled', completed);
    return { polled: open.length, completed };
  }
  return { poll };
}
