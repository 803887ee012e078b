/**
 * The demo driver: talks to local mode over HTTP only, seeds the scenario, launches the three
 * tiered campaigns, then plays the committees' engagement day by day, and collects what the report
 * prints.
 *
 * Time is local mode's clock, and the driver moves it: each simulated day is one
 * `POST /_local/clock/advance`, which answers once every step, re-score and scoring due by then has
 * run (lib/local/clock.ts). Between two advances the driver reads, then sends its events and task
 * outcomes one request at a time, never dated ahead of the clock. In simulate mode (what
 * `npm run demo` starts) nothing else moves, so the same seed gives the same report, to the digit,
 * on any machine and under any load.
 */
import type { ApiClient } from '../cli/http';
import { seg } from '../cli/http';
import type { CampaignReport, LaunchResult } from '../../functions/api/schemas';
import type { Role } from '../../functions/kernel/model';
import type { Scenario } from './scenario';
import { DAY_MS, EngagementSimulator, type SimEvent } from './simulator';

export class DemoError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'DemoError';
  }
}

export interface DriverOptions {
  client: ApiClient;
  scenario: Scenario;
  /** Simulated days to play (default 90). */
  days?: number;
  /** Progress lines (stdout). */
  progress?: (line: string) => void;
  /** Notes (stderr). */
  note?: (line: string) => void;
  /** Timing lines (DEMO_DEBUG=1). */
  debug?: (line: string) => void;
}

export interface CampaignOutcome {
  key: string;
  campaignId: string;
  name: string;
  sequenceId: string;
  holdoutPercent: number;
  launch: LaunchResult;
  report: CampaignReport;
}

export interface TaskSummary {
  created: number;
  byStatus: Record<string, number>;
  byType: Record<string, number>;
  byOwner: Record<string, number>;
  outcomes: Record<string, number>;
  completedByDemo: number;
}

export interface DemoResult {
  runTag: string;
  days: number;
  /** The server clock's mode (simulate: the run is reproducible). */
  clock: string;
  serverStart: string;
  serverEnd: string;
  /** Server time when the report was read. */
  serverNow: string;
  realSeconds: { seed: number; simulate: number; total: number };
  accounts: { tier1: number; tier2: number; tier3: number; contacts: number };
  campaigns: CampaignOutcome[];
  /** Sent touches seen in the account touch logs: role -> channel -> count. */
  touchesByRole: Record<string, Record<string, number>>;
  tasks: TaskSummary;
  /** Accounts seen at MQA (or beyond) during the run, with the simulated day first seen. */
  mqa: { accountId: string; name: string; tier: number; day: number; stageNow: string }[];
  events: {
    sent: number;
    accepted: number;
    rejected: number;
    unresolved: number;
    byType: Record<string, number>;
  };
}

interface AccountView {
  accountId: string;
  stage: string;
  tier: number;
  touches: { stepId: string; channel: string; contactId: string; status: string; at: string }[];
}

