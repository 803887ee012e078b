/**
 * SDR tasks: a call (or LinkedIn, email) task for the SDR who owns the account, due within the
 * tier's SLA in the contact's business hours, with why now and what to say to that role.
 */
import { sdrTaskCreatedEvent } from '../../kernel/events';
import type { SdrTaskStep } from '../../kernel/model';
import type { Run } from '../context';
import { composeSdrTask } from '../domain/sdr';
import type { ChannelFactory } from './types';
import { WINDOWED } from '../domain/touch-timing';

function recentEngagement(run: Run): string[] {
  return run.facts.recentEvents
    .slice(0, 5)
    .map((e) => `${e.type} ${e.role ? `by ${e.role} ` : ''}at ${e.occurredAt}`);
}

function lastTouchLines(run: Run): string[] {
  return run.recent
    .filter((t) => t.status === 'sent')
    .slice(0, 5)
    .map((t) => `${t.at} ${t.channel} ${t.stepId}${t.summary ? `: ${t.summary}` : ''}`);
}

export const sdrTask: ChannelFactory<SdrTaskStep> = (deps) => ({
  windowed: WINDOWED.sdr_task,
  begin: (run, step) => ({
    async deliver(touch, contact) {
      const task = composeSdrTask({
        account: run.account,
        contact,
        step,
        campaignId: run.input.campaignId,
        touchId: touch.touchId,
        now: run.now,
        window: run.seq.sendWindow,
        closed: run.closedDay?.(contact),
        score: run.facts.score,
        recentEngagement: recentEngagement(run),
        lastTouches: lastTouchLines(run),
        defaultOwner: deps.config.defaultSdrOwner ?? 'unassigned',
        sla: deps.config.sdrSla,
        talkingPoints: deps.config.talkingPoints,
      });
      if (!(await deps.ledger.handingOver(run, touch))) return;
      const created = await deps.tasks.create(task);
      const stored = created.created ? created.value : created.existing;
      run.events.push(sdrTaskCreatedEvent(stored));
      await deps.ledger.sent(run, touch, stored.taskId, `sdr ${step.taskType} task for ${contact.name}`);
    },
  }),
});
