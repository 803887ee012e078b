/**
 * `npm run bench -- crash`: kills local mode three times mid-campaign and counts what reached the
 * mail store. The mail store is an aws-ses-v2-local started in THIS process, outside the killed
 * process group; local mode (`node --import tsx bin/local.ts`, its own process group, on a
 * temporary data folder, 127.0.0.1 only) sends to it through ABM_SES_ENDPOINT.
 *
 * Campaign: 50 accounts x 2 contacts (economic buyer, champion) x 6 email steps = 600 emails, one
 * step every simulated day at one simulated day per real second. Each kill is SIGKILL of the whole
 * process group at a random moment (when the store first holds a random number of mails, drawn
 * between 5% and 95% of the campaign), then local mode starts again on the same data folder. After
 * the third restart the bench waits (bounded) for the campaign to be `completed` and compares:
 *   - duplicates: mails beyond the first for one (recipient, step);
 *   - lost: a (recipient, step) neither delivered nor `uncertain` on the touch ledger;
 *   - uncertain: touches `uncertain` on the ledger (delivered or not: the kill caught them
 *     between the hand-over and the answer);
 *   - the campaign counters (GET /campaigns/{id}) equal the ledger, per step and status; the ledger
 *     is read from the table's items after a graceful stop (not through an index).
 * Target: 0 duplicates, 0 lost, every `sent` touch delivered, counters equal to the ledger, the
 * campaign completed. BENCH_KILLS changes the number of kills (default 3), BENCH_SEED the draw.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { executionNameFor } from '../functions/kernel/execution';
import type { Touch } from '../functions/kernel/model';
import { createStore, Table } from '../functions/platform/store';
import { startDynalite } from '../lib/local/dynamo';
import { LOCAL_TABLE_NAME } from '../lib/local/runtime';
import { startSesLocal } from '../lib/local/ses';
import {
  apiClient,
  committee,
  freePort,
  mails,
  putEmailDrip,
  until,
  untilCampaign,
  type ApiClient,
} from '../test/support/local';
import { rng } from '../test/support/scoring';

const ROOT = path.join(__dirname, '..');
const TOKEN = 'bench-crash-token-0123456789';
const ACCOUNTS = Array.from({ length: 50 }, (_, i) => `crash-${String(i).padStart(2, '0')}`);
const STEPS = ['s1', 's2', 's3', 's4', 's5', 's6'];
const ROLES = ['economic_buyer', 'champion'] as const;
const EXPECTED = ACCOUNTS.length * ROLES.length * STEPS.length;
const CAMPAIGN = 'crash-1';
/** Bounds: a start of local mode, the whole campaign after the last restart. */
const START_MS = 60_000;
const FINISH_MS = 240_000;

interface Child {
  process: ChildProcess;
  output: string[];
}

