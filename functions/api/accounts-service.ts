/**
 * Accounts: import (functions/api/account-import.ts), list, read, contact upsert and erasure (GDPR).
 * On AWS their own function serves these routes (functions/api/handlers/accounts-api.ts), so the
 * router's bundle carries neither the listing, the timeline nor the account view's reads.
 */
import type { Clock } from '../kernel/clock';
import { BadRequest, NotFound } from '../kernel/errors';
import { hashEmailForAudience } from '../kernel/hash';
import { ContactInput, Role, type Account, type Tier } from '../kernel/model';
import type { ScoreState } from '../kernel/score';
import { mapLimit } from '../kernel/async';
import { createHash } from 'node:crypto';
import type { AudienceProvider } from '../platform/providers';
import type { Platform } from '../platform/compose';
import { providers } from '../platform/providers';
import { AccountViewReader } from '../platform/store/account-view';
import { AccountRepository } from '../platform/store/accounts';
import { ScoreHistoryReader, type StoredScore } from '../platform/store/scores';
import { PreconditionFailedError, type Precondition } from '../platform/store/table';
import { TouchRepository } from '../platform/store/touches';
import { mqaProgress, readoutConfig, scoreAt, type ReadoutConfig } from '../scoring';
import { coverageFeature, type CoverageService } from './coverage-service';
import { preconditionFailed } from './preconditions';
import {
  AccountSummary,
  TimelineEntry,
  type AccountList,
  type AccountListQuery,
  type AccountView,
  type Timeline,
} from './schemas';
import { TaskRepository } from '../platform/store/tasks';
import { localTimeIn } from './tasks-service';
import { ACTIVE_ENROLLMENT, type Contact, type Enrollment, type Touch } from '../kernel/model';

export interface AccountsDeps {
  accounts: AccountRepository;
  /** The account view's read: profile, committee, enrollments and score in one query. */
  accountView: Pick<AccountViewReader, 'get'>;
  touches: Pick<TouchRepository, 'listOfAccount' | 'listOfAccountBefore'>;
  /** The account's SDR tasks (its timeline). */
  tasks?: Pick<TaskRepository, 'listOfAccount'>;
  /** The listing's bounds (defaults LIST_MAX_READ, LIST_MAX_SORTED; tests lower them). */
  listBounds?: { maxRead?: number; maxSorted?: number };
  /** The listing's score sort and range (the score items of the accounts read). */
  scores: Pick<ScoreHistoryReader, 'summaries'>;
  /** Erasure removes the person from every ad audience. */
  audiences: AudienceProvider;
  clock: Clock;
  /** The scoring configuration the account view shows the score and the MQA progress with. */
  readout: ReadoutConfig;
  /** Committee coverage: the account view's `coverage`, research tasks for missing roles. */
  coverage: Pick<CoverageService, 'check' | 'coverage'>;
}

/** What the accounts routes read and call, from a platform. */
export function accountsDeps(platform: Platform): AccountsDeps {
  return {
    accounts: platform.repository(AccountRepository),
    accountView: platform.repository(AccountViewReader),
    touches: platform.repository(TouchRepository),
    tasks: platform.repository(TaskRepository),
    scores: platform.repository(ScoreHistoryReader),
    audiences: providers(platform).audiences,
    clock: platform.clock,
    readout: readoutConfig(platform.config.scoring),
    coverage: coverageFeature(platform),
  };
}

/** The accounts service as a feature of `compose`. */
export const accountsFeature = (platform: Platform) => createAccountsService(accountsDeps(platform));

const defined = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

