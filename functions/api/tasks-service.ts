/**
 * The SDR queue: tasks by owner and status, by priority then due time; completing a task with an
 * outcome publishes it as engagement (`engagement.recorded`, source abm.sdr, which RULES.scorerIngest
 * routes to the scorer: `meeting.booked` for meeting_booked, else `sdr.call_logged`, with
 * `properties.outcome`, the task's contact and role) and `sdr.task.completed`.
 *
 * Completing twice (documented choice): the same outcome again is an idempotent 200 with the same
 * task, and it never publishes again; another outcome is a 409. The events are published exactly
 * once per task through a claim on the task item (functions/platform/store/tasks.ts):
 *   complete (conditional: open -> completed) -> claim -> publish -> mark published.
 * A publish that fails gives the claim back and answers 5xx: the client's retry (same outcome)
 * finds the task completed, claims and publishes. A request that dies after claiming leaves a claim
 * that expires (lease), after which a retry publishes. Only a death between the publish and the
 * marker can lead to a second publish, with the SAME event ids (derived from the task id), which
 * the scorer deduplicates.
 */
import { Conflict, NotFound } from '../kernel/errors';
import type { Clock } from '../kernel/clock';
import type { SdrOutcome, SdrTask } from '../kernel/model';
import type { EventPublisher } from '../platform/bus';
import { busEvent, DETAIL_TYPES } from '../kernel/events';
import type { AccountRepository } from '../platform/store/accounts';
import type { TaskRepository } from '../platform/store/tasks';
import { listView, TaskView } from './schemas';

/** How long a publication claim holds before a retry may take it over (a request that died). */
const PUBLICATION_LEASE_MS = 60_000;

/** The engagement type an SDR outcome becomes. */
export function engagementTypeOf(outcome: SdrOutcome): 'meeting.booked' | 'sdr.call_logged' {
  return outcome === 'meeting_booked' ? 'meeting.booked' : 'sdr.call_logged';
}

/** The events a completed task publishes; ids derive from the task id only (idempotent on retry). */
export function completionEvents(task: SdrTask, outcome: SdrOutcome, fallbackAt: string) {
  const occurredAt = task.completedAt ?? fallbackAt;
  const campaign = task.campaignId ? { campaignId: task.campaignId } : {};
  // Research (finding a missing role) is not a conversation with the account: no engagement.
  const engagement =
    task.type === 'research'
      ? []
      : [
          busEvent(DETAIL_TYPES.engagementRecorded, {
            eventId: `sdr-task-${task.taskId}`,
            occurredAt,
            accountId: task.accountId,
            type: engagementTypeOf(outcome),
            ...(task.contactId ? { contactId: task.contactId } : {}),
            ...(task.context.contact?.role ? { role: task.context.contact.role } : {}),
            origin: 'sdr',
            properties: { outcome, taskId: task.taskId, ...campaign },
          }),
        ];
  return [
    ...engagement,
    busEvent(DETAIL_TYPES.sdrTaskCompleted, {
      eventId: `sdr-task-completed-${task.taskId}`,
      occurredAt,
      accountId: task.accountId,
      taskId: task.taskId,
      owner: task.owner,
      outcome,
      ...(task.contactId ? { contactId: task.contactId } : {}),
      ...campaign,
    }),
  ];
}

/** Tasks one overdue listing of an owner's queue evaluates at most per request. */
const OVERDUE_MAX_READ = 1000;

/** `YYYY-MM-DD HH:mm` of `now` in `timeZone`; undefined for a zone Intl does not know. */
export function localTimeIn(timeZone: string, now: Date): string | undefined {
  try {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-CA', {
        timeZone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      })
        .formatToParts(now)
        .map((p) => [p.type, p.value]),
    );
    return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
  } catch {
    return undefined;
  }
}

export interface TasksDeps {
  tasks: TaskRepository;
  publisher: EventPublisher;
  clock: Clock;
  /** The account names a listing shows (one BatchGetItem per page). */
  accounts?: Pick<AccountRepository, 'getMany'>;
}

export function createTasksService(deps: TasksDeps) {
  const { tasks } = deps;

  /**
   * A queue: one owner's (gsi2, by priority then due time) or, without an owner, every owner's
   * (gsi3, by due time); `overdue`: only the open tasks due before now (without an owner a key
   * range; with one, a filter bounded at OVERDUE_MAX_READ tasks per request). Each task says
   * whether it is overdue, its account's name, and who to call with their local time now.
   */
  async function list(q: {
    owner?: string;
    status: SdrTask['status'];
    overdue?: boolean;
    limit: number;
    cursor?: string;
  }) {
    const now = deps.clock.now();
    const nowIso = now.toISOString();
    const dueBefore = q.overdue ? nowIso : undefined;
    const page =
      q.owner === undefined
        ? await tasks.listOfStatus(q.status, { limit: q.limit, cursor: q.cursor, dueBefore })
        : dueBefore
          ? await tasks.listOverdueOfOwner(q.owner, q.status, {
              limit: q.limit,
              cursor: q.cursor,
              dueBefore,
              maxRead: OVERDUE_MAX_READ,
            })
          : await tasks.listOfOwner(q.owner, q.status, { limit: q.limit, cursor: q.cursor });
    const names = deps.accounts
      ? await deps.accounts.getMany(page.items.map((t) => t.accountId))
      : new Map<string, { name: string }>();
    const items = page.items.map((t) => {
      const c = t.context.contact;
      return {
        ...t,
        overdue: t.status === 'open' && Date.parse(t.dueAt) < now.getTime(),
        accountName: names.get(t.accountId)?.name,
        call: c ? { ...c, localTime: localTimeIn(c.timeZone, now) ?? c.localTime } : undefined,
      };
    });
    return listView({ items, cursor: page.cursor }, TaskView);
  }

  async function complete(taskId: string, body: { outcome: SdrOutcome; notes?: string }) {
    const now = deps.clock.now();
    const result = await tasks.complete(taskId, {
      outcome: body.outcome,
      notes: body.notes,
      completedAt: now.toISOString(),
    });
    if (!result) throw new NotFound(`no task ${taskId}`);
    const { task, completed } = result;
    if (!completed && (task.status !== 'completed' || task.outcome !== body.outcome)) {
      throw new Conflict(`task ${taskId} is ${task.status}${task.outcome ? ` (${task.outcome})` : ''}`);
    }
    // First completion, or a retry of it: publish unless published (or being published) already.
    if (await tasks.claimPublication(task.accountId, taskId, now, PUBLICATION_LEASE_MS)) {
      try {
        await deps.publisher.publish(completionEvents(task, task.outcome ?? body.outcome, now.toISOString()));
      } catch (err) {
        await tasks.releasePublication(task.accountId, taskId).catch(() => undefined);
        throw err;
      }
      await tasks.markPublished(task.accountId, taskId, now);
    }
    return view(task);
  }

  return { list, complete };
}

/** A task as the API shows it. */
const view = (t: SdrTask) => TaskView.parse(t);
