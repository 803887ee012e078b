/**
 * Campaign progress (GET /campaigns/{id}) and the campaign report (GET /reports/campaigns/{id}):
 * enrolled and held out; per step one counter per touch status (sent, skipped by reason, failed,
 * deferred, uncertain, in flight), counted from the touch ledger; committee coverage
 * (contacts reached over committee size, by role); accounts engaged and MQA; lift of the treated
 * group over the holdout on engagement and MQA rate.
 *
 * Reads: the campaign's enrollments and touches (paged GSI queries), the profiles of its accounts
 * (BatchGetItem, 100 per call) and, for coverage, the contacts of each treated account (one query
 * per account). Fine for reports on demand; a very large campaign would want a materialised report.
 */
import { mapLimit } from '../kernel/async';
import { minimumDetectableLiftPoints, newcombe, wilson, type Interval } from '../kernel/stats';
import type { Clock } from '../kernel/clock';
import { NotFound } from '../kernel/errors';
import {
  ACTIVE_ENROLLMENT,
  ENGAGED_OR_LATER,
  type Campaign,
  type Enrollment,
  type Sequence,
  type Stage,
  type Touch,
} from '../kernel/model';
import type { Platform } from '../platform/compose';
import { AccountRepository } from '../platform/store/accounts';
import { CampaignRepository } from '../platform/store/campaigns';
import { CatalogReader } from '../platform/store/catalog';
import { EnrollmentRepository } from '../platform/store/enrollments';
import { ScoreHistoryReader } from '../platform/store/scores';
import { TouchRepository, type TouchOutcome } from '../platform/store/touches';
import type { CampaignList, CampaignReport } from './contract';

/** Active enrollments counted per campaign in a list at most (then `activeCapped`). */
export const LIST_ACTIVE_COUNT_MAX = 5000;

const MQA: ReadonlySet<Stage> = new Set(['mqa', 'opportunity', 'customer']);

/** What a step's touches are, one counter per ledger status (every touch in exactly one). */
interface StepCounters {
  stepId: string;
  channel: string | null;
  sent: number;
  failed: number;
  skipped: number;
  deferred: number;
  uncertain: number;
  /** Claimed or handing over: in the engine's hands, no outcome yet. */
  inFlight: number;
  skippedByReason: Record<string, number>;
}

/**
 * The per-step counters, counted from the touch ledger itself when read: they equal the ledger by
 * construction (no counter is kept apart from it, so a retried transition never counts twice).
 */
function stepFunnel(sequence: Sequence | undefined, touches: readonly TouchOutcome[]): StepCounters[] {
  const steps = new Map<string, StepCounters>();
  const empty = (stepId: string, channel: string | null): StepCounters => ({
    stepId,
    channel,
    sent: 0,
    failed: 0,
    skipped: 0,
    deferred: 0,
    uncertain: 0,
    inFlight: 0,
    skippedByReason: {},
  });
  for (const s of sequence?.steps ?? []) steps.set(s.id, empty(s.id, s.type === 'touch' ? s.channel : null));
  for (const t of touches) {
    let s = steps.get(t.stepId);
    if (!s) {
      s = empty(t.stepId, t.channel);
      steps.set(t.stepId, s);
    }
    switch (t.status) {
      case 'claimed':
      case 'handing_over':
        s.inFlight++;
        break;
      case 'skipped': {
        s.skipped++;
        const reason = t.reason ?? 'unspecified';
        s.skippedByReason[reason] = (s.skippedByReason[reason] ?? 0) + 1;
        break;
      }
      default:
        s[t.status]++;
    }
  }
  return [...steps.values()];
}

/** Treated accounts whose score history a report carries (the response stays bounded). */
export const REPORT_SCORE_HISTORY_ACCOUNTS = 100;

const ratio = (a: number, b: number) => (b === 0 ? 0 : Math.round((a / b) * 10_000) / 10_000);

export interface ReportDeps {
  accounts: Pick<AccountRepository, 'getMany' | 'listContacts'>;
  enrollments: Pick<
    EnrollmentRepository,
    'allOfCampaign' | 'statusesOfCampaign' | 'positionsOfCampaign' | 'countActive'
  >;
  touches: Pick<TouchRepository, 'allOfCampaign' | 'outcomesOfCampaign'>;
  campaigns: Pick<CampaignRepository, 'get' | 'complete' | 'listNewest'>;
  catalog: Pick<CatalogReader, 'getSequence'>;
  scores: Pick<ScoreHistoryReader, 'histories'>;
  clock: Clock;
}

/** The campaign reports of a platform. */
export function reportsFeature(platform: Platform) {
  return createReportService({
    accounts: platform.repository(AccountRepository),
    enrollments: platform.repository(EnrollmentRepository),
    touches: platform.repository(TouchRepository),
    campaigns: platform.repository(CampaignRepository),
    catalog: platform.repository(CatalogReader),
    scores: platform.repository(ScoreHistoryReader),
    clock: platform.clock,
  });
}

