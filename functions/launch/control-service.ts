/**
 * Pause, resume and stop, for a campaign and for one enrollment (DESIGN 2.6). Coordination goes
 * through the enrollment's status, which the engine reads at every step:
 * - pause: status `paused`; the engine sees it at its next step and parks in its `Paused` state on
 *   a task token. An enrollment paused while parked in `AwaitEngagement` keeps its await token
 *   (see `parkedIn`).
 * - resume: when the current token is the `Paused` state's, the status goes to `running` FIRST
 *   (keeping the token), then SendTaskSuccess; the engine clears the token when it runs on. So a
 *   retry after a failed SendTaskSuccess finds `running` + a token and sends it again (a used token
 *   answers `gone`). Sending first would let the engine read `paused` and park again. When the
 *   token is still the await's, the status goes back to `waiting` (the scorer completes it).
 * - stop: StopExecution FIRST (idempotent: `gone` when already ended), then the ad-audience
 *   cleanup the engine's finish step would have done (functions/engine/audience-exit.ts), then
 *   status `stopped`; a retry after a failed call finds the enrollment still active and redoes all.
 * A campaign's status is written before its enrollments are touched, and every campaign action
 * redoes the work on a retry (stop on a stopped campaign stops whatever is still active), so a
 * request that dies midway is finished by repeating it. Held-out and finished enrollments are
 * never touched.
 */
import { Conflict, NotFound } from '../kernel/errors';
import type { Clock } from '../kernel/clock';
import type { CampaignStatus, Enrollment } from '../kernel/model';
import type * as z from 'zod';
import type { AccountRepository } from '../platform/store/repository';
import { enrollmentsOfCampaign } from './audience';
import { mapLimit } from './launch-service';
import type { SequenceControl } from '../platform/sfn';
import type { AudienceProvider } from '../platform/providers/audience';
import { removeEnrollmentFromAudiences } from '../engine/audience-exit';

export type ControlAction = 'pause' | 'resume' | 'stop';

export const PAUSE_REASON = 'paused by an operator';

const ACTIVE = new Set(['running', 'waiting', 'paused']);

export interface ControlResult {
  campaignId: string;
  action: ControlAction;
  status?: z.infer<typeof CampaignStatus>;
  changed: number;
  unchanged: number;
  enrollments?: { accountId: string; status: Enrollment['status'] }[];
}

/** True when a resume is still owed to this enrollment (an earlier resume died before SendTaskSuccess). */
const resumeInFlight = (e: Enrollment) => e.status === 'running' && e.taskToken !== undefined;

