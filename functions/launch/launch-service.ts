/**
 * The launch service (docs/architecture.md "Components", "HTTP API" POST /campaigns): resolves the audience, applies eligibility
 * (suppressed accounts, exit stages, accounts already enrolled, exclusive sequences), assigns a
 * deterministic holdout, and enrolls: per account one conditional put of the enrollment
 * (attribute_not_exists: idempotent) and, for treated accounts, one StartExecution named from
 * campaign and account (ExecutionAlreadyExists = already running). So at most 2 AWS calls per
 * account; the reads are per page, not per account.
 *
 * Small audiences are enrolled before answering; larger ones are handed to a LaunchRunner (the
 * launcher state machine on AWS: audience in S3, Distributed Map over it), and the API answers 202.
 */
import type { CampaignAudience } from '../kernel/model';
import { createHash, randomUUID } from 'node:crypto';
import { mapLimit, overlay } from '../kernel/async';
import { minimumDetectableLiftPoints } from '../kernel/stats';
import type { Clock } from '../kernel/clock';
import { BadRequest, Conflict, NotFound, OverBudget } from '../kernel/errors';
import type { Forecaster } from '../kernel/forecast';
import {
  executionNameFor,
  snapshotOf,
  type ExecutionInput,
  type LaunchContext,
  type LaunchItem,
  type LaunchRunner,
} from '../kernel/execution';
import { isHeldOut } from '../kernel/hash';
import {
  ACTIVE_ENROLLMENT,
  ENGAGED_OR_LATER,
  Enrollment,
  type Account,
  type Campaign,
  type Sequence,
} from '../kernel/model';
import { withPorts, type Platform } from '../platform/compose';
import { FORECASTER } from '../platform/forecaster';
import { LAUNCHER } from '../platform/launcher';
import { EXECUTION_STARTER, type ExecutionStarter } from '../platform/sfn';
import { AccountRepository } from '../platform/store/accounts';
import { CampaignRepository } from '../platform/store/campaigns';
import { CatalogReader } from '../platform/store/catalog';
import { EnrollmentRepository } from '../platform/store/enrollments';
import type { LaunchBody, LaunchForecast, LaunchResult, SkipReason } from './contract';
import { campaignCompletion } from '../engine';
import { activeEnrollmentsElsewhere, resolveAudience } from './audience';

export interface BatchResult {
  enrolled: number;
  heldOut: number;
  /** Enrollments that already existed (a retried batch, a second launch). */
  existing: number;
  /** StartExecution answered ExecutionAlreadyExists. */
  alreadyRunning: number;
  /** Existing enrollments whose execution was (re)started by this call (counted in `enrolled` too). */
  restarted: number;
  /** Accounts not enrolled or started because the campaign is stopped (reason `campaign_stopped`). */
  campaignStopped: string[];
}

export interface LaunchServiceDeps {
  accounts: Pick<AccountRepository, 'getMany' | 'allOfTier'>;
  enrollments: Pick<EnrollmentRepository, 'existing' | 'writeNew' | 'update' | 'allOfCampaign' | 'anyActive'>;
  campaigns: Pick<
    CampaignRepository,
    'get' | 'create' | 'update' | 'listAll' | 'acquireLease' | 'extendLease' | 'releaseLease' | 'complete'
  >;
  catalog: Pick<CatalogReader, 'getSequence'>;
  starter: ExecutionStarter;
  /**
   * The launch forecast (the engine's, in its own function on AWS; `launchFeature` always has one).
   * Without it a dry run carries no forecast, and `maxUsd` cannot be enforced (a launch is refused).
   */
  forecaster?: Forecaster;
  /** `config.launch.maxUsd`: a launch forecast to cost more is refused without `confirm`; no cap when absent. */
  maxUsd?: number;
  clock: Clock;
  /** Audiences up to this size are enrolled inline; larger ones go to `runner`. Default 100. */
  inlineLimit?: number;
  runner?: LaunchRunner;
  /** Concurrent accounts in one batch. Default 16. */
  concurrency?: number;
  /**
   * How long an inline launch may hold the lease (default 60 s: longer than the API's 29 s, so a
   * request that dies does not block the campaign for long) and a launcher run (default
   * LAUNCHER_LEASE_MS: longer than the launcher's own timeout, so the lease never expires under a
   * running launcher; released by its Finalize, on success and on failure).
   */
  inlineLeaseMs?: number;
  launcherLeaseMs?: number;
}

