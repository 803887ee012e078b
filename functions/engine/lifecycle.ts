/**
 * The enrollment lifecycle: the cursor an execution keeps on its enrollment, why an enrollment
 * exits before its next step (suppressed, an exit stage, everyone unsubscribed), and the one way
 * an enrollment ends, from inside (the engine's finish) or from outside (`endFromOutside`: the
 * scorer's exit stages and the operator's stop, which stop the execution with StopExecution):
 * status written once, the ad audiences left, `enrollment.finished` published, and the campaign
 * `completed` when that was its last active enrollment (`completeIfEnded`).
 */
import { busEvent, DETAIL_TYPES } from '../kernel/events';
import { ACTIVE_ENROLLMENT, currentExecutionOf, type Enrollment } from '../kernel/model';
import type { Plan } from '../kernel/plan';
import { overlay } from '../kernel/async';
import { PUBLISHER, type EventPublisher } from '../platform/bus';
import { withPorts, type Platform } from '../platform/compose';
import { providers, type Providers } from '../platform/providers';
import { withMailCancel } from '../platform/providers/mail/cancel';
import { SEQUENCE_CONTROL, type SequenceControl } from '../platform/sfn';
import { AccountUpdater } from '../platform/store/accounts';
import { CampaignRepository } from '../platform/store/campaigns';
import { CatalogReader } from '../platform/store/catalog';
import { EnrollmentRepository } from '../platform/store/enrollments';
import { TouchRepository } from '../platform/store/touches';
import { removeEnrollmentFromAudiences, removeFromSequenceAudiences } from './audience-exit';
import { cancelEnrollmentMail } from './mail-cancel';
import type { Run } from './context';
import { iso } from './time';
import { exitReasonOf } from './domain/audience';
import type { Passed } from './domain/planner';

export interface LifecycleDeps {
  enrollments: EnrollmentRepository;
  campaigns: CampaignRepository;
  touches: TouchRepository;
  accounts: AccountUpdater;
  catalog: CatalogReader;
  providers: Providers;
  publisher: EventPublisher;
  control: SequenceControl;
  log: (message: string, data?: Record<string, unknown>) => void;
}

export type EndStatus = 'completed' | 'exited' | 'stopped';

export interface EndFromOutside {
  status: 'exited' | 'stopped';
  reason: string;
  /** The StopExecution cause. */
  cause: string;
  now: Date;
  /** The account's contacts when the caller has them already. */
  contacts?: Iterable<{ contactId: string; email?: string }>;
}

/** The lifecycle of a platform's enrollments; `overrides` replace single dependencies (tests). */
export function lifecycleFeature(platform: Platform, overrides: Partial<LifecycleDeps> = {}): Lifecycle {
  return createLifecycle(
    overlay(
      withPorts(
        platform,
        { publisher: PUBLISHER, control: SEQUENCE_CONTROL },
        {
          enrollments: platform.repository(EnrollmentRepository),
          campaigns: platform.repository(CampaignRepository),
          touches: platform.repository(TouchRepository),
          accounts: platform.repository(AccountUpdater),
          catalog: platform.repository(CatalogReader),
          providers: withMailCancel(platform, providers(platform)),
          log: (message: string, data?: Record<string, unknown>) => platform.log.info(message, data),
        },
      ),
      overrides,
    ),
  );
}

/**
 * A campaign ends when its enrollments have: who ends an enrollment asks whether any other of the
 * campaign is still active (one query on the sparse index of active enrollments, at most two items,
 * not a scan) and, if none is, moves a running or paused campaign to `completed` (a launching one
 * is still enrolling; a stopped one stays stopped). The index is eventually consistent, so two
 * enrollments ending at the same moment may each still see the other: the campaign view, which
 * reads every enrollment anyway, completes such a campaign when it is next read
 * (reports/campaign-report.ts).
 */
export function campaignCompletion(deps: {
  campaigns: Pick<CampaignRepository, 'complete'>;
  enrollments: Pick<EnrollmentRepository, 'anyActive'>;
}) {
  return async function completeIfEnded(campaignId: string, endedAccountId?: string): Promise<boolean> {
    if (await deps.enrollments.anyActive(campaignId, endedAccountId)) return false;
    return deps.campaigns.complete(campaignId);
  };
}