export function createAccountsService(deps: AccountsDeps) {
  const { accounts } = deps;

  /**
   * GET /accounts (docs/api.md "Listing accounts"). The tier index is the one index read: the
   * given tier's partition, or the three in turn. Stage, cluster and owner are filters DynamoDB
   * applies to that read; `q` and the score range are applied here, the score range on the score
   * items of the accounts read (BatchGetItem). Unsorted (index order), one request evaluates at most
   * LIST_MAX_READ profiles and may answer a short page with a cursor. Sorted, every account the
   * index read matches is sorted here, at most LIST_MAX_SORTED evaluated: a broader read is a 400
   * saying how to narrow it. The rows of the page are then read in full (one partition query and
   * one touch-log query each).
   */
  async function listAccounts(q: AccountListQuery): Promise<AccountList> {
    const now = deps.clock.now();
    const filters = { stage: q.stage, cluster: q.cluster, owner: q.owner };
    const needle = q.q?.toLowerCase();
    const scoreFiltered = q.minScore !== undefined || q.maxScore !== undefined;
    const fingerprint = listFingerprint(q);
    const scoreNow = (s: { score: number; asOf?: number } | undefined) =>
      s ? scoreAt(s, now.getTime(), deps.readout.halfLifeMs) : 0;
    const keep = (a: Account, score: number | undefined) =>
      (!needle || a.name.toLowerCase().includes(needle) || a.domain.includes(needle)) &&
      (q.minScore === undefined || (score ?? 0) >= q.minScore) &&
      (q.maxScore === undefined || (score ?? 0) <= q.maxScore);
    const tiers = (q.tier ? [q.tier] : [1, 2, 3]) as Tier[];
    const maxRead = deps.listBounds?.maxRead ?? LIST_MAX_READ;
    const maxSorted = deps.listBounds?.maxSorted ?? LIST_MAX_SORTED;
    const scoresOf = async (accounts: Account[]) =>
      scoreFiltered || q.sort === 'score'
        ? deps.scores.summaries(accounts.map((a) => a.accountId))
        : new Map<string, { score: number; asOf?: number }>();

    let selected: Account[];
    let next: string | null;
    if (q.sort) {
      const offset = q.cursor ? (readCursor(q.cursor, fingerprint).o ?? 0) : 0;
      const matched: { account: Account; score: number }[] = [];
      let evaluated = 0;
      for (const tier of tiers) {
        let cursor: string | undefined;
        do {
          const read = await deps.accounts.readTier(tier, filters, { limit: 1000, cursor });
          evaluated += read.items.length;
          if (evaluated > maxSorted || (read.cursor && evaluated >= maxSorted))
            throw new BadRequest([
              {
                path: 'query.sort',
                message: `more than ${maxSorted} accounts to sort: narrow the list with tier, stage, cluster or owner, or list without sort`,
              },
            ]);
          const scores = await scoresOf(read.items.map((i) => i.account));
          for (const { account } of read.items) {
            const score = scoreNow(scores.get(account.accountId));
            if (keep(account, score)) matched.push({ account, score });
          }
          cursor = read.cursor;
        } while (cursor);
      }
      const by = {
        score: (a: (typeof matched)[number], b: (typeof matched)[number]) => b.score - a.score,
        fit: (a: (typeof matched)[number], b: (typeof matched)[number]) =>
          (b.account.fit?.score ?? -1) - (a.account.fit?.score ?? -1),
        name: (a: (typeof matched)[number], b: (typeof matched)[number]) =>
          a.account.name.localeCompare(b.account.name),
      }[q.sort as 'score' | 'fit' | 'name'];
      matched.sort((a, b) => by(a, b) || a.account.accountId.localeCompare(b.account.accountId));
      selected = matched.slice(offset, offset + q.limit).map((m) => m.account);
      next = offset + q.limit < matched.length ? writeCursor({ f: fingerprint, o: offset + q.limit }) : null;
    } else {
      let state: { t: Tier; c?: string } | undefined = { t: tiers[0] };
      if (q.cursor) {
        const c = readCursor(q.cursor, fingerprint);
        if (c.t === undefined || !tiers.includes(c.t as Tier))
          throw new BadRequest([{ path: 'query.cursor', message: 'not a cursor this API returned' }]);
        state = { t: c.t as Tier, c: c.c };
      }
      selected = [];
      let evaluated = 0;
      while (state && selected.length < q.limit && evaluated < maxRead) {
        const t: Tier = state.t;
        const budget = Math.min(maxRead - evaluated, Math.max(q.limit * 2, 50));
        const read = await deps.accounts.readTier(t, filters, { limit: budget, cursor: state.c });
        evaluated += budget;
        const scores = await scoresOf(read.items.map((i) => i.account));
        let cutAt = -1;
        for (let i = 0; i < read.items.length; i++) {
          const { account } = read.items[i];
          if (keep(account, scoreNow(scores.get(account.accountId)))) selected.push(account);
          if (selected.length === q.limit) {
            cutAt = i;
            break;
          }
        }
        if (cutAt >= 0 && cutAt < read.items.length - 1) {
          state = { t, c: read.items[cutAt].after };
          break;
        }
        // The whole read was taken: on from its end, else the next tier.
        if (read.cursor) state = { t, c: read.cursor };
        else {
          const i = tiers.indexOf(t);
          state = i + 1 < tiers.length ? { t: tiers[i + 1] } : undefined;
        }
      }
      next = state ? writeCursor({ f: fingerprint, t: state.t, c: state.c }) : null;
    }
    const items = await mapLimit(selected, 8, (a) => row(a, now));
    return { items, cursor: next };
  }

  /** A list row: the profile's fields, the score now and a week ago, fit, committee coverage. */
  async function row(account: Account, now: Date): Promise<AccountList['items'][number]> {
    const [whole, touches] = await Promise.all([
      deps.accountView.get(account.accountId),
      deps.touches.listOfAccount(account.accountId, { limit: ROW_TOUCHES }),
    ]);
    const contacts = whole?.contacts ?? [];
    const state = whole?.score?.state;
    const roleOf = new Map(contacts.map((c) => [c.contactId, c.role]));
    const reached = new Set(
      touches.items.filter((t) => t.status === 'sent').flatMap((t) => roleOf.get(t.contactId) ?? []),
    );
    const cover = deps.coverage.coverage(account.tier, contacts);
    return {
      ...summary(whole?.account ?? account),
      score: scoreTrend(state, now, deps.readout.halfLifeMs),
      coverage: {
        mapped: ROLES.filter((r) => contacts.some((c) => c.role === r)),
        reached: ROLES.filter((r) => reached.has(r)),
        engaged: state ? [...state.engagedRoles] : [],
        required: cover.required,
        missing: cover.missing,
      },
    };
  }

  async function getAccount(accountId: string): Promise<AccountView> {
    const [whole, touches] = await Promise.all([
      deps.accountView.get(accountId),
      deps.touches.listOfAccount(accountId, { limit: 20 }),
    ]);
    if (!whole) throw new NotFound(`no account ${accountId}`);
    const { account, contacts, enrollments, score } = whole;
    return {
      ...summary(account),
      industry: account.industry,
      employees: account.employees,
      annualRevenueUsd: account.annualRevenueUsd,
      region: account.region,
      techStack: account.techStack,
      ...scoreOf(score, deps.clock.now(), deps.readout),
      scoreHistory: {
        points: (score?.state.history ?? []).map((p) => ({
          at: new Date(p.at).toISOString(),
          value: p.value,
        })),
        mqaThreshold: deps.readout.mqa.minScore,
      },
      coverage: deps.coverage.coverage(account.tier, contacts),
      contacts: contacts.map((c) => defined(c) as AccountView['contacts'][number]),
      enrollments: enrollments.map((e) => ({
        campaignId: e.campaignId,
        sequenceId: e.sequenceId,
        status: e.status,
        stepId: e.stepId,
      })),
      touches: touches.items.map((t) => ({
        stepId: t.stepId,
        channel: t.channel,
        contactId: t.contactId,
        status: t.status,
        reason: t.reason,
        at: t.at,
      })),
      createdAt: account.createdAt,
      updatedAt: account.updatedAt,
    };
  }

  /**
   * The account's story, newest first (docs/api.md "Account timeline"): its touches (the touch
   * log, paged by time), and from its partition the engagement the score keeps (the scorer's
   * recent top contributors), its stage changes, its SDR tasks created and completed; on the first
   * page, the next step of each active enrollment with its time in each contact's zone.
   */
  async function timeline(accountId: string, q: { limit: number; cursor?: string }): Promise<Timeline> {
    let before: string | undefined;
    if (q.cursor) {
      try {
        const c = JSON.parse(Buffer.from(q.cursor, 'base64url').toString('utf8')) as { k?: unknown };
        if (typeof c.k !== 'string' || c.k.length > 1200 || Number.isNaN(Date.parse(c.k.slice(0, 24))))
          throw new Error();
        before = c.k;
      } catch {
        throw new BadRequest([{ path: 'query.cursor', message: 'not a cursor this API returned' }]);
      }
    }
    const [whole, touches, tasks] = await Promise.all([
      deps.accountView.get(accountId),
      deps.touches.listOfAccountBefore(accountId, before?.slice(0, 24), q.limit + 1),
      deps.tasks ? deps.tasks.listOfAccount(accountId) : Promise.resolve([]),
    ]);
    if (!whole) throw new NotFound(`no account ${accountId}`);
    const contacts = new Map(whole.contacts.map((c) => [c.contactId, c]));
    const entries: (Timeline['items'][number] & { key: string })[] = [];
    const add = (e: Timeline['items'][number], id: string) => {
      const at = new Date(e.at).toISOString();
      entries.push({ ...e, at, key: `${at}#${e.kind}#${id}` });
    };
    const who = (contactId?: string) =>
      contactId ? (contacts.get(contactId)?.name ?? contactId) : 'the account';
    for (const t of touches)
      add(
        {
          at: t.at,
          kind: 'touch',
          summary: `${t.channel} ${t.stepId} to ${who(t.contactId)}: ${t.status}${t.reason ? ` (${t.reason})` : ''}`,
          channel: t.channel,
          status: t.status,
          reason: t.reason,
          campaignId: t.campaignId,
          stepId: t.stepId,
          contactId: t.contactId,
          role: t.role,
        },
        t.touchId,
      );
    const state = whole.score?.state;
    for (const c of state?.contributors ?? [])
      add(
        {
          at: c.occurredAt,
          kind: 'engagement',
          summary: `${c.type} by ${who(c.contactId)} (${c.weight >= 0 ? '+' : ''}${Math.round(c.weight * 100) / 100})`,
          type: c.type,
          weight: c.weight,
          contactId: c.contactId,
          role: c.role,
        },
        c.eventId,
      );
    if (state?.stageChangedAt !== undefined)
      add(
        {
          at: new Date(state.stageChangedAt).toISOString(),
          kind: 'stage_change',
          summary: `stage ${state.stage}`,
          stage: state.stage,
        },
        `score-${state.stageChangedAt}`,
      );
    if (state?.crm)
      add(
        {
          at: new Date(state.crm.at).toISOString(),
          kind: 'stage_change',
          summary: `CRM stage ${state.crm.stage}`,
          stage: state.crm.stage,
        },
        state.crm.eventId,
      );
    for (const t of tasks) {
      add(
        {
          at: t.createdAt,
          kind: 'task_created',
          summary: `${t.type} task for ${t.owner}: ${t.reason}`,
          taskId: t.taskId,
          contactId: t.contactId,
          campaignId: t.campaignId,
          status: t.status,
        },
        t.taskId,
      );
      if (t.completedAt)
        add(
          {
            at: t.completedAt,
            kind: 'task_completed',
            summary: `${t.type} task ${t.outcome ? `done: ${t.outcome}` : 'closed'}${t.notes ? ` (${t.notes})` : ''}`,
            taskId: t.taskId,
            outcome: t.outcome,
            notes: t.notes,
            contactId: t.contactId,
          },
          t.taskId,
        );
    }
    // Every source holds at least `limit` entries older than the cursor (touches were read limit + 1
    // deep), so the newest `limit` of their union are the page.
    const older = entries
      .filter((e) => before === undefined || e.key < before)
      .sort((a, b) => (a.key < b.key ? 1 : -1));
    const page = older.slice(0, q.limit);
    const more = older.length > q.limit;
    const now = deps.clock.now();
    return {
      accountId,
      items: page.map(({ key: _, ...e }) => TimelineEntry.parse(definedValues(e))),
      cursor: more
        ? Buffer.from(JSON.stringify({ k: page[page.length - 1].key })).toString('base64url')
        : null,
      next: before ? [] : nextSteps(whole.enrollments, touches, contacts, now),
    };
  }

  /** Creates or replaces a contact: never refused for concurrency without If-Match (last writer wins). */
  async function putContact(
    accountId: string,
    contactId: string,
    body: Record<string, unknown>,
    precondition?: Precondition,
  ) {
    if (body.contactId !== undefined && body.contactId !== contactId) {
      throw new BadRequest([{ path: 'body.contactId', message: 'must equal the contactId in the path' }]);
    }
    const account = await accounts.get(accountId);
    if (!account) throw new NotFound(`no account ${accountId}`);
    const input = ContactInput.parse({ ...body, contactId });
    try {
      const stored = await accounts.writeContact({ ...input, accountId }, { precondition });
      await deps.coverage.check(accountId);
      return { contact: defined(stored.contact), version: stored.version };
    } catch (err) {
      if (err instanceof PreconditionFailedError)
        throw preconditionFailed(`contact ${contactId}`, err.current);
      throw err;
    }
  }

  /** One contact with its version (the ETag a conditional PUT sends back). */
  async function getContact(accountId: string, contactId: string) {
    const found = await accounts.getVersionedContact(accountId, contactId);
    if (!found) throw new NotFound(`no contact ${contactId} in account ${accountId}`);
    return { contact: defined(found.contact), version: found.version };
  }

  /** GDPR erasure: every contact item with this id, and a removal from ad audiences by hashed email. */
  async function eraseContact(contactId: string) {
    const found = await accounts.findContactsById(contactId);
    if (found.length === 0) throw new NotFound(`no contact ${contactId}`);
    const now = deps.clock.now().toISOString();
    for (const c of found) {
      // Ad audiences forget the person first; if that fails nothing is deleted yet and a retry is safe.
      // The audience sync removes it by id with the identifiers its ledger recorded (the contact is
      // gone by then), so the change goes out for a contact without an email too.
      await deps.audiences.apply({
        changeId: `erase-${c.accountId}-${contactId}`,
        accountId: c.accountId,
        contactId,
        add: [],
        remove: c.email ? [hashEmailForAudience(c.email)] : [],
        removeContactIds: [contactId],
        occurredAt: now,
        reason: 'erasure',
      });
      await accounts.deleteContact(c.accountId, c.contactId);
      await deps.coverage.check(c.accountId);
    }
    return { contactId, erased: found.length, accounts: found.map((c) => c.accountId) };
  }

  return { listAccounts, getAccount, timeline, putContact, getContact, eraseContact };
}

