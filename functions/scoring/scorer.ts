/**
 * The scorer service (docs/architecture.md "Scoring").
 *
 * Input: SQS FIFO records (message group = account id). A record carries one EventBridge event
 * (`engagement.recorded`) or an enqueuer envelope `{ accountId, events: [detail, ...] }`.
 * A batch is folded per account: one Query and one conditional write per account.
 *
 * Side effects run BEFORE the state write and are all idempotent (deterministic ids, used tokens
 * and finished executions reported as gone, tasks created only if absent), so when the write
 * fails or the Lambda dies the retried batch repeats them harmlessly; once the write commits, the
 * events are in the dedup set and nothing is repeated.
 *
 * A failing account does not fail the batch: only its records are reported in batchItemFailures
 * (all of them, so FIFO order within its group holds); other accounts' work is committed.
 */
import type { Clock } from '../kernel/clock';
import { busEvent, DETAIL_TYPES, sdrTaskCreatedEvent, type BusEvent } from '../kernel/events';
import { ACTIVE_ENROLLMENT, type Enrollment, type SdrTask, type Stage } from '../kernel/model';
import { enrollmentLifecycle, type Lifecycle } from '../engine';
import { PUBLISHER, type EventPublisher } from '../platform/bus';
import type { Log, Platform } from '../platform/compose';
import { SEQUENCE_CONTROL, type SequenceControl } from '../platform/sfn';
import { AccountRepository } from '../platform/store/accounts';
import { CatalogReader } from '../platform/store/catalog';
import { EnrollmentRepository } from '../platform/store/enrollments';
import { ScoreConflictError, ScoreRepository, type AccountSnapshot } from '../platform/store/scores';
import { TaskCreator } from '../platform/store/tasks';
import {
  appendScorePoint,
  conditionHolds,
  decideStage,
  emptyScoreState,
  engagementAt,
  evaluationTime,
  foldEvents,
  scoreAt,
  scoringConfig,
  type Engagement,
  type ResolvedScoringConfig,
  type ScoreState,
  type ScoringEvent,
} from './domain';
import { parseRecord, toScoringEvent, type BatchResult, type SqsRecordLike } from './records';

export { parseRecord, toScoringEvent, type BatchResult, type SqsRecordLike };

/** The stages a sequence exits on when its version cannot be read. */
const DEFAULT_EXIT_STAGES: readonly Stage[] = ['opportunity', 'customer', 'disqualified'];

export interface AccountResult {
  accountId: string;
  applied: number;
  duplicates: number;
  stale: number;
  /** Events dated after now + MAX_FUTURE_SKEW_MS: ignored. */
  future: number;
  written: boolean;
  stageFrom: Stage;
  stageTo: Stage;
  resumed: string[];
  stopped: string[];
  taskCreated?: string;
}

export interface ScorerDeps {
  scores: Pick<ScoreRepository, 'loadAccount' | 'save' | 'get'>;
  accounts: Pick<AccountRepository, 'setStage'>;
  tasks: Pick<TaskCreator, 'create'>;
  enrollments: Pick<EnrollmentRepository, 'listOfAccount' | 'get'>;
  catalog: Pick<CatalogReader, 'getSequence'>;
  /** Ends enrollments whose sequence exits on the account's new stage (the engine's lifecycle). */
  lifecycle: Pick<Lifecycle, 'endFromOutside'>;
  publisher: EventPublisher;
  control: SequenceControl;
  clock: Clock;
  config: ResolvedScoringConfig;
  log: Pick<Log, 'warn' | 'error'>;
  /** Accounts processed in parallel within one batch (default 8). */
  concurrency?: number;
  /** Attempts per account on a concurrent SCORE write (default 3). */
  maxAttempts?: number;
  /** Score changes smaller than this are not published (default 0.01). */
  publishEpsilon?: number;
}

/** The scorer of a platform: its repositories, bus, Step Functions and the engine's lifecycle. */
export function scorerFeature(platform: Platform, options: Partial<ScorerDeps> = {}) {
  return createScorer({
    scores: platform.repository(ScoreRepository),
    accounts: platform.repository(AccountRepository),
    tasks: platform.repository(TaskCreator),
    enrollments: platform.repository(EnrollmentRepository),
    catalog: platform.repository(CatalogReader),
    lifecycle: enrollmentLifecycle(platform),
    publisher: platform.port(PUBLISHER),
    control: platform.port(SEQUENCE_CONTROL),
    clock: platform.clock,
    // Overrides from the configuration (e.g. the MQA thresholds of cdk.json), validated at cold start.
    config: scoringConfig(platform.config.scoring ?? {}),
    log: platform.log,
    ...options,
  });
}

