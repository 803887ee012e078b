/**
 * SDR task -> CRM task links (functions/crm): what makes a task's creation in the CRM happen once.
 *
 * - `CRMTASK#<taskId>` / `LINK`: `{ taskId, accountId, provider, crmId?, status, claimedAt? }`.
 *   `claim` takes the creation for one worker (a lease, as webhook receipts and task publications
 *   do): it fails once the task is linked or while another worker holds a live claim. `link`
 *   records the CRM's id and ends the claim; `release` gives a claim back after a failure.
 * - `CRMID#<provider>#<crmId>` / `LINK`: `{ taskId }`, so a CRM webhook naming its own id finds
 *   the SDR task.
 * - While a link is `open` it carries the sparse index `CRMOPEN#<provider>` sorted by when it was
 *   last polled, so the bounded poll (functions/crm/poll.ts) reads the least recently polled first
 *   and every open task gets its turn; `close` takes it off the index.
 */
import { TABLE } from './client';
import * as keys from './keys';
import { ConditionFailedError, getItem, putItem, queryPage, updateItem, type TableRef } from './table';

export interface CrmTaskLink {
  taskId: string;
  accountId: string;
  provider: string;
  crmId?: string;
  status: 'creating' | 'open' | 'closed';
}

const CLAIM = 'claimedAt';

export class CrmTaskLinkRepository {
  static readonly tablePort = TABLE;

  constructor(
    private readonly table: TableRef,
    _options?: unknown,
  ) {}

  async get(taskId: string): Promise<CrmTaskLink | undefined> {
    const item = await getItem(this.table, keys.crmTaskLink(taskId));
    return item ? toLink(item) : undefined;
  }

  /** True when this worker may create the task in the CRM now. */
  async claim(
    link: { taskId: string; accountId: string; provider: string },
    now: Date,
    leaseMs: number,
  ): Promise<boolean> {
    try {
      await updateItem(
        this.table,
        keys.crmTaskLink(link.taskId),
        {
          set: { [CLAIM]: now.getTime() },
          setIfAbsent: {
            entity: 'crmTaskLink',
            taskId: link.taskId,
            accountId: link.accountId,
            provider: link.provider,
            status: 'creating',
          },
        },
        {
          condition: {
            expression: 'attribute_not_exists(#crmId) AND (attribute_not_exists(#claim) OR #claim < :stale)',
            names: { '#crmId': 'crmId', '#claim': CLAIM },
            values: { ':stale': now.getTime() - leaseMs },
          },
        },
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionFailedError) return false;
      throw err;
    }
  }

  /** Records the CRM's id of the task (open, first in the poll's order) and its reverse link. */
  async link(taskId: string, provider: string, crmId: string, now: Date): Promise<void> {
    await putItem(this.table, {
      ...keys.crmIdLink(provider, crmId),
      entity: 'crmIdLink',
      taskId,
      provider,
      crmId,
    });
    await updateItem(
      this.table,
      keys.crmTaskLink(taskId),
      {
        set: {
          crmId,
          status: 'open',
          linkedAt: now.toISOString(),
          ...openIndex(provider, taskId, new Date(0)),
        },
        remove: [CLAIM],
      },
      { condition: { expression: 'attribute_exists(#pk)', names: { '#pk': 'pk' } } },
    );
  }

  async release(taskId: string): Promise<void> {
    await updateItem(this.table, keys.crmTaskLink(taskId), { remove: [CLAIM] }).catch(() => undefined);
  }

  /** The SDR task a CRM task id belongs to. */
  async taskOfCrmId(provider: string, crmId: string): Promise<string | undefined> {
    const item = await getItem(this.table, keys.crmIdLink(provider, crmId));
    return typeof item?.taskId === 'string' ? item.taskId : undefined;
  }

  /** Open links of a provider, least recently polled first, at most `limit`. */
  async open(provider: string, limit: number): Promise<CrmTaskLink[]> {
    const q = keys.openCrmTasks(provider);
    const { items } = await queryPage(this.table, { index: q.index, pk: q.pk, limit });
    return items.map(toLink);
  }

  /** Moves an open link to the back of the poll's order. */
  async polled(taskId: string, provider: string, now: Date): Promise<void> {
    await updateItem(
      this.table,
      keys.crmTaskLink(taskId),
      { set: openIndex(provider, taskId, now) },
      {
        condition: {
          expression: '#status = :open',
          names: { '#status': 'status' },
          values: { ':open': 'open' },
        },
      },
    ).catch((err: unknown) => {
      if (!(err instanceof ConditionFailedError)) throw err;
    });
  }

  /** The task is done (completed here or in the CRM): off the poll's index. */
  async close(taskId: string): Promise<void> {
    await updateItem(this.table, keys.crmTaskLink(taskId), {
      set: { status: 'closed' },
      remove: ['gsi1pk', 'gsi1sk'],
    });
  }
}

const openIndex = (provider: string, taskId: string, polledAt: Date) => ({
  gsi1pk: keys.openCrmTasks(provider).pk,
  gsi1sk: `${polledAt.toISOString()}#${taskId}`,
});

function toLink(item: Record<string, unknown>): CrmTaskLink {
  return {
    taskId: String(item.taskId),
    accountId: String(item.accountId),
    provider: String(item.provider),
    ...(typeof item.crmId === 'string' ? { crmId: item.crmId } : {}),
    status: item.status as CrmTaskLink['status'],
  };
}