export type AccountsService = ReturnType<typeof createAccountsService>;

/** An account as the list shows it. */
const summary = (a: Account) => AccountSummary.parse(a);

/** Profiles one unsorted list request evaluates at most. */
export const LIST_MAX_READ = 2000;
/** Profiles a sorted list reads at most (every match is sorted; beyond, a 400). */
export const LIST_MAX_SORTED = 5000;
/** The latest touches a list row reads to say which roles were reached. */
const ROW_TOUCHES = 50;
const WEEK_MS = 7 * 86_400_000;
const ROLES = Role.options;

type ListCursor = { f: string; t?: number; c?: string; o?: number };

/** What the listing's cursor is bound to: the same filters and sort (a cursor of another listing is a 400). */
function listFingerprint(q: AccountListQuery): string {
  const { limit: _l, cursor: _c, ...rest } = q;
  return createHash('sha256')
    .update(JSON.stringify(Object.entries(rest).sort()))
    .digest('base64url')
    .slice(0, 12);
}

const writeCursor = (c: ListCursor) => Buffer.from(JSON.stringify(c)).toString('base64url');

function readCursor(cursor: string, fingerprint: string): ListCursor {
  try {
    const c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as ListCursor;
    const ok =
      c &&
      c.f === fingerprint &&
      (c.t === undefined || [1, 2, 3].includes(c.t)) &&
      (c.c === undefined || (typeof c.c === 'string' && c.c.length <= 4096)) &&
      (c.o === undefined || (Number.isInteger(c.o) && c.o >= 0 && c.o <= LIST_MAX_SORTED));
    if (!ok) throw new Error();
    return c;
  } catch {
    throw new BadRequest([{ path: 'query.cursor', message: 'not a cursor this API returned' }]);
  }
}

