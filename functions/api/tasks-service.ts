/**
 * The SDR queue: tasks by owner and status, by priority then due time; completing a task with an
 * outcome publishes it as engagement (`engagement.recorded`, origin sdr) and `sdr.task.completed`.
 * Event ids derive from the task id, so a retried completion is deduplicated by the scorer.
 */
import { Conflict, NotFound } from '../domain/api/errors';
import type { Clock } from '../domain/clock';
import type { SdrOutcome, SdrTask } from '../domain/model';
import type { EventPublisher } from '../adapters/bus';
import { DETAIL_TYPES, SOURCES, engagementRecorded } from '../contracts/events';
import type { AccountRepository } from '../adapters/dynamo/repository';

export function createTasksService(deps: {
  repo: AccountRepository;
  publisher: EventPublisher;
  clock: Clock;
}) {
  const { repo } = deps;

  async function list(q: { owner: string; status: SdrTask['status']; limit: number; cursor?: string }) {
    const page = await repo.listTasks(q.owner, q.status, { limit: q.limit, cursor: q.cursor });
    return { items: page.items.map(view), cursor: page.cursor ?? null };
  }

  async function complete(taskId: string, body: { outcome: SdrOutcome; notes?: string }) {
    const now = deps.clock.now().toISOString();
    const result = await repo.completeTask(taskId, {
      outcome: body.outcome,
      notes: body.notes,
      completedAt: now,
    });
    if (!result) throw new NotFound(`no task ${taskId}`);
    const { task, completed } = result;
    if (!completed) {
      if (task.status !== 'completed' || task.outcome !== body.outcome) {
        throw new Conflict(`task ${taskId} is ${task.status}${task.outcome ? ` (${task.outcome})` : ''}`);
      }
      // The same completion again: publish again (same event ids), so a failed publish can be retried.
    }
    await deps.publisher.publish([
      engagementRecorded({
        eventId: `sdr-task-${taskId}`,
        occurredAt: task.completedAt ?? now,
        accountId: task.accountId,
        type: body.outcome === 'meeting_booked' ? 'meeting.booked' : 'sdr.call_logged',
        contactId: task.contactId,
        role: task.context.contact?.role,
        origin: 'sdr',
        properties: {
          outcome: body.outcome,
          taskId,
          ...(task.campaignId ? { campaignId: task.campaignId } : {}),
        },
      }),
      {
        source: SOURCES.sdr,
        detailType: DETAIL_TYPES.sdrTaskCompleted,
        detail: {
          eventId: `sdr-task-completed-${taskId}`,
          occurredAt: task.completedAt ?? now,
          accountId: task.accountId,
          taskId,
          owner: task.owner,
          outcome: body.outcome,
        } as never,
      },
    ]);
    return view(task);
  }

  return { list, complete };
}

function view(t: SdrTask) {
  return {
    taskId: t.taskId,
    accountId: t.accountId,
    contactId: t.contactId,
    owner: t.owner,
    type: t.type,
    status: t.status,
    priority: t.priority,
    dueAt: t.dueAt,
    reason: t.reason,
    context: t.context as Record<string, unknown>,
    outcome: t.outcome,
    notes: t.notes,
    completedAt: t.completedAt,
  };
}