export type LaunchOptions = Partial<LaunchServiceDeps>;

/** The launch service of a platform: large launches go to the launcher state machine. */
export function launchFeature(platform: Platform, options: LaunchOptions = {}): LaunchService {
  return createLaunchService(
    overlay<LaunchServiceDeps>(
      withPorts(
        platform,
        { starter: EXECUTION_STARTER, runner: LAUNCHER, forecaster: FORECASTER },
        {
          maxUsd: platform.config.launchMaxUsd,
          accounts: platform.repository(AccountRepository),
          enrollments: platform.repository(EnrollmentRepository),
          campaigns: platform.repository(CampaignRepository),
          catalog: platform.repository(CatalogReader),
          clock: platform.clock,
        },
      ),
      options,
    ),
  );
}

const DRY_RUN_LIST_LIMIT = 1000;
/** The `skipped` list of a launch response holds at most this many accounts (counts are complete). */
export const SKIPPED_LIST_LIMIT = 1000;

/** Enrollments a retried batch or a relaunch may (re)start: written, never started or parked. */
const mayNeedStart = (e: Enrollment) =>
  (e.status === 'running' || e.status === 'paused') && e.stepId === undefined && e.taskToken === undefined;

/** A campaign id from the name and a digest of the request: a retried request gets the same id. */
export function campaignIdFor(body: LaunchBody): string {
  const slug =
    body.name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'campaign';
  const digest = createHash('sha256')
    .update(
      JSON.stringify([
        body.name,
        body.sequenceId,
        body.version ?? null,
        body.audience,
        body.holdoutPercent ?? 0,
      ]),
    )
    .digest('hex')
    .slice(0, 10);
  return `${slug}-${digest}`;
}

/**
 * The launcher state machine's timeout (`TimeoutSeconds` in statemachines/campaign-launch.asl.json,
 * checked by test/infra/readiness.test.ts), and the lease a handed-over launch holds: the timeout
 * plus a margin for the time between extending the lease and StartExecution.
 */
export const LAUNCHER_TIMEOUT_SECONDS = 6 * 3600;
export const LAUNCHER_LEASE_MS = (LAUNCHER_TIMEOUT_SECONDS + 15 * 60) * 1000;

