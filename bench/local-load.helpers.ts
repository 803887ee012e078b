/**
 * What the api and soak benchmarks share: local mode started as its own process (`bin/local.ts`,
 * as `npm start` runs it), the RSS of its process tree, a seeded workload (accounts, a campaign
 * whose SDR-task step fills the SDR queue) and the request mix of issue 14, driven from the
 * benchmark's process, not on the server's event loop:
 *
 *   40% GET /accounts/{id}, 25% POST /events (one web visit), 20% GET /tasks, 15% GET /campaigns/{id}
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fitProfile } from '../test/support/accounts';
import { ALWAYS, apiClient, freePort, until, type ApiClient } from '../test/support/local';

export const OWNER = 'sdr-bench';
export const CAMPAIGN = 'bench-campaign';
const TOKEN = 'bench-token-0123456789abcdef';
const ROOT = path.join(__dirname, '..');

export function benchAccount(i: number) {
  const id = `bench-${String(i).padStart(5, '0')}`;
  return {
    ...fitProfile(id, `Bench ${i}`),
    tier: 1 + (i % 3),
    ownerSdr: OWNER,
    contacts: ['economic_buyer', 'champion', 'technical_evaluator'].map((role, j) => ({
      contactId: `${id}-${j}`,
      name: `Person ${j}`,
      email: `p${j}@${id}.example`,
      role,
      timeZone: 'America/New_York',
      consent: { email: true },
    })),
  };
}

/** The process ids of `root` and all its descendants (from /proc). */
function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // the process ended while we looked
    }
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** The resident set of a process tree, in MB (VmRSS of each process, summed). */
export function treeRssMb(root: number): number {
  let kb = 0;
  for (const pid of processTree(root)) {
    try {
      const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) kb += Number(m[1]);
    } catch {
      // gone
    }
  }
  return Math.round((kb / 1024) * 10) / 10;
}

/**
 * CPU time (user + system) the process tree has used so far, in ms (/proc/<pid>/stat fields 14
 * and 15, in clock ticks of 10 ms on Linux). Divided by the requests served, a figure that does not
 * depend on what else the machine runs, unlike requests per second.
 */
export function treeCpuMs(root: number): number {
  let ticks = 0;
  for (const pid of processTree(root)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone
    }
  }
  return ticks * 10;
}

export interface LocalServer {
  url: string;
  token: string;
  pid: number;
  api: ApiClient;
  /** The simulated now, estimated from GET /health and the time scale between refreshes. */
  simulatedNow(): Date;
  stop(): Promise<void>;
}

/**
 * Starts local mode as a child process on free ports over a fresh data folder. `nodeArgs` go to
 * its Node (for example `--cpu-prof`); `BENCH_PROFILE_DIR` adds `--cpu-prof --cpu-prof-dir=DIR`.
 */
