/**
 * HTTP API throughput in local mode: a bounded closed-loop load over loopback on
 * `GET /tasks`, `GET /accounts/{id}` and `POST /events` (one web visit per request, so the
 * scorer works in the background as it would), round robin, with a fixed concurrency.
 *
 *   npm run bench -- api                      # starts local mode in process (temp data folder)
 *   ABM_ENDPOINT=http://127.0.0.1:4000 ABM_API_TOKEN=... npm run bench -- api   # an already running one
 *   BENCH_SECONDS=30 BENCH_CONCURRENCY=16 BENCH_ACCOUNTS=200
 *
 * Against an external endpoint the bench imports its accounts (ids `bench-*`) but cannot seed
 * tasks (there is no API to create one), so GET /tasks may answer an empty page there.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import '../functions/platform/polyfills';
import { storeOf } from '../functions/platform/store-of';
import { startLocal, type LocalRuntime } from '../lib/local/runtime';
import { readSettings } from '../lib/local/settings';
import { fitProfile } from '../test/support/accounts';
import { apiClient } from '../test/support/local';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 200);
const OWNER = 'sdr-bench';

function account(i: number) {
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

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const round = (x: number) => Math.round(x * 100) / 100;

export async function run(): Promise<Record<string, unknown>> {
  let runtime: LocalRuntime | undefined;
  let dataDir: string | undefined;
  let url = process.env.ABM_ENDPOINT;
  let token = process.env.ABM_API_TOKEN ?? '';
  if (!url) {
    dataDir = mkdtempSync(path.join(tmpdir(), 'abm-bench-api-'));
    runtime = await startLocal(
      readSettings(
        { ABM_PORT: '0', ABM_SES_PORT: '0', ABM_DATA_DIR: dataDir, ABM_TIME_SCALE: '86400' },
        dataDir,
      ),
      { quiet: true },
    );
    url = runtime.url;
    token = runtime.token;
  }
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  try {
    // Seed: accounts through the API (as a user would), tasks straight into the store.
    const api = apiClient(url, token);
    for (let i = 0; i < ACCOUNTS; i += 100) {
      const batch = Array.from({ length: Math.min(100, ACCOUNTS - i) }, (_, j) => account(i + j));
      const res = await api.call('POST', '/accounts/import', { accounts: batch });
      if (res.status < 200 || res.status > 299)
        throw new Error(`seeding accounts: ${res.status} ${res.text}`);
    }
    if (runtime) {
      const now = runtime.clock.now();
      for (let i = 0; i < ACCOUNTS; i++) {
        const a = account(i);
        await storeOf(runtime.platform).tasks.create({
          taskId: `bench-task-${i}`,
          accountId: a.accountId,
          contactId: a.contacts[1].contactId,
          owner: OWNER,
          type: 'call',
          status: 'open',
          priority: 1 + (i % 3),
          dueAt: new Date(now.getTime() + i * 60_000).toISOString(),
          reason: 'bench',
          context: { talkingPoints: [], recentEngagement: [], lastTouches: [] },
          createdAt: now.toISOString(),
        });
      }
    }
    const simulatedNow = runtime ? () => runtime!.clock.now() : () => new Date();

    let counter = 0;
    const requests: { kind: string; ms: number; ok: boolean }[] = [];
    const byKind: Record<string, number> = {};
    const deadline = performance.now() + SECONDS * 1000;
    const started = performance.now();
    process.stderr.write(`bench api: ${SECONDS} s, concurrency ${CONCURRENCY}, ${url}\n`);

    async function one(n: number): Promise<void> {
      const kind = n % 3;
      const accountId = account((n * 7919) % ACCOUNTS).accountId;
      const t0 = performance.now();
      let ok = false;
      let name = '';
      try {
        let res: Response;
        if (kind === 0) {
          name = 'GET /tasks';
          res = await fetch(`${url}/tasks?owner=${OWNER}&status=open&limit=20`, { headers });
        } else if (kind === 1) {
          name = 'GET /accounts/{id}';
          res = await fetch(`${url}/accounts/${accountId}`, { headers });
        } else {
          name = 'POST /events';
          res = await fetch(`${url}/events`, {
            method: 'POST',
            headers,
            body: JSON.stringify({
              events: [
                {
                  eventId: `bench-${process.pid}-${n}`,
                  type: 'web.visit',
                  occurredAt: simulatedNow().toISOString(),
                  accountId,
                  properties: { page: '/pricing' },
                },
              ],
            }),
          });
        }
        await res.arrayBuffer();
        ok = res.status >= 200 && res.status < 300;
      } catch {
        ok = false;
      }
      requests.push({ kind: name, ms: performance.now() - t0, ok });
      byKind[name] = (byKind[name] ?? 0) + 1;
    }

    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (performance.now() < deadline) await one(counter++);
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const latencies = requests.map((r) => r.ms).sort((a, b) => a - b);
    const perEndpoint = Object.fromEntries(
      Object.keys(byKind).map((k) => {
        const l = requests
          .filter((r) => r.kind === k)
          .map((r) => r.ms)
          .sort((a, b) => a - b);
        return [k, { requests: l.length, p50Ms: round(percentile(l, 50)), p99Ms: round(percentile(l, 99)) }];
      }),
    );
    return {
      rps: round(requests.length / seconds),
      p50Ms: round(percentile(latencies, 50)),
      p99Ms: round(percentile(latencies, 99)),
      errors: requests.filter((r) => !r.ok).length,
      requests: requests.length,
      seconds: round(seconds),
      concurrency: CONCURRENCY,
      endpoints: perEndpoint,
      mode: runtime ? 'in-process local mode' : `external ${url}`,
    };
  } finally {
    await runtime?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}