export function createLaunchService(deps: LaunchServiceDeps) {
  const completeIfEnded = campaignCompletion(deps);
  const inlineLimit = deps.inlineLimit ?? 100;
  const concurrency = deps.concurrency ?? 16;
  const inlineLeaseMs = deps.inlineLeaseMs ?? 60_000;
  const launcherLeaseMs = deps.launcherLeaseMs ?? LAUNCHER_LEASE_MS;

  /**
   * Enrolls one batch: the Distributed Map item processor calls this, and so does the inline path.
   * Per chunk of 100 accounts: one BatchGetItem of their enrollments, BatchWriteItem (25 per call)
   * of the missing ones only (held-out records included: recorded, never started), then one
   * StartExecution per new treated account. So about 1.05 AWS calls per account.
   *
   * Safety without conditional writes: only the holder of the campaign's launch lease calls this
   * (see `launch`), so no other launch writes these keys meanwhile; the BatchGet just before the
   * write keeps a retried batch from rewriting an enrollment its execution already moved on; and
   * the execution name (campaign + account) makes StartExecution idempotent. A crash between the
   * write and StartExecution leaves an enrollment `running` with no step yet: the retried batch, or
   * a relaunch, finds it and starts its execution with a fresh `restartId` (ExecutionAlreadyExists
   * if it did start, running or not: without it, AWS would answer a running one with success).
   */
  async function enrollBatch(context: LaunchContext, items: readonly LaunchItem[]): Promise<BatchResult> {
    const result: BatchResult = {
      enrolled: 0,
      heldOut: 0,
      existing: 0,
      alreadyRunning: 0,
      restarted: 0,
      campaignStopped: [],
    };
    const campaignStatus = async () => (await deps.campaigns.get(context.campaignId))?.status;
    for (let i = 0; i < items.length; i += 100) {
      const chunk = items.slice(i, i + 100);
      // A stopped campaign enrolls nobody more; a paused one enrolls `paused` (see below).
      const before = await campaignStatus();
      if (before === 'stopped') {
        result.campaignStopped.push(...new Set(chunk.map((c) => c.accountId)));
        continue;
      }
      const existing = await deps.enrollments.existing(
        context.campaignId,
        chunk.map((c) => c.accountId),
      );
      const fresh: Enrollment[] = [];
      const toStart: { accountId: string; enrolledAt: string; isNew: boolean }[] = [];
      const seen = new Set<string>();
      for (const item of chunk) {
        if (seen.has(item.accountId)) continue;
        seen.add(item.accountId);
        const found = existing.get(item.accountId);
        if (found) {
          result.existing++;
          // Its execution may never have started (a crash after the write): start it, idempotently.
          if (mayNeedStart(found))
            toStart.push({ accountId: item.accountId, enrolledAt: found.startedAt, isNew: false });
          continue;
        }
        fresh.push(
          Enrollment.parse({
            accountId: item.accountId,
            campaignId: context.campaignId,
            sequenceId: context.sequence.id,
            sequenceVersion: context.sequence.version,
            exclusive: context.sequence.exclusive,
            executionName: executionNameFor(context.campaignId, item.accountId),
            // Enrolled into a paused campaign: the execution starts and the engine, reading
            // `paused` at its first step, parks in its Paused state until the campaign is resumed
            // (the resume completes that token). One code path, no second "start on resume" list.
            status: item.heldOut ? 'held_out' : before === 'paused' ? 'paused' : 'running',
            startedAt: context.enrolledAt,
            updatedAt: context.enrolledAt,
            version: 1,
          }),
        );
        if (!item.heldOut)
          toStart.push({ accountId: item.accountId, enrolledAt: context.enrolledAt, isNew: true });
      }
      await deps.enrollments.writeNew(fresh);
      result.heldOut += fresh.filter((e) => e.status === 'held_out').length;
      // Read again after the write: a stop (or pause) that listed the enrollments before this write
      // did not see these. Stopped: start nothing (and mark the unstarted ones stopped); paused:
      // mark them paused first, so the engine parks at once.
      const after = await campaignStatus();
      if (after === 'stopped' || (after === 'paused' && before !== 'paused')) {
        const status = after;
        await mapLimit(toStart, concurrency, (s) =>
          deps.enrollments.update(s.accountId, context.campaignId, (e) =>
            mayNeedStart(e) && e.status !== status
              ? status === 'stopped'
                ? { ...e, status, reason: 'campaign_stopped', finishedAt: deps.clock.now().toISOString() }
                : { ...e, status }
              : undefined,
          ),
        );
        if (status === 'stopped') {
          result.campaignStopped.push(...toStart.map((s) => s.accountId));
          continue;
        }
      }
      await mapLimit(toStart, concurrency, async (s) => {
        const input: ExecutionInput = {
          accountId: s.accountId,
          campaignId: context.campaignId,
          executionName: executionNameFor(context.campaignId, s.accountId),
          sequence: context.sequence,
          enrolledAt: s.enrolledAt,
          // Not sure it was started (a crash between the write and StartExecution, or after it):
          // a fresh input turns AWS's idempotent success for a running one into
          // ExecutionAlreadyExists, so `started` is true only for an execution started now.
          ...(s.isNew ? {} : { restartId: randomUUID() }),
        };
        const { started } = await deps.starter.start(input);
        if (!started) result.alreadyRunning++;
        if (s.isNew) result.enrolled++;
        // An enrollment a failed attempt wrote without its execution: started now. That attempt
        // never counted it (it failed before its finalize), so it counts as enrolled now.
        else if (started) {
          result.restarted++;
          result.enrolled++;
        }
      });
    }
    return result;
  }

  /**
   * Moves the campaign from launching to running with its counts. With `added` (the batches'
   * results, known in process) the counts are incremented without reading; without it (the
   * launcher's last state) the campaign's enrollments are counted (paged query).
   */
  async function finalize(
    campaignId: string,
    added?: { enrolled: number; heldOut: number },
  ): Promise<Campaign | undefined> {
    try {
      const campaign = await count(campaignId, added);
      // Its enrollments may all have ended already (all held out, or quick ones): then it is over.
      if (campaign?.status === 'running' && (await completeIfEnded(campaignId)))
        return { ...campaign, status: 'completed' };
      return campaign;
    } finally {
      // The launch is over (the launcher's last state, or the in-process runner): let the next one in.
      await deps.campaigns.releaseLease(campaignId);
    }
  }

  /**
   * The launcher's failure path (a batch failed after its retries): records what was enrolled,
   * leaves the campaign `launching` (not fully launched: a relaunch with the same campaignId
   * finishes it, enrolling nobody twice) and releases the lease so that relaunch is not refused.
   */
  async function finalizeFailed(campaignId: string): Promise<Campaign | undefined> {
    try {
      return await count(campaignId, undefined, false);
    } finally {
      await deps.campaigns.releaseLease(campaignId);
    }
  }

  async function count(
    campaignId: string,
    added?: { enrolled: number; heldOut: number },
    launched = true,
  ): Promise<Campaign | undefined> {
    if (added) {
      return deps.campaigns.update(campaignId, (c) => ({
        ...c,
        // A completed campaign relaunched for more accounts runs again.
        status:
          c.status === 'launching' || (c.status === 'completed' && added.enrolled > 0) ? 'running' : c.status,
        enrolled: c.enrolled + added.enrolled,
        heldOut: c.heldOut + added.heldOut,
      }));
    }
    const enrollments = await deps.enrollments.allOfCampaign(campaignId);
    const heldOut = enrollments.filter((e) => e.status === 'held_out').length;
    return deps.campaigns.update(campaignId, (c) => ({
      ...c,
      status:
        (c.status === 'launching' && launched) ||
        (c.status === 'completed' && enrollments.some((e) => ACTIVE_ENROLLMENT.has(e.status)))
          ? 'running'
          : c.status,
      enrolled: enrollments.length - heldOut,
      heldOut,
    }));
  }

  async function loadSequence(body: LaunchBody, campaign?: Campaign): Promise<Sequence> {
    const version = campaign?.version ?? body.version;
    const sequence = await deps.catalog.getSequence(body.sequenceId, version);
    if (!sequence) {
      throw new NotFound(
        version ? `sequence ${body.sequenceId} has no version ${version}` : `no sequence ${body.sequenceId}`,
        [{ path: version ? 'body.version' : 'body.sequenceId', message: 'not found' }],
      );
    }
    return sequence;
  }

  async function launch(body: LaunchBody): Promise<LaunchResult> {
    const campaignId = body.campaignId ?? campaignIdFor(body);
    const existing = await deps.campaigns.get(campaignId);
    if (existing && existing.sequenceId !== body.sequenceId) {
      throw new Conflict(`campaign ${campaignId} runs sequence ${existing.sequenceId}`, [
        { path: 'body.sequenceId', message: `the campaign exists with sequence ${existing.sequenceId}` },
      ]);
    }
    if (existing && body.version !== undefined && existing.version !== body.version) {
      throw new Conflict(`campaign ${campaignId} runs version ${existing.version}`, [
        { path: 'body.version', message: `the campaign exists with version ${existing.version}` },
      ]);
    }
    if (existing?.status === 'stopped') throw new Conflict(`campaign ${campaignId} is stopped`);
    if (existing?.programId !== undefined)
      throw new Conflict(`campaign ${campaignId} is program ${existing.programId}'s: its triggers enroll`);
    const sequence = await loadSequence(body, existing);
    // A relaunch keeps the campaign's own audience and holdout: the same accounts, the same holdout.
    const audience = (existing?.audience as CampaignAudience | undefined) ?? body.audience;
    const holdoutPercent = existing?.holdoutPercent ?? body.holdoutPercent ?? 0;

    const resolved = await resolveAudience(deps.accounts, audience);
    if (
      resolved.accounts.length === 0 &&
      resolved.notFound.length > 0 &&
      !audience.tier &&
      !audience.cluster
    ) {
      throw new NotFound('none of the named accounts exist', [
        { path: 'body.audience.accountIds', message: resolved.notFound.slice(0, 20).join(', ') },
      ]);
    }
    // The other campaigns' enrollments need no lease: read them before taking it, so the lease
    // covers only this campaign's reads and writes.
    const elsewhere = await activeEnrollmentsElsewhere(deps.campaigns, deps.enrollments, campaignId);
    // One launch of a campaign at a time (the enrollment writes are unconditional batch writes).
    // A dry run writes nothing and needs no lease. The lease is short (an inline launch ends within
    // the API's timeout); handing over to the launcher extends it to the launcher's run.
    let leaseHeld = false;
    const launchId = randomUUID();
    if (!body.dryRun) {
      leaseHeld = await deps.campaigns.acquireLease(campaignId, launchId, deps.clock.now(), inlineLeaseMs);
      if (!leaseHeld)
        throw new Conflict(`a launch of campaign ${campaignId} is in progress; retry when it ends`);
    }
    try {
      // Read under the lease (a launch that finished meanwhile is seen), even for a campaign that did
      // not exist a moment ago: one query, and a concurrent first launch cannot be missed.
      const mine = new Map((await deps.enrollments.allOfCampaign(campaignId)).map((e) => [e.accountId, e]));

      const skipped: { accountId: string; reason: SkipReason }[] = resolved.notFound.map((accountId) => ({
        accountId,
        reason: 'not_found' as const,
      }));
      const items: LaunchItem[] = [];
      for (const account of resolved.accounts) {
        const reason = ineligible(
          account,
          sequence,
          mine.get(account.accountId),
          elsewhere.get(account.accountId),
        );
        if (reason === 'already_enrolled') {
          skipped.push({ accountId: account.accountId, reason });
          const e = mine.get(account.accountId);
          // Its execution may never have started (StartExecution failed after the put): try again, idempotently.
          if (e && e.status === 'running' && e.stepId === undefined)
            items.push({ accountId: account.accountId, heldOut: false });
          continue;
        }
        if (reason) {
          skipped.push({ accountId: account.accountId, reason });
          continue;
        }
        items.push({
          accountId: account.accountId,
          heldOut: isHeldOut(campaignId, account.accountId, holdoutPercent),
        });
      }
      const fresh = items.filter((i) => !mine.has(i.accountId));
      const plannedEnrolled = fresh.filter((i) => !i.heldOut).length;
      const plannedHeldOut = fresh.length - plannedEnrolled;
      const base = (extra: typeof skipped = []) => ({
        campaignId,
        sequenceId: sequence.id,
        version: sequence.version,
        audienceSize: resolved.accounts.length + resolved.notFound.length,
        ...skippedSummary([...skipped, ...extra]),
      });

      const treated = fresh.filter((i) => !i.heldOut);
      const minimumDetectableLift = minimumDetectableLiftFor(
        fresh,
        resolved.accounts,
        plannedEnrolled,
        plannedHeldOut,
      );
      const forecast = async (): Promise<LaunchForecast> => {
        if (!deps.forecaster) throw new Error('the launch service has no forecaster');
        const touches = await deps.forecaster.forecast({
          sequence: snapshotOf(sequence),
          accountIds: treated.map((i) => i.accountId),
          startAt: deps.clock.now().toISOString(),
        });
        return { ...touches, minimumDetectableLift };
      };

      if (body.dryRun) {
        return {
          ...base(),
          status: existing?.status ?? 'launching',
          dryRun: true,
          mode: 'dry_run',
          enrolled: plannedEnrolled,
          heldOut: plannedHeldOut,
          wouldEnroll: treated.slice(0, DRY_RUN_LIST_LIMIT).map((i) => i.accountId),
          wouldHoldOut: fresh
            .filter((i) => i.heldOut)
            .slice(0, DRY_RUN_LIST_LIMIT)
            .map((i) => i.accountId),
          minimumDetectableLift,
          ...(deps.forecaster ? { forecast: await forecast() } : {}),
        };
      }
      if (deps.maxUsd !== undefined && !body.confirm && treated.length > 0) {
        const planned = await forecast();
        if (planned.cost.usd > deps.maxUsd)
          throw new OverBudget(
            `the launch is forecast to cost $${planned.cost.usd}, more than config.launch.maxUsd ($${deps.maxUsd}); send confirm: true to launch anyway`,
            planned,
          );
      }

      const now = deps.clock.now().toISOString();
      if (!existing) {
        const created = await deps.campaigns.create({
          campaignId,
          name: body.name,
          sequenceId: sequence.id,
          version: sequence.version,
          audience,
          holdoutPercent,
          status: 'launching',
          enrolled: 0,
          heldOut: 0,
          createdAt: now,
          updatedAt: now,
        });
        if (!created.created && created.existing.sequenceId !== sequence.id) {
          throw new Conflict(`campaign ${campaignId} was created concurrently with another sequence`);
        }
      }
      const context: LaunchContext = { campaignId, sequence: snapshotOf(sequence), enrolledAt: now };

      if (items.length > inlineLimit && deps.runner) {
        // The launcher holds the lease until its Finalize (or its failure path) releases it.
        if (!(await deps.campaigns.extendLease(campaignId, launchId, deps.clock.now(), launcherLeaseMs)))
          throw new Conflict(`the launch lease of campaign ${campaignId} expired; retry`);
        await deps.runner.start({ ...context, items, launchId });
        leaseHeld = false; // the launcher's finalize releases it
        return {
          ...base(),
          status: 'launching',
          dryRun: false,
          mode: 'launcher',
          enrolled: plannedEnrolled,
          heldOut: plannedHeldOut,
        };
      }
      const result = await enrollBatch(context, items);
      leaseHeld = false; // finalize releases it, whatever happens
      const campaign = await finalize(campaignId, result);
      return {
        ...base(
          result.campaignStopped.map((accountId) => ({ accountId, reason: 'campaign_stopped' as const })),
        ),
        status: campaign?.status ?? 'running',
        dryRun: false,
        mode: 'inline',
        enrolled: result.enrolled,
        heldOut: result.heldOut,
      };
    } finally {
      if (leaseHeld) await deps.campaigns.releaseLease(campaignId);
    }
  }

  return { launch, enrollBatch, finalize, finalizeFailed };
}