export async function startLocalServer(options: { timeScale?: number; nodeArgs?: string[] } = {}) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'abm-bench-local-'));
  const [port, sesPort] = [await freePort(), await freePort()];
  const timeScale = options.timeScale ?? 3600;
  const profile = process.env.BENCH_PROFILE_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_PROFILE_DIR)}`]
    : [];
  const child: ChildProcess = spawn(
    process.execPath,
    [...profile, ...(options.nodeArgs ?? []), '--import', 'tsx', path.join(ROOT, 'bin', 'local.ts')],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        ABM_PORT: String(port),
        ABM_SES_PORT: String(sesPort),
        ABM_DATA_DIR: dataDir,
        ABM_API_TOKEN: TOKEN,
        ABM_TIME_SCALE: String(timeScale),
        ABM_QUIET: '1',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const api = apiClient(url, TOKEN);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await until(
      'local mode to answer',
      async () => {
        if (child.exitCode !== null) throw new Error(`local mode exited ${child.exitCode}: ${stderr}`);
        return (await api.call('GET', '/health')).status === 200;
      },
      120_000,
      200,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  let base = { simulated: 0, real: 0 };
  const refresh = async () => {
    const res = await api.call('GET', '/health');
    base = { simulated: Date.parse(res.json.time as string), real: Date.now() };
  };
  await refresh();
  const timer = setInterval(() => void refresh().catch(() => undefined), 1000);
  timer.unref();
  const server: LocalServer = {
    url,
    token: TOKEN,
    pid: child.pid!,
    api,
    simulatedNow: () => new Date(base.simulated + (Date.now() - base.real) * timeScale),
    stop: async () => {
      clearInterval(timer);
      await stop();
    },
  };
  return server;
}

async function ok(res: Promise<{ status: number; text: string }>, what: string): Promise<void> {
  const r = await res;
  if (r.status < 200 || r.status > 299) throw new Error(`${what}: ${r.status} ${r.text.slice(0, 500)}`);
}

/** Imports `count` accounts through the API, 100 per request (as `abm accounts import` does). */
export async function importAccounts(api: ApiClient, count: number, from = 0): Promise<void> {
  for (let i = 0; i < count; i += 100) {
    const accounts = Array.from({ length: Math.min(100, count - i) }, (_, j) => benchAccount(from + i + j));
    await ok(api.call('POST', '/accounts/import', { accounts }), 'POST /accounts/import');
  }
}

/**
 * A campaign over the first `campaignAccounts` accounts whose sequence opens with an email, an SDR
 * task (the SDR queue the mix reads) and two later emails; resolves once its tasks are in the queue.
 */
export async function launchCampaign(api: ApiClient, campaignAccounts: number): Promise<void> {
  for (const id of ['bench-intro', 'bench-follow-up']) {
    await ok(
      api.call('PUT', `/templates/${id}`, {
        subject: `${id} for {{account.name}}`,
        html: '<p>Hi {{contact.name}}</p>',
        text: 'Hi {{contact.name}}',
      }),
      `PUT /templates/${id}`,
    );
  }
  await ok(
    api.call('PUT', '/sequences/bench-sequence', {
      name: 'bench: email, call, two follow-ups',
      sendWindow: ALWAYS,
      frequencyCap: { perContact: 20, window: 'P7D', onCapped: 'skip' },
      steps: [
        {
          id: 'intro',
          channel: 'email',
          after: 'P0D',
          to: ['economic_buyer', 'champion'],
          template: 'bench-intro',
        },
        { id: 'call', channel: 'sdr_task', after: 'P0D', to: ['champion'], taskType: 'call' },
        { id: 'follow-1', channel: 'email', after: 'PT1H', to: ['champion'], template: 'bench-follow-up' },
        { id: 'follow-2', channel: 'email', after: 'PT2H', to: ['champion'], template: 'bench-follow-up' },
      ],
    }),
    'PUT /sequences/bench-sequence',
  );
  await ok(
    api.call('POST', '/campaigns', {
      campaignId: CAMPAIGN,
      name: 'bench',
      sequenceId: 'bench-sequence',
      audience: { accountIds: Array.from({ length: campaignAccounts }, (_, i) => benchAccount(i).accountId) },
      holdoutPercent: 0,
    }),
    'POST /campaigns',
  );
  await until(
    'the campaign to open its SDR tasks',
    async () => {
      const res = await api.call('GET', `/tasks?owner=${OWNER}&status=open&limit=100`);
      return res.status === 200 && (res.json.items as unknown[]).length >= Math.min(campaignAccounts, 100);
    },
    120_000,
    250,
  );
}

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  latenciesMs: number[];
  byKind: Record<string, number[]>;
  firstErrors: string[];
}

/** The mix, in twentieths: 8 account reads, 5 event posts, 4 task lists, 3 campaign reads. */
const MIX = [
  ...Array(8).fill('account'),
  ...Array(5).fill('events'),
  ...Array(4).fill('tasks'),
  ...Array(3).fill('campaign'),
] as const;

/**
 * A closed-loop load of `concurrency` clients, each sending its next request when the last one
 * answered, until `requests` were sent or `seconds` passed. `onTick` runs about every 250 ms.
 */
export async function runMix(
  server: LocalServer,
  options: {
    concurrency: number;
    accounts: number;
    requests?: number;
    seconds?: number;
    tag: string;
    onTick?: () => void;
  },
): Promise<LoadResult> {
  const headers = { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' };
  const latenciesMs: number[] = [];
  const byKind: Record<string, number[]> = {};
  const firstErrors: string[] = [];
  let errors = 0;
  let sent = 0;
  const limit = options.requests ?? Infinity;
  const deadline = options.seconds ? performance.now() + options.seconds * 1000 : Infinity;
  const started = performance.now();
  const tick = options.onTick ? setInterval(options.onTick, 250) : undefined;

  async function one(n: number): Promise<void> {
    const kind = MIX[(n * 7) % MIX.length];
    const accountId = benchAccount((n * 7919) % options.accounts).accountId;
    const t0 = performance.now();
    let status = 0;
    let detail = '';
    try {
      let res: Response;
      if (kind === 'account') res = await fetch(`${server.url}/accounts/${accountId}`, { headers });
      else if (kind === 'tasks')
        res = await fetch(`${server.url}/tasks?owner=${OWNER}&status=open&limit=20`, { headers });
      else if (kind === 'campaign') res = await fetch(`${server.url}/campaigns/${CAMPAIGN}`, { headers });
      else
        res = await fetch(`${server.url}/events`, {
          method: 'POST',
          headers,
          body: JSON.stringify({
            events: [
              {
                eventId: `${options.tag}-${n}`,
                type: 'web.visit',
                occurredAt: new Date(server.simulatedNow().getTime() - 60_000).toISOString(),
                accountId,
                properties: { page: '/pricing' },
              },
            ],
          }),
        });
      const body = await res.text();
      status = res.status;
      if (status < 200 || status > 299) detail = body.slice(0, 300);
    } catch (err) {
      detail = String(err);
    }
    const ms = performance.now() - t0;
    latenciesMs.push(ms);
    (byKind[kind] ??= []).push(ms);
    if (status < 200 || status > 299) {
      errors++;
      if (firstErrors.length < 5) firstErrors.push(`${kind} ${status} ${detail}`);
    }
  }

  try {
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (sent < limit && performance.now() < deadline) await one(sent++);
      }),
    );
  } finally {
    if (tick) clearInterval(tick);
  }
  return {
    requests: latenciesMs.length,
    errors,
    seconds: (performance.now() - started) / 1000,
    latenciesMs,
    byKind,
    firstErrors,
  };
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function median(values: number[]): number {
  return percentile(values, 50);
}

export const round = (x: number, places = 2) => Math.round(x * 10 ** places) / 10 ** places;