export function createControlService(deps: {
  repo: AccountRepository;
  control: SequenceControl;
  clock: Clock;
  /**
   * Ad-audience cleanup on stop (the stopped execution never reaches the engine's finish step).
   * Without it, a stop leaves the contacts in the audiences its `ads` steps added them to.
   */
  audiences?: AudienceProvider;
}) {
  const { repo, control } = deps;

  /**
   * Where the execution of a paused enrollment with a token is parked. The `AwaitEngagement` park
   * stores a token and `waitingFor` (with its condition); the `Paused` park stores a token and
   * clears `waitingFor` (functions/engine: park). So a token with `waitingFor.until` is an await's
   * (the scorer or its timeout ends it), any other token is the pause's.
   */
  function parkedIn(e: Enrollment): 'pause' | 'await' {
    return e.taskToken && e.waitingFor?.until !== undefined ? 'await' : 'pause';
  }

  async function write(
    e: Enrollment,
    decide: (cur: Enrollment) => Enrollment | undefined,
  ): Promise<{ wrote: boolean; enrollment: Enrollment }> {
    let wrote = false;
    const updated = await repo.updateEnrollment(e.accountId, e.campaignId, (cur) => {
      const next = decide(cur);
      wrote = next !== undefined;
      return next;
    });
    if (!updated) throw new NotFound(`no enrollment of ${e.accountId} in ${e.campaignId}`);
    return { wrote, enrollment: updated };
  }

  async function pause(e: Enrollment) {
    return write(e, (cur) =>
      cur.status === 'running' || cur.status === 'waiting'
        ? { ...cur, status: 'paused', reason: PAUSE_REASON }
        : undefined,
    );
  }

  async function resume(
    e: Enrollment,
    now: string,
    attempt = 1,
  ): Promise<{ wrote: boolean; enrollment: Enrollment }> {
    const cur = await repo.getEnrollment(e.accountId, e.campaignId);
    if (!cur) throw new NotFound(`no enrollment of ${e.accountId} in ${e.campaignId}`);
    if (resumeInFlight(cur)) {
      // An earlier resume wrote `running` and died before (or while) sending the token.
      const outcome = await control.resume(cur.taskToken!, { resumed: true, at: now });
      return { wrote: outcome === 'done', enrollment: cur };
    }
    if (cur.status !== 'paused') return { wrote: false, enrollment: cur };
    const where = parkedIn(cur);
    const reason = cur.reason?.startsWith(PAUSE_REASON) ? undefined : cur.reason;
    const token = cur.taskToken;
    const result = await write(cur, (latest) => {
      // Anything changed since it was read (the engine parked again, another request): redo.
      if (latest.status !== 'paused' || latest.taskToken !== token) return undefined;
      if (where === 'await') return { ...latest, status: 'waiting', reason };
      if (!token && latest.waitingFor?.until !== undefined) return { ...latest, status: 'waiting', reason };
      return { ...latest, status: 'running', waitingFor: undefined, reason };
    });
    if (!result.wrote) {
      const latest = result.enrollment;
      if (attempt < 4 && (latest.status === 'paused' || resumeInFlight(latest)))
        return resume(latest, now, attempt + 1);
      return result;
    }
    if (where === 'pause' && token) await control.resume(token, { resumed: true, at: now });
    return result;
  }

  async function stop(e: Enrollment, now: string) {
    const cur = await repo.getEnrollment(e.accountId, e.campaignId);
    if (!cur) throw new NotFound(`no enrollment of ${e.accountId} in ${e.campaignId}`);
    if (!ACTIVE.has(cur.status)) return { wrote: false, enrollment: cur };
    // StopExecution first: if it throws, the enrollment stays active and a retry does it again.
    await control.stop(cur.executionName, `stopped by an operator at ${now}`);
    // Then the ad audiences, before the status: a retry after a failure here redoes both (same ids).
    if (deps.audiences)
      await removeEnrollmentFromAudiences({ repo, audiences: deps.audiences }, cur, {
        now: new Date(now),
        reason: 'enrollment stopped by an operator',
      });
    return write(cur, (latest) =>
      ACTIVE.has(latest.status)
        ? {
            ...latest,
            status: 'stopped',
            reason: 'stopped by an operator',
            finishedAt: now,
            taskToken: undefined,
            waitingFor: undefined,
          }
        : undefined,
    );
  }

  /** Applies the action to one enrollment; `changed` when it did anything. */
  async function apply(
    e: Enrollment,
    action: ControlAction,
  ): Promise<{ changed: boolean; enrollment: Enrollment }> {
    const now = deps.clock.now().toISOString();
    const r =
      action === 'pause' ? await pause(e) : action === 'resume' ? await resume(e, now) : await stop(e, now);
    return { changed: r.wrote, enrollment: r.enrollment };
  }

  const eligibleFor: Record<ControlAction, (e: Enrollment) => boolean> = {
    pause: (e) => e.status === 'running' || e.status === 'waiting',
    resume: (e) => e.status === 'paused' || resumeInFlight(e),
    stop: (e) => ACTIVE.has(e.status),
  };

  async function campaign(campaignId: string, action: ControlAction): Promise<ControlResult> {
    const c = await repo.getCampaign(campaignId);
    if (!c) throw new NotFound(`no campaign ${campaignId}`);
    // A stop is redone on a stopped campaign (the request that stopped it may have died midway).
    if (c.status === 'stopped' && action !== 'stop') throw new Conflict(`campaign ${campaignId} is stopped`);
    const status = action === 'pause' ? 'paused' : action === 'resume' ? 'running' : 'stopped';
    // First the campaign (launch batches read it: no new execution once stopped, paused ones once paused).
    if (c.status !== status) {
      await repo.updateCampaign(campaignId, (cur) =>
        cur.status === 'stopped' && action !== 'stop' ? undefined : { ...cur, status },
      );
    }
    const enrollments = await enrollmentsOfCampaign(repo, campaignId);
    const eligible = enrollments.filter(eligibleFor[action]);
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