export function createReportService(deps: ReportDeps) {
  async function campaignOf(campaignId: string): Promise<Campaign> {
    const campaign = await deps.campaigns.get(campaignId);
    if (!campaign) throw new NotFound(`no campaign ${campaignId}`);
    return campaign;
  }

  async function load(
    campaignId: string,
  ): Promise<{ campaign: Campaign; sequence?: Sequence; enrollments: Enrollment[]; touches: Touch[] }> {
    const campaign = await campaignOf(campaignId);
    const [sequence, enrollments, touches] = await Promise.all([
      deps.catalog.getSequence(campaign.sequenceId, campaign.version),
      deps.enrollments.allOfCampaign(campaignId),
      deps.touches.allOfCampaign(campaignId),
    ]);
    return { campaign, sequence, enrollments, touches };
  }

  /**
   * Progress reads only what it counts: each enrollment's status and each touch's step and status
   * (projected queries), not the whole items the report needs.
   */
  async function progress(campaignId: string) {
    const campaign = await campaignOf(campaignId);
    const [sequence, positions, touches] = await Promise.all([
      deps.catalog.getSequence(campaign.sequenceId, campaign.version),
      deps.enrollments.positionsOfCampaign(campaignId),
      deps.touches.outcomesOfCampaign(campaignId),
    ]);
    const statuses = positions.map((p) => p.status);
    const byStatus: Record<string, number> = {};
    for (const status of statuses) byStatus[status] = (byStatus[status] ?? 0) + 1;
    // Where the active enrollments are: the step each execution is at; one that has not run a step
    // yet starts at the first.
    const byStep: Record<string, number> = {};
    for (const p of positions) {
      if (!ACTIVE_ENROLLMENT.has(p.status)) continue;
      const at = p.stepId ?? sequence?.steps[0]?.id;
      if (at !== undefined) byStep[at] = (byStep[at] ?? 0) + 1;
    }
    const heldOut = byStatus.held_out ?? 0;
    // The backstop of the end path's check (engine: campaignCompletion): every enrollment read
    // here has ended, so a running campaign has ended too.
    if (
      (campaign.status === 'running' || campaign.status === 'paused') &&
      !statuses.some((status) => ACTIVE_ENROLLMENT.has(status)) &&
      (await deps.campaigns.complete(campaignId))
    )
      campaign.status = 'completed';
    return {
      campaignId,
      name: campaign.name,
      sequenceId: campaign.sequenceId,
      version: campaign.version,
      status: campaign.status,
      holdoutPercent: campaign.holdoutPercent,
      enrolled: statuses.length - heldOut,
      heldOut,
      byStatus,
      byStep,
      steps: stepFunnel(sequence, touches).map(({ skippedByReason: _, ...counters }) => counters),
      createdAt: campaign.createdAt,
      updatedAt: campaign.updatedAt,
    };
  }

  /**
   * Campaigns newest first (GET /campaigns), each with the counters its item keeps (enrolled, held
   * out) and its progress: the enrollments still active, counted on the sparse index of active
   * enrollments (at most LIST_ACTIVE_COUNT_MAX entries read per campaign; a campaign that ended has
   * none, so nothing is read for it). The exact per-step funnel is GET /campaigns/{id}.
   */
  async function list(q: {
    status?: Campaign['status'];
    sequenceId?: string;
    limit: number;
    cursor?: string;
  }): Promise<CampaignList> {
    const page = await deps.campaigns.listNewest(q);
    const items = await mapLimit(page.items, 8, async (c) => {
      const ended = c.status === 'completed' || c.status === 'stopped';
      const { active, capped } = ended
        ? { active: 0, capped: false }
        : await deps.enrollments.countActive(c.campaignId, LIST_ACTIVE_COUNT_MAX);
      const finished = Math.max(0, c.enrolled - active);
      return {
        campaignId: c.campaignId,
        name: c.name,
        status: c.status,
        sequenceId: c.sequenceId,
        version: c.version,
        ...(c.programId ? { programId: c.programId } : {}),
        holdoutPercent: c.holdoutPercent,
        enrolled: c.enrolled,
        heldOut: c.heldOut,
        progress: {
          active,
          activeCapped: capped,
          finished,
          percent: c.enrolled === 0 ? (ended ? 100 : 0) : Math.round((finished / c.enrolled) * 1000) / 10,
        },
        createdAt: c.createdAt,
        updatedAt: c.updatedAt,
      };
    });
    return { items, cursor: page.cursor ?? null };
  }

  async function report(campaignId: string): Promise<CampaignReport> {
    const { campaign, sequence, enrollments, touches } = await load(campaignId);
    const treatedIds = enrollments.filter((e) => e.status !== 'held_out').map((e) => e.accountId);
    const heldIds = enrollments.filter((e) => e.status === 'held_out').map((e) => e.accountId);
    const profiles = await deps.accounts.getMany([...treatedIds, ...heldIds]);
    const rate = (ids: string[]) => {
      const stages = ids.map((id) => profiles.get(id)?.stage ?? 'target');
      const engaged = stages.filter((s) => ENGAGED_OR_LATER.has(s)).length;
      const mqa = stages.filter((s) => MQA.has(s)).length;
      return {
        accounts: ids.length,
        engaged,
        mqa,
        engagementRate: ratio(engaged, ids.length),
        mqaRate: ratio(mqa, ids.length),
        engagementRateCi95: rounded(wilson(engaged, ids.length), 4),
        mqaRateCi95: rounded(wilson(mqa, ids.length), 4),
      };
    };
    const treated = rate(treatedIds);
    const holdout = rate(heldIds);
    const raw = (n: number, d: number) => (d === 0 ? 0 : n / d);
    const lift = (t: number, h: number) =>
      heldIds.length === 0 || h === 0 ? null : Math.round(((t - h) / h) * 10_000) / 10_000;
    const tE = raw(treated.engaged, treated.accounts);
    const hE = raw(holdout.engaged, holdout.accounts);
    const tM = raw(treated.mqa, treated.accounts);
    const hM = raw(holdout.mqa, holdout.accounts);

    // Committee coverage over treated accounts: distinct contacts with a sent touch / committee size.
    const reachedKeys = new Set(
      touches.filter((t) => t.status === 'sent').map((t) => `${t.accountId}\u0000${t.contactId}`),
    );
    const byRole: Record<string, { reached: number; committee: number; ratio: number }> = {};
    let committee = 0;
    let reached = 0;
    const contactsPerAccount = await mapLimit(treatedIds, 16, (id) => deps.accounts.listContacts(id));
    for (const contacts of contactsPerAccount) {
      for (const c of contacts) {
        const r = (byRole[c.role] ??= { reached: 0, committee: 0, ratio: 0 });
        r.committee++;
        committee++;
        if (reachedKeys.has(`${c.accountId}\u0000${c.contactId}`)) {
          r.reached++;
          reached++;
        }
      }
    }
    for (const r of Object.values(byRole)) r.ratio = ratio(r.reached, r.committee);

    return {
      campaignId,
      sequenceId: campaign.sequenceId,
      version: campaign.version,
      enrolled: treatedIds.length,
      heldOut: heldIds.length,
      steps: stepFunnel(sequence, touches),
      coverage: { reached, committee, ratio: ratio(reached, committee), byRole },
      accountsEngaged: treated.engaged,
      mqa: treated.mqa,
      treated,
      holdout,
      lift: {
        engagement: lift(tE, hE),
        mqa: lift(tM, hM),
        engagementPoints: Math.round((tE - hE) * 10_000) / 10_000,
        mqaPoints: Math.round((tM - hM) * 10_000) / 10_000,
        ...liftStatistics(treated, holdout),
      },
      scoreHistory: await deps.scores.histories(
        [...treatedIds].sort().slice(0, REPORT_SCORE_HISTORY_ACCOUNTS),
      ),
      generatedAt: deps.clock.now().toISOString(),
    };
  }

  return { progress, report, list };
}