/**
 * The score now and a week ago, decayed with the scorer's own arithmetic (scoreAt): now from the
 * state, a week ago from the last history point at or before then (null when the account had no
 * score yet), and the change.
 */
export function scoreTrend(
  state: Pick<ScoreState, 'score' | 'asOf' | 'history'> | undefined,
  now: Date,
  halfLifeMs: number,
): { now: number | null; weekAgo: number | null; change: number | null } {
  if (!state || state.asOf === undefined) return { now: null, weekAgo: null, change: null };
  const round = (x: number) => Math.round(x * 100) / 100;
  const t = now.getTime();
  const value = scoreAt(state, t, halfLifeMs);
  const then = t - WEEK_MS;
  const before = (state.history ?? []).filter((p) => p.at <= then).at(-1);
  const weekAgo = before ? scoreAt({ score: before.value, asOf: before.at }, then, halfLifeMs) : 0;
  return { now: round(value), weekAgo: round(weekAgo), change: round(value - weekAgo) };
}

/**
 * The score decayed to now (null before any engagement) with the time it is as of, and the progress
 * towards MQA at that time (docs/api.md "Accounts: score and MQA progress").
 */
function scoreOf(
  stored: StoredScore | undefined,
  now: Date,
  config: ReadoutConfig,
): Pick<AccountView, 'score' | 'mqaProgress'> {
  const progress = mqaProgress(stored?.state, now, config);
  return {
    score: stored
      ? {
          value: progress.score.value,
          asOf: progress.asOf,
          contributors: stored.state.contributors as unknown as Record<string, unknown>[],
        }
      : null,
    mqaProgress: progress,
  };
}