export type LaunchService = ReturnType<typeof createLaunchService>;

function ineligible(
  account: Account,
  sequence: Sequence,
  mine: Enrollment | undefined,
  elsewhere: Enrollment[] | undefined,
): SkipReason | undefined {
  if (account.suppressed) return 'suppressed';
  if (mine) return 'already_enrolled';
  if (sequence.exitWhen.stages.includes(account.stage)) return 'stage_excluded';
  // Held out of another active campaign: enrolling it would make it treated there (its lift).
  if ((elsewhere ?? []).some((e) => e.status === 'held_out')) return 'held_out_elsewhere';
  const active = (elsewhere ?? []).filter((e) => ACTIVE_ENROLLMENT.has(e.status));
  if (active.some((e) => e.sequenceId === sequence.id)) return 'already_enrolled';
  if (active.some((e) => e.exclusive) || (sequence.exclusive && active.length > 0))
    return 'in_exclusive_sequence';
  return undefined;
}

/** The response's `skipped`: the first SKIPPED_LIST_LIMIT accounts, with complete counts by reason. */
export function skippedSummary(
  all: readonly { accountId: string; reason: SkipReason }[],
): Pick<LaunchResult, 'skipped' | 'skippedTotal' | 'skippedByReason' | 'skippedTruncated'> {
  const byReason: Partial<Record<SkipReason, number>> = {};
  for (const s of all) byReason[s.reason] = (byReason[s.reason] ?? 0) + 1;
  return {
    skipped: all.slice(0, SKIPPED_LIST_LIMIT),
    skippedTotal: all.length,
    skippedByReason: byReason,
    skippedTruncated: all.length > SKIPPED_LIST_LIMIT,
  };
}

/** Validation of the launch body beyond its schema. */
export function checkLaunchBody(body: LaunchBody): void {
  if (
    body.holdoutPercent !== undefined &&
    body.holdoutPercent > 0 &&
    body.audience.accountIds &&
    body.audience.accountIds.length < 2
  ) {
    throw new BadRequest([
      { path: 'body.holdoutPercent', message: 'a holdout needs an audience of at least 2 accounts' },
    ]);
  }
}

/** The dry run's minimum detectable lift, around the planned accounts' engaged share today. */
function minimumDetectableLiftFor(
  planned: readonly LaunchItem[],
  accounts: readonly { accountId: string; stage?: string }[],
  treated: number,
  holdout: number,
) {
  const stage = new Map(accounts.map((a) => [a.accountId, a.stage ?? 'target']));
  const engaged = planned.filter((i) => ENGAGED_OR_LATER.has(stage.get(i.accountId) ?? 'target')).length;
  const baselineRate = planned.length === 0 ? 0 : Math.round((engaged / planned.length) * 10_000) / 10_000;
  return {
    points: minimumDetectableLiftPoints(baselineRate, treated, holdout),
    baselineRate,
    treated,
    holdout,
  };
}