export type ReportService = ReturnType<typeof createReportService>;

/** An interval with its ends rounded to `digits` decimals. */
function rounded(i: Interval, digits: number): Interval {
  const f = 10 ** digits;
  return { lower: Math.round(i.lower * f) / f, upper: Math.round(i.upper * f) / f };
}

/** Below this many held-out accounts a report says the holdout is too small to conclude. */
export const HOLDOUT_MIN_ACCOUNTS = 30;

type Group = { accounts: number; engaged: number; mqa: number };

/**
 * The lift in percentage points with Newcombe's interval, the minimum detectable lift for these
 * group sizes, and a plain note when the holdout cannot conclude (functions/kernel/stats.ts).
 */
export function liftStatistics(treated: Group, holdout: Group) {
  const points = (xT: number, xH: number) => {
    const ci = newcombe(xT, treated.accounts, xH, holdout.accounts);
    if (!ci) return null;
    const value = (xT / treated.accounts - xH / holdout.accounts) * 100;
    return {
      value: Math.round(value * 100) / 100,
      ci95: rounded({ lower: ci.lower * 100, upper: ci.upper * 100 }, 2),
    };
  };
  const engagementRate = points(treated.engaged, holdout.engaged);
  const mqaRate = points(treated.mqa, holdout.mqa);
  const baseline = holdout.accounts === 0 ? 0 : holdout.engaged / holdout.accounts;
  const minimumDetectableLift = minimumDetectableLiftPoints(baseline, treated.accounts, holdout.accounts);
  let note: string | undefined;
  if (holdout.accounts === 0) note = 'No holdout: the lift cannot be measured.';
  else if (treated.accounts === 0) note = 'No treated accounts: the lift cannot be measured.';
  else if (holdout.accounts < HOLDOUT_MIN_ACCOUNTS)
    note = `The holdout has ${holdout.accounts} accounts, too few to conclude (at least ${HOLDOUT_MIN_ACCOUNTS}); these groups detect only a lift of ${minimumDetectableLift} points or more.`;
  else if (engagementRate && engagementRate.ci95.lower <= 0 && engagementRate.ci95.upper >= 0)
    note = `The 95% interval of the engagement lift (${engagementRate.ci95.lower} to ${engagementRate.ci95.upper} points) includes no lift: not conclusive yet.`;
  return { engagementRate, mqaRate, minimumDetectableLift, ...(note ? { note } : {}) };
}
