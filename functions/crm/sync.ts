/**
 * The CRM task sync (docs/architecture.md "CRM"): consumes `sdr.task.created` from its queue and
 * creates each SDR task in the CRM once.
 *
 *   record -> the task (read again from the store: the truth, not the event) -> the link
 *   (functions/platform/store/crm-tasks.ts): already linked -> nothing to do; else claim it (a
 *   lease: two deliveries of the same event never create together) -> the account, the contact
 *   and the owner mapped from `providers.crm.owners` -> adapter.createTask (idempotent by the
 *   task id at the provider: HubSpot's unique `abm_task_id`, Salesforce's upsert by external id)
 *   -> link task id -> CRM id.
 *
 * Failures: a retryable `CrmError` (429s and 5xx past the HTTP client's budget, a timeout) or any
 * unexpected error releases the claim and fails the message (SQS partial batch response: it comes
 * back; after the queue's retries it lands in the dead-letter queue, whose alarm an operator sees).
 * A refusal for good (a 4xx: a bad owner id, a missing property) is logged and counted and the
 * message fails too, so it ends in the dead-letter queue rather than vanishing.
 */
import type { CrmProviderSettings } from '../kernel/crm-provider';
import type { Log } from '../platform/compose';
import type { Clock } from '../kernel/clock';
import type { SdrTask } from '../kernel/model';
import type { AccountRepository } from '../platform/store/accounts';
import type { CrmTaskLinkRepository } from '../platform/store/crm-tasks';
import type { TaskRepository } from '../platform/store/tasks';
import { taskText } from './adapters/shared';
import type { CrmMetrics } from './metrics';
import { CrmError, type CrmAdapter, type CrmTaskRequest } from './port';

/** How long one worker holds a task's creation before another may take it (a crashed worker). */
export const CRM_CLAIM_LEASE_MS = 5 * 60_000;

export interface SqsRecordLike {
  messageId: string;
  body: string;
}

export interface CrmSyncDeps {
  settings: CrmProviderSettings;
  adapter: () => Promise<CrmAdapter>;
  tasks: Pick<TaskRepository, 'get'>;
  accounts: Pick<AccountRepository, 'get' | 'getContact'>;
  links: Pick<CrmTaskLinkRepository, 'get' | 'claim' | 'link' | 'release' | 'close'>;
  metrics: CrmMetrics;
  clock: Clock;
  log: Log;
}

/** The CRM task kind of an SDR task type. */
export function crmTaskKind(type: SdrTask['type']): CrmTaskRequest['kind'] {
  return type === 'call' || type === 'hot_account' ? 'call' : type === 'email' ? 'email' : 'todo';
}

export function createCrmTaskSync(deps: CrmSyncDeps) {
  const provider = deps.settings.provider;

  /** The CRM's view of a task: its kind, text, due time, owner, contact and company. */
  async function request(task: SdrTask): Promise<CrmTaskRequest | undefined> {
    const account = await deps.accounts.get(task.accountId);
    if (!account) return undefined;
    const contact = task.contactId
      ? await deps.accounts.getContact(task.accountId, task.contactId)
      : undefined;
    const [first, ...rest] = (contact?.name ?? '').trim().split(/\s+/);
    const ownerId = deps.settings.owners[task.owner];
    if (ownerId === undefined)
      deps.log.warn('crm sync: no CRM owner mapped for the SDR (providers.crm.owners)', {
        owner: task.owner,
      });
    return {
      taskId: task.taskId,
      kind: crmTaskKind(task.type),
      ...taskText(task, account.name),
      dueAt: task.dueAt,
      priority: task.priority as 1 | 2 | 3,
      ...(ownerId ? { ownerId } : {}),
      ...(contact?.email
        ? {
            contact: {
              email: contact.email,
              ...(rest.length > 0 ? { firstName: first } : {}),
              lastName: rest.length > 0 ? rest.join(' ') : first || contact.email,
            },
          }
        : {}),
      company: { name: account.name, ...(account.domain ? { domain: account.domain } : {}) },
    };
  }

  /** One task: true when done (created now, or nothing to do); throws when it must come back. */
  async function syncTask(taskId: string): Promise<void> {
    const existing = await deps.links.get(taskId);
    if (existing?.crmId) return;
    const task = await deps.tasks.get(taskId);
    if (!task) {
      deps.log.warn('crm sync: no such task', { taskId });
      return;
    }
    if (task.status !== 'open') return; // completed or cancelled before it reached the CRM
    const now = deps.clock.now();
    if (!(await deps.links.claim({ taskId, accountId: task.accountId, provider }, now, CRM_CLAIM_LEASE_MS)))
      throw new CrmError(provider, `task ${taskId} is being created by another worker`, true);
    try {
      const req = await request(task);
      if (!req) {
        deps.log.warn('crm sync: the task has no account', { taskId, accountId: task.accountId });
        await deps.links.release(taskId);
        return;
      }
      const crmId = await (await deps.adapter()).createTask(req);
      await deps.links.link(taskId, provider, crmId, deps.clock.now());
      deps.metrics.count(provider, 'tasksCreated');
    } catch (err) {
      await deps.links.release(taskId).catch(() => undefined);
      throw err;
    }
  }

  async function handleBatch(records: readonly SqsRecordLike[]) {
    const failures: { itemIdentifier: string }[] = [];
    for (const record of records) {
      try {
        await syncTask(taskIdOf(record.body));
      } catch (err) {
        deps.metrics.count(provider, 'failures');
        deps.log.error('crm sync: task not created', {
          messageId: record.messageId,
          retryable: !(err instanceof CrmError) || err.retryable,
          error: String(err),
        });
        failures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures: failures };
  }

  return { handleBatch, syncTask };
}

/** The task id an SQS record carries (an EventBridge `sdr.task.created` event, or its bare detail). */
function taskIdOf(body: string): string {
  const json = JSON.parse(body) as { detail?: { taskId?: unknown }; taskId?: unknown };
  const taskId = json.detail?.taskId ?? json.taskId;
  if (typeof taskId !== 'string' || taskId === '') throw new Error('the record carries no taskId');
  return taskId;
}

export type CrmTaskSync = ReturnType<typeof createCrmTaskSync>;