export function createScorer(deps: ScorerDeps) {
  const { scores, publisher, control, clock, config } = deps;
  const concurrency = deps.concurrency ?? 8;
  const maxAttempts = deps.maxAttempts ?? 3;
  const epsilon = deps.publishEpsilon ?? 0.01;
  /** Sequence versions are immutable: their exit stages are cached for the life of the process. */
  const exitStageCache = new Map<string, readonly Stage[]>();

  async function exitStages(sequenceId: string, version: number): Promise<readonly Stage[]> {
    const key = `${sequenceId}@${version}`;
    const cached = exitStageCache.get(key);
    if (cached) return cached;
    const sequence = await deps.catalog.getSequence(sequenceId, version);
    const stages = sequence?.exitWhen?.stages ?? DEFAULT_EXIT_STAGES;
    if (sequence) exitStageCache.set(key, stages);
    return stages;
  }

  async function processAccountOnce(accountId: string, events: ScoringEvent[]): Promise<AccountResult> {
    const snapshot = await scores.loadAccount(accountId);
    const previous = snapshot.score?.state ?? emptyScoreState(accountId, snapshot.profile?.stage ?? 'target');
    // Events that name only a contact get the contact's role from the partition just read.
    const enriched = events.map((e) =>
      e.role || !e.contactId ? e : { ...e, role: snapshot.contacts.get(e.contactId)?.role },
    );
    const now = clock.now();
    const fold = foldEvents(previous, enriched, config, { now: now.getTime() });
    if (fold.future > 0)
      deps.log.warn('ignored events dated in the future', { accountId, future: fold.future });
    const at = evaluationTime(fold.state, now.getTime());
    const engagement = engagementAt(fold.state, at, config);
    const decision = decideStage(fold.state, engagement, config);
    const next: ScoreState = {
      ...fold.state,
      scoreStage: decision.scoreStage,
      stage: decision.stage,
      engagedContacts: engagement.engagedContacts,
      engagedRoles: engagement.engagedRoles,
      ...(decision.changed ? { stageChangedAt: at } : {}),
      // One point per fold, in the same single write (unwritten when the fold changed nothing).
      history: appendScorePoint(fold.state.history, { at, value: round(engagement.score) }),
    };
    const result: AccountResult = {
      accountId,
      applied: fold.applied.length,
      duplicates: fold.duplicates,
      stale: fold.stale,
      future: fold.future,
      written: false,
      stageFrom: previous.stage,
      stageTo: next.stage,
      resumed: [],
      stopped: [],
    };
    const scoreMoved = fold.applied.length > 0 || next.scoreStage !== previous.scoreStage || decision.changed;
    if (!scoreMoved) return result; // all duplicates or stale: nothing to do, no write

    const nextVersion = (snapshot.score?.version ?? 0) + 1;
    const iso = new Date(at).toISOString();
    const outbound: BusEvent[] = [];

    // 1. End enrollments whose sequence exits on the account's stage, at once.
    result.stopped = await stopExitedEnrollments(snapshot, next.stage, now);
    // 2. Resume parked waits whose condition now holds.
    result.resumed = await resumeParked(snapshot, next, engagement, result.stopped);
    // 3. Hot-account task on becoming MQA, unless one is open.
    if (next.stage === 'mqa' && previous.stage !== 'mqa' && !snapshot.openHotTask) {
      const task = hotAccountTask(snapshot, next, engagement, nextVersion, now);
      if ((await deps.tasks.create(task)).created) outbound.push(sdrTaskCreatedEvent(task));
      result.taskCreated = task.taskId;
    }
    // 4. Mirror a stage change onto the account profile.
    if (decision.changed) await deps.accounts.setStage(accountId, next.stage, now);

    // 5. Tell the world (deterministic ids: a retried batch republishes the same events).
    const prevScore = scoreAt(previous, at, config.halfLifeMs);
    if (Math.abs(engagement.score - prevScore) >= epsilon || decision.changed) {
      outbound.push(
        busEvent(DETAIL_TYPES.scoreChanged, {
          eventId: `${accountId}:score:${nextVersion}`,
          occurredAt: iso,
          accountId,
          score: round(engagement.score),
          previousScore: round(prevScore),
          asOf: iso,
          stage: next.stage,
          engagedContacts: engagement.engagedContacts.length,
          engagedRoles: engagement.engagedRoles,
          eventsApplied: fold.applied.length,
        }),
      );
    }
    if (decision.changed) {
      outbound.push(
        busEvent(DETAIL_TYPES.stageChanged, {
          eventId: `${accountId}:stage:${nextVersion}`,
          occurredAt: iso,
          accountId,
          from: previous.stage,
          to: next.stage,
          score: round(engagement.score),
          reason: decision.reason,
        }),
      );
    }
    if (outbound.length > 0) await publisher.publish(outbound);

    // 6. Commit: the one conditional write.
    await scores.save(next, snapshot.score?.version, now, config.halfLifeMs);
    result.written = true;
    // 7. Waits parked while this fold ran (the await race): see resumeParkedAfterWrite.
    result.resumed.push(...(await resumeParkedAfterWrite(snapshot, next, engagement, result)));
    return result;
  }

  /**
   * The await race. The engine parks in two steps, ParkExecution: (P1) store the task token on the
   * enrollment, then (P2) re-read the score state and, if the condition already holds, take the
   * token back and re-plan at once (NotParked). The scorer here: (S1) reads the partition (the
   * snapshot above), (S2) writes the score, then (S3) re-reads the enrollments. All reads are
   * strongly consistent and each write is atomic, so with P1 < P2 and S2 < S3:
   *   - if P2 sees the new score, the engine resumes itself (P2 after S2);
   *   - otherwise P2 < S2 < S3, and P1 < P2, so S3 sees the token and resumes it here.
   * Either way the wait ends, so no interleaving leaves it parked until its timeout. Both sides may
   * act (P2 and S3 both after the other's write): the second resume finds the token used (`gone`),
   * which is harmless. Tokens the snapshot already handled (step 2) are not resumed again.
   *
   * Cost: S3 is a read only when the snapshot holds an enrollment in status `running` (an
   * execution between steps, the only kind that can be about to park an await), so a burst for an
   * account without one still costs one read and one write. The residual gap: an enrollment created
   * after S1 whose execution plans and parks an await before S2 (all within one fold) is caught by
   * its timeout or the account's next fold, not at once.
   */
  async function resumeParkedAfterWrite(
    snapshot: AccountSnapshot,
    state: ScoreState,
    engagement: Engagement,
    result: AccountResult,
  ): Promise<string[]> {
    if (!snapshot.enrollments.some((e) => e.status === 'running')) return [];
    const handled = new Set(
      snapshot.enrollments
        .filter((e) => e.status === 'waiting' && e.taskToken)
        .map((e) => `${e.executionName}#${e.taskToken}`),
    );
    const fresh = (await deps.enrollments.listOfAccount(state.accountId)).filter(
      (e) =>
        e.status === 'waiting' &&
        e.taskToken &&
        !handled.has(`${e.executionName}#${e.taskToken}`) &&
        !result.stopped.includes(e.executionName),
    );
    if (fresh.length === 0) return [];
    return resumeParked({ ...snapshot, enrollments: fresh }, state, engagement, result.stopped);
  }

  /**
   * Ends, at once, the enrollments whose sequence exits on the account's stage: through the engine's
   * lifecycle (StopExecution, the ad audiences left, the status, `enrollment.finished`).
   */
  async function stopExitedEnrollments(
    snapshot: AccountSnapshot,
    stage: Stage,
    now: Date,
  ): Promise<string[]> {
    const stopped: string[] = [];
    for (const e of snapshot.enrollments) {
      if (!ACTIVE_ENROLLMENT.has(e.status)) continue;
      if (!(await exitStages(e.sequenceId, e.sequenceVersion)).includes(stage)) continue;
      const reason = `account entered stage ${stage}`;
      await deps.lifecycle.endFromOutside(e, {
        status: 'exited',
        reason,
        cause: reason,
        now,
        contacts: snapshot.contacts.values(),
      });
      stopped.push(e.executionName);
    }
    return stopped;
  }

  async function resumeParked(
    snapshot: AccountSnapshot,
    state: ScoreState,
    engagement: Engagement,
    stopped: string[],
  ): Promise<string[]> {
    const resumed: string[] = [];
    for (const e of snapshot.enrollments) {
      if (e.status !== 'waiting' || !e.taskToken || stopped.includes(e.executionName)) continue;
      const since = e.waitingFor?.since ? Date.parse(e.waitingFor.since) : undefined;
      if (!conditionHolds(e.waitingFor?.until, state, state.stage, engagement, since)) continue;
      await control.resume(e.taskToken, resumeOutput(state, engagement, e));
      resumed.push(e.executionName);
    }
    return resumed;
  }

  /**
   * A parked wait whose condition may have come to hold while nothing could resume it (local mode's
   * executions re-hydrated onto new tokens after a restart): resumed now if it holds, as a fold would.
   */
  async function resumeIfSatisfied(accountId: string, campaignId: string): Promise<boolean> {
    const enrollment = await deps.enrollments.get(accountId, campaignId);
    if (enrollment?.status !== 'waiting' || !enrollment.taskToken) return false;
    const state = (await scores.get(accountId))?.state;
    if (!state) return false;
    const engagement = engagementAt(state, evaluationTime(state, clock.now().getTime()), config);
    const since = enrollment.waitingFor?.since ? Date.parse(enrollment.waitingFor.since) : undefined;
    if (!conditionHolds(enrollment.waitingFor?.until, state, state.stage, engagement, since)) return false;
    await control.resume(enrollment.taskToken, resumeOutput(state, engagement, enrollment));
    return true;
  }

  function hotAccountTask(
    snapshot: AccountSnapshot,
    state: ScoreState,
    e: Engagement,
    version: number,
    now: Date,
  ): SdrTask {
    const top = state.contributors
      .slice(0, 5)
      .map((c) => `${c.type}${c.role ? ` by ${c.role}` : ''} (${new Date(c.at).toISOString().slice(0, 10)})`);
    return {
      taskId: `hot-${state.accountId}-${version}`,
      accountId: state.accountId,
      owner: snapshot.profile?.ownerSdr ?? config.defaultTaskOwner,
      type: 'hot_account',
      status: 'open',
      priority: 1,
      dueAt: new Date(now.getTime() + 24 * 3600_000).toISOString(),
      reason: `Account became MQA: score ${e.score.toFixed(1)}, ${e.engagedContacts.length} engaged contacts across ${e.engagedRoles.length} roles`,
      context: {
        score: round(e.score),
        stage: 'mqa',
        talkingPoints: [`Engaged roles: ${e.engagedRoles.join(', ') || 'none'}`],
        recentEngagement: top,
        lastTouches: [],
      },
      createdAt: now.toISOString(),
    };
  }

  async function processAccount(accountId: string, events: ScoringEvent[]): Promise<AccountResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await processAccountOnce(accountId, events);
      } catch (err) {
        if (err instanceof ScoreConflictError && attempt < maxAttempts) continue;
        throw err;
      }
    }
  }

  async function handleBatch(
    records: readonly SqsRecordLike[],
  ): Promise<BatchResult & { results: AccountResult[] }> {
    const failures = new Set<string>();
    const failedGroups = new Set<string>();
    const byAccount = new Map<string, { messageIds: string[]; events: ScoringEvent[] }>();
    for (const r of records) {
      const group = r.attributes?.MessageGroupId;
      if (group && failedGroups.has(group)) {
        failures.add(r.messageId);
        continue;
      }
      try {
        const { accountId, events } = parseRecord(r.body);
        const entry = byAccount.get(accountId) ?? { messageIds: [], events: [] };
        entry.messageIds.push(r.messageId);
        entry.events.push(...events.map(toScoringEvent));
        byAccount.set(accountId, entry);
      } catch (err) {
        deps.log.error('invalid scorer record', {
          messageId: r.messageId,
          error: (err as Error).message,
        });
        failures.add(r.messageId);
        if (group) failedGroups.add(group);
      }
    }
    // A group with a bad record: its later records were failed above; fail its earlier ones too,
    // so the group is retried as a whole (order-free folding makes that safe).
    for (const [accountId, entry] of byAccount) {
      if (failedGroups.has(accountId)) {
        entry.messageIds.forEach((id) => failures.add(id));
        byAccount.delete(accountId);
      }
    }

    const results: AccountResult[] = [];
    const queue = [...byAccount.entries()];
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const [accountId, entry] = next;
        try {
          results.push(await processAccount(accountId, entry.events));
        } catch (err) {
          deps.log.error('scoring failed for account', { accountId, error: (err as Error).message });
          entry.messageIds.forEach((id) => failures.add(id));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
    return { batchItemFailures: [...failures].map((itemIdentifier) => ({ itemIdentifier })), results };
  }

  return { handleBatch, processAccount, resumeIfSatisfied, config };
}

export type Scorer = ReturnType<typeof createScorer>;

/** What a resumed await_engagement task returns to the execution. */
export function resumeOutput(state: ScoreState, e: Engagement, enrollment: Enrollment) {
  return {
    resumedBy: 'scorer',
    reason: 'engagement',
    stepId: enrollment.waitingFor?.stepId ?? enrollment.stepId,
    score: round(e.score),
    stage: state.stage,
    engagedContacts: e.engagedContacts.length,
    engagedRoles: e.engagedRoles,
    at: new Date(e.at).toISOString(),
  };
}

const round = (x: number): number => Math.round(x * 1e6) / 1e6;
