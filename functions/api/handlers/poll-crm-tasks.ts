/**
 * Lambda entry point: the scheduled CRM completion poll (EventBridge Scheduler/rule, every few
 * minutes) -> the bounded poll (functions/crm/poll.ts), completing tasks through the task
 * completion of `POST /tasks/{taskId}/complete` (which publishes each outcome once). Here, beside
 * the webhook function, because that completion belongs to the API. Thin: wiring.
 */
import { crmFeature, CrmMetrics } from '../../crm';
import { PUBLISHER } from '../../platform/bus';
import { withPorts } from '../../platform/compose';
import { composeLambda } from '../../platform/lambda';
import { instrument, metrics as powertools } from '../../platform/powertools';
import { TaskRepository } from '../../platform/store/tasks';
import { createTasksService } from '../tasks-service';

const counts = new CrmMetrics();
const { crm } = composeLambda(['tableName', 'busName'], {
  crm: (p) =>
    crmFeature(
      p,
      {
        completeTask: createTasksService(
          withPorts(p, { publisher: PUBLISHER }, { tasks: p.repository(TaskRepository), clock: p.clock }),
        ).complete,
      },
      { metrics: counts },
    ),
});

export const handler = instrument(async () => {
  if (!crm) return { polled: 0, completed: 0 };
  try {
    return await crm.poll();
  } finally {
    counts.publish(powertools);
  }
});
