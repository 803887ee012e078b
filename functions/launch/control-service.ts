/**
 * Pause, resume and stop, for a campaign and for one enrollment (DESIGN 2.6). Coordination goes
 * through the enrollment's status, which the engine reads at every step:
 * - pause: status `paused`; the engine sees it at its next step and parks on a task token.
 * - resume: a token parked for the pause (a token without `waitingFor.until`) is completed with
 *   SendTaskSuccess and the status goes back to `running`; an enrollment paused while waiting on
 *   engagement goes back to `waiting` and keeps its await token (the scorer completes that one).
 * - stop: status `stopped` first (so the engine ends even if the next call fails), then StopExecution.
 * Held-out and finished enrollments are never touched.
 */
import { Conflict, NotFound } from '../domain/api/errors';
import type { Clock } from '../domain/clock';
import type { CampaignStatus, Enrollment } from '../domain/model';
import type * as z from 'zod';
import type { AccountRepository } from '../adapters/dynamo/repository';
import { enrollmentsOfCampaign } from './audience';
import { mapLimit } from './launch-service';
import type { SequenceControl } from '../adapters/sfn/sequence-control';

export type ControlAction = 'pause' | 'resume' | 'stop';

const ACTIVE = new Set(['running', 'waiting', 'paused']);

export interface ControlResult {
  campaignId: string;
  action: ControlAction;
  status?: z.infer<typeof CampaignStatus>;
  changed: number;
  unchanged: number;
  enrollments?: { accountId: string; status: Enrollment['status'] }[];
}

export function createControlService(deps: {
  repo: AccountRepository;
  control: SequenceControl;
  clock: Clock;
}) {
  const { repo, control } = deps;

  /** Applies the action to one enrollment; true when it changed anything. */
  async function apply(
    e: Enrollment,
    action: ControlAction,
  ): Promise<{ changed: boolean; enrollment: Enrollment }> {
    let tokenToResume: string | undefined;
    let stopExecution = false;
    let wrote = false;
    const now = deps.clock.now().toISOString();
    const updated = await repo.updateEnrollment(e.accountId, e.campaignId, (cur) => {
      const next = decide(cur);
      wrote = next !== undefined;
      return next;
    });
    function decide(cur: Enrollment): Enrollment | undefined {
      tokenToResume = undefined;
      stopExecution = false;
      if (action === 'pause') {
        if (cur.status !== 'running' && cur.status !== 'waiting') return undefined;
        return { ...cur, status: 'paused' };
      }
      if (action === 'resume') {
        if (cur.status !== 'paused') return undefined;
        const awaiting = cur.waitingFor?.until !== undefined;
        if (awaiting) return { ...cur, status: 'waiting' };
        tokenToResume = cur.taskToken;
        return { ...cur, status: 'running', taskToken: undefined, waitingFor: undefined };
      }
      if (!ACTIVE.has(cur.status)) return undefined;
      stopExecution = true;
      return {
        ...cur,
        status: 'stopped',
        reason: 'stopped by an operator',
        finishedAt: now,
        taskToken: undefined,
      };
    }
    if (!updated) throw new NotFound(`no enrollment of ${e.accountId} in ${e.campaignId}`);
    if (tokenToResume) await control.resume(tokenToResume, { resumed: true, at: now });
    if (stopExecution) await control.stop(updated.executionName, `stopped by an operator at ${now}`);
    return { changed: wrote, enrollment: updated };
  }

  async function campaign(campaignId: string, action: ControlAction): Promise<ControlResult> {
    const c = await repo.getCampaign(campaignId);
    if (!c) throw new NotFound(`no campaign ${campaignId}`);
    if (c.status === 'stopped') throw new Conflict(`campaign ${campaignId} is stopped`);
    const status = action === 'pause' ? 'paused' : action === 'resume' ? 'running' : 'stopped';
    await repo.updateCampaign(campaignId, (cur) => ({ ...cur, status }));
    const enrollments = await enrollmentsOfCampaign(repo, campaignId);
    const eligible = enrollments.filter((e) => ACTIVE.has(e.status));
    const results = await mapLimit(eligible, 16, (e) => apply(e, action));
    const changed = results.filter((r) => r.changed).length;
    return { campaignId, action, status, changed, unchanged: enrollments.length - changed };
  }

  async function enrollment(
    campaignId: string,
    accountId: string,
    action: ControlAction,
  ): Promise<ControlResult> {
    const e = await repo.getEnrollment(accountId, campaignId);
    if (!e) throw new NotFound(`no enrollment of ${accountId} in ${campaignId}`);
    if (e.status === 'held_out')
      throw new Conflict(`${accountId} is held out of ${campaignId}: it is never touched`);
    if (action !== 'stop' && !ACTIVE.has(e.status))
      throw new Conflict(`the enrollment has ended (${e.status})`);
    const { changed, enrollment: updated } = await apply(e, action);
    return {
      campaignId,
      action,
      changed: changed ? 1 : 0,
      unchanged: changed ? 0 : 1,
      enrollments: [{ accountId, status: updated.status }],
    };
  }

  return { campaign, enrollment };
}
