/**
 * Pause, resume and stop, for a campaign and for one enrollment. Coordination goes
 * through the enrollment's status, which the engine reads at every step:
 * - pause: status `paused`; the engine sees it at its next step and parks in its `Paused` state on
 *   a task token. An enrollment paused while parked in `AwaitEngagement` keeps its await token
 *   (see `parkedIn`).
 * - resume: when the current token is the `Paused` state's, the status goes to `running` FIRST
 *   (keeping the token), then SendTaskSuccess; the engine clears the token when it runs on. So a
 *   retry after a failed SendTaskSuccess finds `running` + a token and sends it again (a used token
 *   answers `gone`). Sending first would let the engine read `paused` and park again. When the
 *   token is still the await's, the status goes back to `waiting` (the scorer completes it).
 * - stop: through the engine's lifecycle (`endFromOutside`): StopExecution FIRST (idempotent),
 *   then the ad-audience cleanup the engine's finish step would have done, then status `stopped`
 *   and `enrollment.finished`; a retry after a failed call finds the enrollment still active and
 *   redoes all.
 * A campaign's status is written before its enrollments are touched, and every campaign action
 * redoes the work on a retry (stop on a stopped campaign stops whatever is still active), so a
 * request that dies midway is finished by repeating it. Held-out and finished enrollments are
 * never touched.
 */
import type * as z from 'zod';
import { mapLimit } from '../kernel/async';
import type { Clock } from '../kernel/clock';
import { Conflict, NotFound } from '../kernel/errors';
import { ACTIVE_ENROLLMENT, type CampaignStatus, type Enrollment } from '../kernel/model';
import { enrollmentLifecycle, type Lifecycle } from '../engine';
import { withPorts, type Platform } from '../platform/compose';
import { SEQUENCE_CONTROL, type SequenceControl } from '../platform/sfn';
import { CampaignRepository } from '../platform/store/campaigns';
import { EnrollmentRepository } from '../platform/store/enrollments';

export type ControlAction = 'pause' | 'resume' | 'stop';

export const PAUSE_REASON = 'paused by an operator';

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

export interface ControlDeps {
  enrollments: EnrollmentRepository;
  campaigns: CampaignRepository;
  /** Resumes executions parked on the Paused state's token. */
  control: SequenceControl;
  /** Ends stopped enrollments (the engine's lifecycle). */
  lifecycle: Pick<Lifecycle, 'endFromOutside'>;
  clock: Clock;
}

/** The campaign controls of a platform. */
export function controlFeature(platform: Platform, overrides: Partial<ControlDeps> = {}) {
  return createControlService(
    withPorts(
      platform,
      { control: SEQUENCE_CONTROL },
      {
        enrollments: platform.repository(EnrollmentRepository),
        campaigns: platform.repository(CampaignRepository),
        lifecycle: enrollmentLifecycle(platform),
        clock: platform.clock,
        ...overrides,
      },
    ),
  );
}

export function createControlService(deps: ControlDeps) {
  const { enrollments, campaigns, control } = deps;

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
    const updated = await enrollments.update(e.accountId, e.campaignId, (cur) => {
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
    const cur = await enrollments.get(e.accountId, e.campaignId);
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
    const cur = await enrollments.get(e.accountId, e.campaignId);
    if (!cur) throw new NotFound(`no enrollment of ${e.accountId} in ${e.campaignId}`);
    const ended = await deps.lifecycle.endFromOutside(cur, {
      status: 'stopped',
      reason: 'stopped by an operator',
      cause: `stopped by an operator at ${now}`,
      now: new Date(now),
    });
    return { wrote: ended.changed, enrollment: ended.enrollment ?? cur };
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
    stop: (e) => ACTIVE_ENROLLMENT.has(e.status),
  };

  async function campaign(campaignId: string, action: ControlAction): Promise<ControlResult> {
    const c = await campaigns.get(campaignId);
    if (!c) throw new NotFound(`no campaign ${campaignId}`);
    // A stop is redone on a stopped campaign (the request that stopped it may have died midway).
    if (c.status === 'stopped' && action !== 'stop') throw new Conflict(`campaign ${campaignId} is stopped`);
    const status = action === 'pause' ? 'paused' : action === 'resume' ? 'running' : 'stopped';
    // First the campaign (launch batches read it: no new execution once stopped, paused ones once paused).
    if (c.status !== status) {
      await campaigns.update(campaignId, (cur) =>
        cur.status === 'stopped' && action !== 'stop' ? undefined : { ...cur, status },
      );
    }
    const all = await enrollments.allOfCampaign(campaignId);
    const eligible = all.filter(eligibleFor[action]);
    const results = await mapLimit(eligible, 16, (e) => apply(e, action));
    const changed = results.filter((r) => r.changed).length;
    return { campaignId, action, status, changed, unchanged: all.length - changed };
  }

  async function enrollment(
    campaignId: string,
    accountId: string,
    action: ControlAction,
  ): Promise<ControlResult> {
    const e = await enrollments.get(accountId, campaignId);
    if (!e) throw new NotFound(`no enrollment of ${accountId} in ${campaignId}`);
    if (e.status === 'held_out')
      throw new Conflict(`${accountId} is held out of ${campaignId}: it is never touched`);
    if (action !== 'stop' && !ACTIVE_ENROLLMENT.has(e.status))
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

export type ControlService = ReturnType<typeof createControlService>;