interface TaskView {
  taskId: string;
  accountId: string;
  owner: string;
  type: string;
  status: string;
  dueAt: string;
  outcome?: string;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

const MQA_STAGES = new Set(['mqa', 'opportunity', 'customer']);

export async function serverTime(client: ApiClient): Promise<number> {
  const res = await client.send<{ time?: string }>({ method: 'GET', path: '/health' });
  const t = Date.parse(res.body?.time ?? '');
  if (!Number.isFinite(t)) throw new DemoError('GET /health did not return the server time (`time`)');
  return t;
}

/** Local mode's clock: its mode and now; a server without it cannot run the demo. */
async function localClock(client: ApiClient): Promise<{ mode: string; now: string }> {
  try {
    return (await client.send<{ mode: string; now: string }>({ method: 'GET', path: '/_local/clock' })).body;
  } catch (err) {
    if ((err as { status?: number }).status !== 404) throw err;
    throw new DemoError(
      "the demo moves local mode's clock (GET /_local/clock answered 404): run it against local mode " +
        '(npm start, or let `npm run demo` start one with ABM_CLOCK=simulate)',
      2,
    );
  }
}

/**
 * Skips local mode's clock to `to` (epoch ms), or settles it where it is (no `to`); answers once
 * what fell due has run, with the new now.
 */
async function advance(client: ApiClient, to?: number): Promise<number> {
  const res = await client.send<{ now: string }>({
    method: 'POST',
    path: '/_local/clock/advance',
    json: to === undefined ? { by: 'PT0S' } : { to: new Date(to).toISOString() },
  });
  return Date.parse(res.body.now);
}

export async function runDemo(options: DriverOptions): Promise<DemoResult> {
  const { client, scenario } = options;
  const days = options.days ?? 90;
  const progress = options.progress ?? (() => undefined);
  const note = options.note ?? (() => undefined);
  const realStart = Date.now();
  const debug = options.debug ?? (() => undefined);
  const timed = async <T>(label: string, fn: () => Promise<T>): Promise<T> => {
    const t = Date.now();
    try {
      return await fn();
    } finally {
      debug(`${label}: ${Date.now() - t} ms`);
    }
  };

  // ---- the clock -----------------------------------------------------------------------------
  const clock = await localClock(client);
  if (clock.mode !== 'simulate')
    note(
      `the server clock is ${clock.mode}: the run works, but only simulate mode gives the same report twice`,
    );

  // ---- seed ------------------------------------------------------------------------------------
  const imported = await client.send<{
    imported: number;
    updated: number;
    contacts: number;
    rejected: { row: number; accountId?: string; errors: { path: string; message: string }[] }[];
  }>({ method: 'POST', path: '/accounts/import', json: { accounts: scenario.accounts } });
  if (imported.body.rejected.length > 0) {
    const first = imported.body.rejected
      .slice(0, 5)
      .map(
        (r) =>
          `  row ${r.row} ${r.accountId ?? ''}: ${r.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
      );
    throw new DemoError(
      `the API rejected ${imported.body.rejected.length} of ${scenario.accounts.length} accounts:\n${first.join('\n')}`,
    );
  }
  note(
    `imported ${scenario.accounts.length} accounts (${imported.body.imported} new, ${imported.body.updated} updated), ${imported.body.contacts} contacts`,
  );
  await mapLimit(scenario.templates, 4, (t) =>
    client.send({ method: 'PUT', path: `/templates/${seg(t.templateId)}`, json: t.template }),
  );
  const versions = new Map<string, number>();
  for (const s of scenario.sequences) {
    const res = await client.send<{ version: number }>({
      method: 'PUT',
      path: `/sequences/${seg(s.id)}`,
      json: s,
    });
    versions.set(s.id, res.body.version);
  }
  note(
    `saved ${scenario.templates.length} templates and sequences ${scenario.sequences
      .map((s) => `${s.id} v${versions.get(s.id)}`)
      .join(', ')}`,
  );

  // ---- launch ----------------------------------------------------------------------------------
  const launchTime = await serverTime(client);
  const runTag = new Date(launchTime).toISOString().replace(/[-:]/g, '').slice(0, 13).replace('T', '-');
  // The campaigns launched; their reports are read at the end.
  const launches: Omit<CampaignOutcome, 'report'>[] = [];
  for (const l of scenario.launches) {
    // A fresh server gets stable ids (so the same holdout on every fresh run); a server that has
    // run the demo before gets ids with this run's start time.
    let campaignId = `demo-${l.key}`;
    const existing = await client.send({ method: 'GET', path: `/campaigns/${seg(campaignId)}` }).then(
      () => true,
      (err: unknown) => {
        if ((err as { status?: number }).status === 404) return false;
        throw err;
      },
    );
    if (existing) campaignId = `demo-${l.key}-${runTag}`;
    const res = await client.send<LaunchResult>({
      method: 'POST',
      path: '/campaigns',
      json: {
        campaignId,
        name: l.name,
        sequenceId: l.sequenceId,
        version: versions.get(l.sequenceId),
        audience: l.audience,
        holdoutPercent: l.holdoutPercent,
      },
    });
    launches.push({ ...l, campaignId, launch: res.body });
    const skipped = res.body.skipped.length ? `, ${res.body.skipped.length} skipped` : '';
    note(
      `launched ${campaignId} (${l.sequenceId}): ${res.body.mode === 'launcher' ? 'planned ' : ''}${res.body.enrolled} enrolled, ${res.body.heldOut} held out${skipped}`,
    );
  }
  // Large audiences are enrolled by the launcher after the answer, and the first steps run: an
  // advance that does not move the clock returns once they have.
  await advance(client);
  const seedDone = Date.now();

  // ---- simulate --------------------------------------------------------------------------------
  const t0 = await serverTime(client);
  const end = t0 + days * DAY_MS;
  const sim = new EngagementSimulator(scenario, scenario.seed, `demo-${runTag}`);
  const accountsById = new Map(scenario.accounts.map((a) => [a.accountId!, a]));
  const roleOf = new Map<string, Role>();
  for (const a of scenario.accounts)
    for (const c of a.contacts ?? []) roleOf.set(`${a.accountId}|${c.contactId}`, c.role);

  const seenTouches = new Set<string>();
  const firstTouch = new Map<string, number>();
  const touchesByRole: Record<string, Record<string, number>> = {};
  const stageOf = new Map<string, string>();
  const mqaDay = new Map<string, number>();
  const pending: SimEvent[] = [];
  const events = { sent: 0, accepted: 0, rejected: 0, unresolved: 0, byType: {} as Record<string, number> };
  const tasksSeen = new Map<string, TaskView>();
  const taskDone = new Set<string>();
  const outcomes: Record<string, number> = {};
  let completedByDemo = 0;
  let nextDaily = 0;

  const observe = (view: AccountView) => {
    stageOf.set(view.accountId, view.stage);
    for (const t of view.touches) {
      if (t.status !== 'sent') continue;
      const at = Date.parse(t.at);
      if (!(at >= launchTime)) continue; // a touch of an earlier run against the same server
      const key = `${view.accountId}|${t.stepId}|${t.contactId}`;
      if (seenTouches.has(key)) continue;
      seenTouches.add(key);
      if (!firstTouch.has(view.accountId) || at < firstTouch.get(view.accountId)!)
        firstTouch.set(view.accountId, at);
      const role = roleOf.get(`${view.accountId}|${t.contactId}`) ?? 'unknown';
      const byChannel = (touchesByRole[role] ??= {});
      byChannel[t.channel] = (byChannel[t.channel] ?? 0) + 1;
      pending.push(
        ...sim.reactions({
          accountId: view.accountId,
          contactId: t.contactId,
          stepId: t.stepId,
          channel: t.channel as 'email',
          at,
        }),
      );
    }
  };

  const pollAccounts = async (ids: readonly string[], now: number) => {
    const views = await mapLimit(ids, 6, async (id) => {
      const res = await client.send<AccountView>({ method: 'GET', path: `/accounts/${seg(id)}` });
      return res.body;
    });
    const day = Math.min(days, Math.floor((now - t0) / DAY_MS));
    for (const v of views) {
      observe(v);
      if (MQA_STAGES.has(v.stage) && !mqaDay.has(v.accountId)) mqaDay.set(v.accountId, day);
    }
  };

  const flushEvents = async (now: number) => {
    pending.sort((a, b) => a.at - b.at);
    let n = 0;
    while (n < pending.length && pending[n]!.at <= now) n++;
    if (n === 0) return;
    const due = pending.splice(0, n);
    const chunks: SimEvent[][] = [];
    for (let i = 0; i < due.length; i += 500) chunks.push(due.slice(i, i + 500));
    // One request at a time: the scorer's queue then receives them in one order on every run.
    await mapLimit(chunks, 1, async (chunk) => {
      const res = await client.send<{ accepted: number; rejected: unknown[]; unresolved?: unknown[] }>({
        method: 'POST',
        path: '/events',
        json: {
          events: chunk.map((e) => ({
            eventId: e.eventId,
            type: e.type,
            occurredAt: new Date(e.at).toISOString(),
            accountId: e.accountId,
            ...(e.contactId ? { contactId: e.contactId } : {}),
            properties: e.properties,
          })),
        },
      });
      events.sent += chunk.length;
      events.accepted += res.body.accepted;
      events.rejected += res.body.rejected.length;
      events.unresolved += res.body.unresolved?.length ?? 0;
      for (const e of chunk) events.byType[e.type] = (events.byType[e.type] ?? 0) + 1;
      if (res.body.rejected.length > 0 && events.rejected === res.body.rejected.length) {
        note(
          `POST /events rejected ${res.body.rejected.length} events: ${JSON.stringify(res.body.rejected[0])}`,
        );
      }
    });
  };

  const listTasks = async (owner: string, status: string): Promise<TaskView[]> => {
    const out: TaskView[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 50; page++) {
      const res = await client.send<{ items: TaskView[]; cursor: string | null }>({
        method: 'GET',
        path: '/tasks',
        query: { owner, status, limit: 100, cursor },
      });
      out.push(...res.body.items);
      cursor = res.body.cursor ?? undefined;
      if (!cursor) break;
    }
    return out;
  };

  const workTasks = async (now: number) => {
    const open = (await mapLimit(scenario.sdrs, 3, (owner) => listTasks(owner, 'open'))).flat();
    const toComplete: { task: TaskView; outcome: string }[] = [];
    for (const task of open) {
      tasksSeen.set(task.taskId, task);
      if (taskDone.has(task.taskId)) continue;
      const plan = sim.taskPlan(task);
      if (!plan) continue;
      if (Date.parse(task.dueAt) + plan.delayMs <= now) toComplete.push({ task, outcome: plan.outcome });
    }
    await mapLimit(toComplete, 1, async ({ task, outcome }) => {
      taskDone.add(task.taskId);
      try {
        await client.send({
          method: 'POST',
          path: `/tasks/${seg(task.taskId)}/complete`,
          json: { outcome, notes: `demo: ${outcome.replace(/_/g, ' ')}` },
        });
        completedByDemo++;
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      } catch (err) {
        note(`could not complete task ${task.taskId}: ${(err as Error).message}`);
      }
    });
  };

  const touchesSoFar = async (): Promise<{ total: number; byChannel: Record<string, number> }> => {
    const byChannel: Record<string, number> = {};
    let total = 0;
    const views = await mapLimit(launches, 3, (l) =>
      client.send<{ steps: { channel: string | null; sent: number }[] }>({
        method: 'GET',
        path: `/campaigns/${seg(l.campaignId)}`,
      }),
    );
    for (const v of views) {
      for (const s of v.body.steps) {
        if (!s.channel) continue;
        byChannel[s.channel] = (byChannel[s.channel] ?? 0) + s.sent;
        total += s.sent;
      }
    }
    return { total, byChannel };
  };

  const tier12 = scenario.accounts.filter((a) => a.tier !== 3).map((a) => a.accountId!);
  const tier3 = scenario.accounts.filter((a) => a.tier === 3).map((a) => a.accountId!);
  // Tier 3 is read a quarter a day: its touches (and the reactions they draw) are seen within 4 days.
  const slices = 4;
  const sliceSize = Math.ceil(tier3.length / slices);

  const progressLine = async (now: number) => {
    const day = Math.min(days, Math.floor((now - t0) / DAY_MS));
    const touches = await touchesSoFar();
    const channels = ['email', 'ads', 'sdr_task', 'direct_mail']
      .map((c) => `${c} ${touches.byChannel[c] ?? 0}`)
      .join(', ');
    const mqa = [...mqaDay.keys()];
    progress(
      `day ${String(day).padStart(2)}/${days}  touches ${touches.total} (${channels})  events ${events.accepted}  ` +
        `tasks ${tasksSeen.size} (${completedByDemo} worked)  MQA ${mqa.length}${mqa.length ? ` (${mqa.join(', ')})` : ''}`,
    );
  };

  // One simulated day per turn: the clock moves (every step, re-score and scoring due runs), then
  // the simulated people read and react. Base engagement of a day goes out once the day is over plus
  // one more day, so the touches of that day have been read back and the treatment boost sees them.
  for (let day = 1; day <= days; day++) {
    const now = await timed(`advance to day ${day}`, () => advance(client, t0 + day * DAY_MS));
    while (nextDaily < days && t0 + (nextDaily + 2) * DAY_MS <= now) {
      pending.push(...sim.daily(nextDaily, t0 + nextDaily * DAY_MS, (id) => firstTouch.get(id)));
      nextDaily++;
    }
    const slice = day % slices;
    const ids = [...tier12, ...tier3.slice(slice * sliceSize, (slice + 1) * sliceSize)];
    await timed(`poll ${ids.length}`, () => pollAccounts(ids, now));
    await timed('events', () => flushEvents(now));
    await timed('tasks', () => workTasks(now));
    if (day % 10 === 0 || day === days) await progressLine(now);
  }

  // ---- wind down -------------------------------------------------------------------------------
  // Read back the touches not seen yet (their reactions up to the end count), send the remaining
  // base days and reactions up to the end, let the scorer fold them, then read the stages.
  await timed('final poll', () => pollAccounts([...tier12, ...tier3], end));
  while (nextDaily < days) {
    pending.push(...sim.daily(nextDaily, t0 + nextDaily * DAY_MS, (id) => firstTouch.get(id)));
    nextDaily++;
  }
  await timed('final events', () => flushEvents(end));
  pending.length = 0;
  await advance(client); // the scorer folds what was sent
  await timed('stages', async () => {
    for (const tier of [1, 2, 3]) {
      let cursor: string | undefined;
      for (let page = 0; page < 50; page++) {
        const res = await client.send<{
          items: { accountId: string; stage: string }[];
          cursor: string | null;
        }>({
          method: 'GET',
          path: '/accounts',
          query: { tier, limit: 100, cursor },
        });
        for (const a of res.body.items) {
          if (!accountsById.has(a.accountId)) continue;
          stageOf.set(a.accountId, a.stage);
          if (MQA_STAGES.has(a.stage) && !mqaDay.has(a.accountId)) mqaDay.set(a.accountId, days);
        }
        cursor = res.body.cursor ?? undefined;
        if (!cursor) break;
      }
    }
  });
  const simEnd = await serverTime(client);

  const byStatus: Record<string, number> = {};
  const byType: Record<string, number> = {};
  const byOwner: Record<string, number> = {};
  const allTasks = new Map<string, TaskView>();
  await timed('task lists', async () => {
    for (const status of ['open', 'completed', 'cancelled']) {
      const lists = await mapLimit(scenario.sdrs, 3, (owner) => listTasks(owner, status));
      for (const t of lists.flat()) allTasks.set(t.taskId, t);
    }
  });
  const ours = new Set(scenario.accounts.map((a) => a.accountId));
  for (const t of allTasks.values()) {
    if (!ours.has(t.accountId)) continue;
    // Only the tasks of this run: tasks are campaign-scoped through their ids only loosely, so use time.
    if (Date.parse(t.dueAt) < launchTime) continue;
    byStatus[t.status] = (byStatus[t.status] ?? 0) + 1;
    byType[t.type] = (byType[t.type] ?? 0) + 1;
    byOwner[t.owner] = (byOwner[t.owner] ?? 0) + 1;
  }

  const campaigns: CampaignOutcome[] = [];
  for (const l of launches) {
    const report = await timed(`report ${l.key}`, () =>
      client.send<CampaignReport>({ method: 'GET', path: `/reports/campaigns/${seg(l.campaignId)}` }),
    );
    campaigns.push({ ...l, report: report.body });
  }

  const realEnd = Date.now();
  return {
    runTag,
    days,
    clock: clock.mode,
    serverStart: new Date(t0).toISOString(),
    serverEnd: new Date(end).toISOString(),
    serverNow: new Date(simEnd).toISOString(),
    realSeconds: {
      seed: (seedDone - realStart) / 1000,
      simulate: (realEnd - seedDone) / 1000,
      total: (realEnd - realStart) / 1000,
    },
    accounts: {
      tier1: scenario.accounts.filter((a) => a.tier === 1).length,
      tier2: scenario.accounts.filter((a) => a.tier === 2).length,
      tier3: tier3.length,
      contacts: scenario.accounts.reduce((n, a) => n + (a.contacts?.length ?? 0), 0),
    },
    campaigns,
    touchesByRole,
    tasks: {
      created: Object.values(byStatus).reduce((a, b) => a + b, 0),
      byStatus,
      byType,
      byOwner,
      outcomes,
      completedByDemo,
    },
    mqa: [...mqaDay.entries()]
      .map(([accountId, day]) => {
        const a = accountsById.get(accountId)!;
        return { accountId, name: a.name, tier: a.tier ?? 3, day, stageNow: stageOf.get(accountId) ?? '?' };
      })
      .sort((a, b) => a.tier - b.tier || a.day - b.day),
    events,
  };
}