function startLocalMode(env: Record<string, string>): Child {
  const output: string[] = [];
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bin', 'local.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    // Its own process group: the kill takes the group, never this process (nor its mail store).
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (d: unknown) => {
    output.push(String(d));
    if (output.length > 200) output.shift();
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return { process: child, output };
}

async function killGroup(child: Child): Promise<void> {
  const p = child.process;
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise((resolve) => p.once('exit', resolve));
  process.kill(-p.pid!, 'SIGKILL');
  await exited;
}

/** SIGTERM to the group: local mode stops gracefully (its data saved, dynalite closed). */
async function stopGroup(child: Child): Promise<void> {
  const p = child.process;
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise((resolve) => p.once('exit', resolve));
  process.kill(-p.pid!, 'SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
  await killGroup(child);
}

async function seed(api: ApiClient): Promise<void> {
  const accounts = ACCOUNTS.map((id) => committee(id, 1));
  const imported = await api.call('POST', '/accounts/import', { accounts });
  if (imported.json?.imported !== ACCOUNTS.length) throw new Error(`import: ${imported.text}`);
  await putEmailDrip(api, 'crash-drip', STEPS, { every: 'P1D', to: ROLES });
  const launch = await api.call('POST', '/campaigns', {
    campaignId: CAMPAIGN,
    name: 'Crash',
    sequenceId: 'crash-drip',
    audience: { accountIds: ACCOUNTS },
  });
  if (launch.json?.enrolled !== ACCOUNTS.length) throw new Error(`launch: ${launch.text}`);
}

export async function run(): Promise<Record<string, unknown>> {
  const kills = Number(process.env.BENCH_KILLS ?? 3);
  const seedValue = Number(process.env.BENCH_SEED ?? Date.now() % 1_000_000);
  const draw = rng(seedValue);
  const thresholds = Array.from({ length: kills }, () => Math.floor(EXPECTED * (0.05 + 0.9 * draw()))).sort(
    (a, b) => a - b,
  );
  const ses = await startSesLocal({ host: '127.0.0.1' });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'abm-bench-crash-'));
  const port = await freePort();
  const env = {
    ABM_DATA_DIR: dataDir,
    ABM_HOST: '127.0.0.1',
    ABM_PORT: String(port),
    ABM_SES_ENDPOINT: ses.endpoint,
    ABM_API_TOKEN: TOKEN,
    ABM_TIME_SCALE: '86400',
    ABM_QUIET: '1',
  };
  const api = apiClient(`http://127.0.0.1:${port}`, TOKEN);
  const started = Date.now();
  let child = startLocalMode(env);
  const up = () =>
    until('local mode to answer', async () => (await api.call('GET', '/health')).status === 200, START_MS);
  const killedAt: number[] = [];
  try {
    await up();
    await seed(api);
    for (const threshold of thresholds) {
      const count = await until(
        `${threshold} mails before a kill`,
        async () => {
          const n = (await mails(ses.endpoint)).length;
          return n >= threshold ? n : undefined;
        },
        FINISH_MS,
        10,
      );
      await killGroup(child);
      killedAt.push(count);
      process.stderr.write(`bench crash: SIGKILL of the process group at ${count} mails\n`);
      child = startLocalMode(env);
      await up();
    }
    const view = await untilCampaign(api, CAMPAIGN, 'completed', FINISH_MS);

    // The mail store, outside the killed group: one key per (recipient, step).
    const all = await mails(ses.endpoint);
    const delivered = new Map<string, number>();
    for (const m of all) {
      const key = `${m.destination.to[0]}|${m.subject.split(' ')[0]}`;
      delivered.set(key, (delivered.get(key) ?? 0) + 1);
    }
    const duplicates = [...delivered.values()].reduce((n, c) => n + c - 1, 0);

    // Local mode stops gracefully (SIGTERM): then the ledger is read from the table itself (its
    // items, not an index), each execution's touches by their key prefix.
    await stopGroup(child);
    const db = await startDynalite({ path: path.join(dataDir, 'dynamo'), tableName: LOCAL_TABLE_NAME });
    const ledger = new Map<string, Touch>();
    try {
      const store = createStore(new Table(db.client, db.tableName));
      for (const id of ACCOUNTS) {
        const emails = new Map((await store.accounts.listContacts(id)).map((c) => [c.contactId, c.email]));
        for (const t of await store.touches.ofExecution(id, executionNameFor(CAMPAIGN, id)))
          ledger.set(`${emails.get(t.contactId)}|${t.stepId}`, t);
      }
    } finally {
      await db.stop();
    }
    let lost = 0;
    let uncertain = 0;
    let uncertainDelivered = 0;
    let sentNotDelivered = 0;
    for (const id of ACCOUNTS) {
      for (const mailbox of ['dana', 'sam']) {
        for (const step of STEPS) {
          const key = `${mailbox}@${id}.example|${step}`;
          const t = ledger.get(key);
          const got = delivered.has(key);
          if (t?.status === 'uncertain') {
            uncertain++;
            if (got) uncertainDelivered++;
          } else if (!got) {
            lost++;
            process.stderr.write(`bench crash: lost ${key}: ${JSON.stringify(t ?? null)}\n`);
          }
          if (t?.status === 'sent' && !got) sentNotDelivered++;
        }
      }
    }
    // The campaign counters against the ledger, per step and status.
    const fromLedger: Record<string, Record<string, number>> = {};
    for (const t of ledger.values()) {
      const k = t.status === 'claimed' || t.status === 'handing_over' ? 'inFlight' : t.status;
      (fromLedger[t.stepId] ??= {})[k] = (fromLedger[t.stepId]?.[k] ?? 0) + 1;
    }
    const fromCounters: Record<string, Record<string, number>> = {};
    for (const s of view.steps ?? []) {
      for (const k of ['sent', 'skipped', 'failed', 'deferred', 'uncertain', 'inFlight'])
        if (s[k] > 0) (fromCounters[s.stepId] ??= {})[k] = s[k];
    }
    const countersEqualLedger =
      JSON.stringify(sortDeep(fromLedger)) === JSON.stringify(sortDeep(fromCounters));
    const withinTarget =
      duplicates === 0 &&
      lost === 0 &&
      sentNotDelivered === 0 &&
      countersEqualLedger &&
      killedAt.length === kills &&
      ledger.size === EXPECTED;
    if (!withinTarget)
      process.stderr.write(
        `bench crash: outside the target\n${JSON.stringify({ fromLedger, fromCounters })}\n${child.output.join('')}\n`,
      );
    return {
      expected: EXPECTED,
      delivered: delivered.size,
      duplicates,
      lost,
      uncertain,
      uncertainDelivered,
      sentNotDelivered,
      touches: ledger.size,
      countersEqualLedger,
      campaignStatus: view.status,
      kills: killedAt.length,
      killedAtMails: killedAt,
      seed: seedValue,
      seconds: Math.round((Date.now() - started) / 100) / 10,
      withinTarget,
    };
  } finally {
    await killGroup(child).catch(() => undefined);
    await ses.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function sortDeep(o: Record<string, Record<string, number>>) {
  return Object.fromEntries(
    Object.keys(o)
      .sort()
      .map((k) => [k, Object.fromEntries(Object.entries(o[k]!).sort(([a], [b]) => a.localeCompare(b)))]),
  );
}