const definedValues = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** `until <ISO>` in a deferred touch's reason: when the engine comes back for it. */
const UNTIL = / until (\d{4}-\d{2}-\d{2}T[0-9:.]+Z)/;

/**
 * The next step of each active enrollment: the step its execution is at, and its time when the
 * ledger knows it (a deferred touch of that step says until when), in each target contact's zone.
 * A wait between steps lives in the state machine (a Wait state), not in the table: then `at` is null.
 */
function nextSteps(
  enrollments: readonly Enrollment[],
  touches: readonly Touch[],
  contacts: ReadonlyMap<string, Contact>,
  now: Date,
): Timeline['next'] {
  return enrollments
    .filter((e) => ACTIVE_ENROLLMENT.has(e.status))
    .map((e) => {
      const deferred = touches.filter(
        (t) => t.campaignId === e.campaignId && t.stepId === e.stepId && t.status === 'deferred',
      );
      const times = deferred.flatMap((t) => UNTIL.exec(t.reason ?? '')?.[1] ?? []).sort();
      const at = times.find((t) => Date.parse(t) >= now.getTime()) ?? times.at(-1) ?? null;
      return {
        campaignId: e.campaignId,
        sequenceId: e.sequenceId,
        enrollmentStatus: e.status,
        stepId: e.stepId ?? null,
        at,
        ...(e.waitingFor ? { waitingFor: { stepId: e.waitingFor.stepId, since: e.waitingFor.since } } : {}),
        contacts: [...new Set(deferred.map((t) => t.contactId))].flatMap((id) => {
          const c = contacts.get(id);
          if (!c) return [];
          const zone = c.timeZone ?? 'UTC';
          return [
            {
              contactId: id,
              name: c.name,
              timeZone: zone,
              localTime: at ? (localTimeIn(zone, new Date(at)) ?? null) : null,
            },
          ];
        }),
      };
    });
}