export function createLifecycle(deps: LifecycleDeps) {
  const completeIfEnded = campaignCompletion(deps);
  const audienceDeps = {
    touches: deps.touches,
    accounts: deps.accounts,
    catalog: deps.catalog,
    get audiences() {
      return deps.providers.audiences;
    },
  };

  /** A stopped or exited enrollment's mail pieces are cancelled while the provider still can. */
  function cancelMail(accountId: string, executionName: string, reason: string) {
    return cancelEnrollmentMail(
      { touches: deps.touches, directMail: deps.providers.directMail, log: deps.log },
      { accountId, executionName, reason },
    );
  }

  function finishedEvent(
    e: Pick<Enrollment, 'accountId' | 'campaignId' | 'executionName'> & {
      sequenceId?: string;
      sequenceVersion?: number;
    },
    status: EndStatus,
    reason: string,
    at: Date,
  ) {
    return busEvent(DETAIL_TYPES.enrollmentFinished, {
      eventId: `${e.executionName}#finished`,
      occurredAt: iso(at),
      accountId: e.accountId,
      campaignId: e.campaignId,
      executionName: e.executionName,
      sequenceId: e.sequenceId,
      sequenceVersion: e.sequenceVersion,
      status,
      reason,
    });
  }

  /** The engine ends the enrollment (its execution then ends with the `done` plan returned). */
  async function finish(
    run: Pick<Run, 'input' | 'now' | 'events'> & Partial<Run>,
    reason: string,
    status: EndStatus,
  ): Promise<Plan> {
    const { input, now } = run;
    await deps.enrollments.update(input.accountId, input.campaignId, (e) =>
      ACTIVE_ENROLLMENT.has(e.status) || e.status === 'stopped'
        ? {
            ...e,
            status,
            reason,
            finishedAt: e.finishedAt ?? iso(now),
            taskToken: undefined,
            waitingFor: undefined,
          }
        : undefined,
    );
    if (status !== 'completed') await cancelMail(input.accountId, input.executionName, reason);
    if (run.contacts && run.seq) {
      await removeFromSequenceAudiences(audienceDeps, {
        accountId: input.accountId,
        campaignId: input.campaignId,
        executionName: input.executionName,
        sequence: run.seq,
        contacts: run.contacts,
        now,
        reason: 'enrollment finished',
      });
    }
    run.events.push(
      finishedEvent(
        { ...input, sequenceId: input.sequence.id, sequenceVersion: input.sequence.version },
        status,
        reason,
        now,
      ),
    );
    await completeIfEnded(input.campaignId, input.accountId);
    return { action: 'done', reason };
  }

  /**
   * Ends an active enrollment from outside its execution: StopExecution FIRST (idempotent: `gone`
   * when it already ended), then the ad audiences its `ads` steps added, then the status, then
   * `enrollment.finished`. A retry after a failure at any point finds the enrollment still active
   * and redoes everything (the change and event ids make that harmless). `changed` is false when
   * the enrollment was no longer active (or runs another execution).
   */
  async function endFromOutside(
    e: Enrollment,
    end: EndFromOutside,
  ): Promise<{ changed: boolean; enrollment: Enrollment | undefined }> {
    if (!ACTIVE_ENROLLMENT.has(e.status)) return { changed: false, enrollment: e };
    const stopped = currentExecutionOf(e);
    await deps.control.stop(stopped, end.cause);
    await cancelMail(e.accountId, e.executionName, `enrollment ${end.status}: ${end.reason}`);
    const left = await removeEnrollmentFromAudiences(audienceDeps, e, {
      now: end.now,
      reason: `enrollment ${end.status}: ${end.reason}`,
      contacts: end.contacts,
    });
    if (left.sequenceMissing)
      deps.log('sequence version missing: ad audiences not cleaned', {
        executionName: e.executionName,
        sequenceId: e.sequenceId,
        sequenceVersion: e.sequenceVersion,
      });
    let changed = false;
    const enrollment = await deps.enrollments.update(e.accountId, e.campaignId, (current) => {
      changed = current.executionName === e.executionName && ACTIVE_ENROLLMENT.has(current.status);
      if (!changed) return undefined;
      return {
        ...current,
        status: end.status,
        reason: end.reason,
        finishedAt: iso(end.now),
        taskToken: undefined,
        waitingFor: undefined,
      };
    });
    // The execution continued as new meanwhile (engine/continuation.ts): stop the one running now.
    // (Its next step would end it anyway, reading the status written above.)
    if (enrollment && currentExecutionOf(enrollment) !== stopped)
      await deps.control.stop(currentExecutionOf(enrollment), end.cause);
    if (changed) {
      await deps.publisher.publish([finishedEvent(e, end.status, end.reason, end.now)]);
      await completeIfEnded(e.campaignId, e.accountId);
    }
    return { changed, enrollment };
  }

  /** Why the enrollment exits before its next step, if it does. */
  function exitReason(run: Run): string | undefined {
    return exitReasonOf(run.account, run.contacts, run.seq);
  }

  /** Control steps the walk passed: logged; a split's variant is kept on the enrollment. */
  function recordPassed(passed: Passed[]): Partial<Enrollment> {
    const split = [...passed].reverse().find((p) => p.kind === 'split');
    for (const p of passed) deps.log('control step passed', { ...p });
    return split && split.kind === 'split' ? { variant: split.variant } : {};
  }

  return { finish, endFromOutside, exitReason, recordPassed };
}

export type Lifecycle = ReturnType<typeof createLifecycle>;
