/**
 * What the CRM adapters share: the HTTP client's error as the port's, a refused response, the
 * outcome a CRM's completion means, and the task's text.
 */
import { SDR_OUTCOMES, type SdrOutcome, type SdrTask } from '../../kernel/model';
import type { HttpDeps, HttpResponse } from '../../platform/providers/http';
import { CrmError } from '../port';

export type CrmAdapterDeps = HttpDeps;

/** A response that is not a success: 401 says to renew the secret; other 4xx are not retried. */
export function expectOk(provider: string, what: string, res: HttpResponse, ok: number[] = [200, 201]): void {
  if (ok.includes(res.status)) return;
  const detail = typeof res.body === 'string' ? res.body : JSON.stringify(res.body ?? null);
  throw new CrmError(
    provider,
    `${what} refused (${res.status})${res.status === 401 ? ': renew the secret' : ''}: ${detail.slice(0, 500)}`,
    res.status === 408 || res.status === 409,
    res.status,
  );
}

/**
 * The outcome a CRM completion means: a disposition naming one of this product's outcomes
 * ("Meeting booked", "no_answer"), else `connected` (the SDR marked the call done).
 */
export function outcomeOf(disposition: unknown): SdrOutcome {
  if (typeof disposition !== 'string') return 'connected';
  const key = disposition
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  return (SDR_OUTCOMES as readonly string[]).includes(key) ? (key as SdrOutcome) : 'connected';
}

/** The subject and body every CRM gets: who and why now, then the talking points. */
export function taskText(task: SdrTask, accountName: string): { subject: string; body: string } {
  const who = task.context.contact ? `${task.context.contact.name} (${accountName})` : accountName;
  const subject = task.type === 'hot_account' ? `Hot account: ${accountName}` : `Call ${who}`;
  const lines = [`Why now: ${task.reason}`];
  if (task.context.contact)
    lines.push(
      `Contact: ${task.context.contact.name}, ${task.context.contact.role}${task.context.contact.phone ? `, ${task.context.contact.phone}` : ''} (local time ${task.context.contact.localTime}, ${task.context.contact.timeZone})`,
    );
  if (task.context.talkingPoints.length > 0)
    lines.push('Talking points:', ...task.context.talkingPoints.map((p) => `- ${p}`));
  if (task.context.recentEngagement.length > 0)
    lines.push('Recent engagement:', ...task.context.recentEngagement.map((p) => `- ${p}`));
  lines.push(`ABM task ${task.taskId}`);
  return { subject: subject.slice(0, 255), body: lines.join('\n') };
}
