/**
 * SDR tasks: in the account's partition, indexed by task id (gsi1) and by owner and status in
 * priority-then-due order (gsi2: the SDR's queue).
 *
 * A completed task also carries its "outcome published" marker as raw attributes (the SdrTask model
 * does not carry them, and nothing rewrites a task once it is completed):
 * - `outcomePublishClaimAt` (epoch ms): a completion request claimed the publication;
 * - `outcomePublishedAt` (epoch ms): the events were published.
 * A claim succeeds only when nothing was published and no live claim exists, so two requests never
 * publish together; a claim left by a crash expires after the lease and a retry may claim.
 */
import type * as z from 'zod';
import { SdrTask, type SdrOutcome, type SdrTaskStatus } from '../../kernel/model';
import {
  decode,
  encode,
  Repository,
  type CreateResult,
  type PageRequest,
  allOf,
  createOnce,
  filteredPageOf,
  pageOf,
} from './codec';
import * as keys from './keys';
import { ConditionFailedError, type Page, queryPage, updateItem, updateVersioned } from './table';

export interface TaskCompletion {
  outcome: SdrOutcome;
  notes?: string;
  completedAt?: string;
}

const CLAIM = 'outcomePublishClaimAt';
const DONE = 'outcomePublishedAt';
const exists = { expression: 'attribute_exists(#pk)', names: { '#pk': 'pk' } };

const taskItem = (t: SdrTask) => encode(t, keys.taskItem(t), 'task');

/**
 * Task generation, all the engine (sdr_task steps) and the scorer (hot-account tasks) do with tasks.
 * A class of its own so those functions carry none of the SDR queue's reads and completions.
 */
export class TaskCreator extends Repository {
  /** Creates the task unless one with its id exists for the account (idempotent generation). */
  async create(task: z.input<typeof SdrTask>): Promise<CreateResult<SdrTask>> {
    return createOnce(this.table, taskItem(SdrTask.parse(task)), SdrTask);
  }
}

/** Every task operation: generation, and the SDR queue the API serves (list, complete, publish). */
export class TaskRepository extends TaskCreator {
  /** Finds a task by id alone: the GSI gives its account, then a consistent read gives the task. */
  async get(taskId: string): Promise<SdrTask | undefined> {
    const accountId = await this.accountOfTask(taskId);
    return accountId ? this.getParsed(keys.task(accountId, taskId), SdrTask) : undefined;
  }

  /**
   * Completes an open task (versioned). `completed` is false when the task was no longer open
   * (a repeated POST): the stored task is returned unchanged. Undefined when there is no such task.
   */
  async complete(
    taskId: string,
    completion: TaskCompletion,
  ): Promise<{ task: SdrTask; completed: boolean } | undefined> {
    const accountId = await this.accountOfTask(taskId);
    if (!accountId) return undefined;
    const result = await updateVersioned(this.table, keys.task(accountId, taskId), (current) => {
      if (!current) return undefined;
      const task = decode(SdrTask, current);
      if (task.status !== 'open') return undefined;
      return taskItem(
        SdrTask.parse({
          ...task,
          status: 'completed',
          outcome: completion.outcome,
          notes: completion.notes,
          completedAt: completion.completedAt ?? this.isoNow(),
        }),
      );
    });
    if (!result.item) return undefined;
    return { task: decode(SdrTask, result.item), completed: result.written };
  }

  /**
   * Rewrites an open task of an account (versioned): `change` returns the new task, or undefined to
   * leave it. Returns the task as stored after, or undefined when there is no such task.
   */
  async updateOpen(
    accountId: string,
    taskId: string,
    change: (task: SdrTask) => SdrTask | undefined,
  ): Promise<SdrTask | undefined> {
    const result = await updateVersioned(this.table, keys.task(accountId, taskId), (current) => {
      if (!current) return undefined;
      const task = decode(SdrTask, current);
      if (task.status !== 'open') return undefined;
      const next = change(task);
      return next ? taskItem(SdrTask.parse(next)) : undefined;
    });
    return result.item ? decode(SdrTask, result.item) : undefined;
  }

  /** An SDR's queue: tasks of one owner and status, by priority (1 first) then due time, paged. */
  async listOfOwner(
    owner: string,
    status: z.infer<typeof SdrTaskStatus>,
    page: PageRequest = {},
  ): Promise<Page<SdrTask>> {
    return pageOf(this.table, keys.tasksOfOwner(owner, status), SdrTask, page);
  }

  /**
   * Every task of a status, whoever owns it, by due time (gsi3), paged; `dueBefore`: only those due
   * before that time (the overdue ones: a key range, no filter).
   */
  async listOfStatus(
    status: z.infer<typeof SdrTaskStatus>,
    page: PageRequest & { dueBefore?: string } = {},
  ): Promise<Page<SdrTask>> {
    const q = keys.tasksOfStatus(status);
    return pageOf(this.table, q, SdrTask, page, {
      ...(page.dueBefore ? { sk: { lt: keys.dueBefore(page.dueBefore) } } : {}),
    });
  }

  /**
   * An SDR's overdue tasks (due before `dueBefore`), in queue order: the owner's queue with a
   * filter on the due-time key, evaluating at most `maxRead` tasks per request (a short page then
   * comes with a cursor).
   */
  async listOverdueOfOwner(
    owner: string,
    status: z.infer<typeof SdrTaskStatus>,
    page: { limit: number; cursor?: string; dueBefore: string; maxRead: number },
  ): Promise<Page<SdrTask>> {
    const q = keys.tasksOfOwner(owner, status);
    const { items, cursor } = await filteredPageOf(
      this.table,
      {
        index: q.index,
        pk: q.pk,
        filter: {
          expression: '#due < :due',
          names: { '#due': 'gsi3sk' },
          values: { ':due': keys.dueBefore(page.dueBefore) },
        },
      },
      SdrTask,
      page,
    );
    return { items, cursor };
  }

  /** Every task of an account, by task id. */
  async listOfAccount(accountId: string): Promise<SdrTask[]> {
    return allOf(this.table, keys.tasksOfAccount(accountId), SdrTask, 1000, { consistent: true });
  }

  // ----- the "outcome published" marker -------------------------------------------

  /** True when this caller now owns publishing the task's outcome. */
  async claimPublication(accountId: string, taskId: string, now: Date, leaseMs: number): Promise<boolean> {
    try {
      await updateItem(
        this.table,
        keys.task(accountId, taskId),
        { set: { [CLAIM]: now.getTime() } },
        {
          condition: {
            expression:
              'attribute_exists(#pk) AND attribute_not_exists(#done) AND (attribute_not_exists(#claim) OR #claim < :stale)',
            names: { '#pk': 'pk', '#claim': CLAIM, '#done': DONE },
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

  async markPublished(accountId: string, taskId: string, now: Date): Promise<void> {
    await updateItem(
      this.table,
      keys.task(accountId, taskId),
      { set: { [DONE]: now.getTime() }, remove: [CLAIM] },
      { condition: exists },
    );
  }

  /** Gives a claim back after a failed publish, so an immediate retry may publish. */
  async releasePublication(accountId: string, taskId: string): Promise<void> {
    await updateItem(this.table, keys.task(accountId, taskId), { remove: [CLAIM] }, { condition: exists });
  }

  private async accountOfTask(taskId: string): Promise<string | undefined> {
    const q = keys.taskById(taskId);
    const { items } = await queryPage(this.table, { index: q.index, pk: q.pk, limit: 1 });
    const accountId = items[0]?.accountId;
    return typeof accountId === 'string' ? accountId : undefined;
  }
}
