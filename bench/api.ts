/**
 * HTTP API throughput of local mode (issue 14 "Fast"): local mode runs as its own process
 * (`bin/local.ts`, as `npm start` runs it) and this process drives the mix against it over
 * loopback, so the load generator is not on the server's event loop:
 *
 *   40% GET /accounts/{id}, 25% POST /events (one web visit: the scorer works in the background),
 *   20% GET /tasks (the SDR queue), 15% GET /campaigns/{id} (a 50-account campaign)
 *
 * at 24 concurrent clients (closed loop). Seeding: 200 accounts through the API and a campaign over
 * 50 of them whose SDR-task step fills the queue. After a warm-up, BENCH_ROUNDS rounds of
 * BENCH_SECONDS each; the figures are the medians of the rounds, with their spread (min, max).
 * Target: rps >= 400 and p99 < 100 ms on a 2-core machine; `withinTarget` says whether it held.
 *
 *   npm run bench -- api
 *   BENCH_SECONDS=15 BENCH_ROUNDS=3 BENCH_CONCURRENCY=24 BENCH_ACCOUNTS=200
 *   BENCH_PROFILE_DIR=.bench-out npm run bench -- api    # also writes local mode's CPU profile
 */
import * as os from 'node:os';
import {
  importAccounts,
  launchCampaign,
  median,
  percentile,
  round,
  runMix,
  startLocalServer,
  treeCpuMs,
  treeRssMb,
} from './local-load.helpers';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 24);
const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 200);
const CAMPAIGN_ACCOUNTS = 50;
const TARGET = { rps: 400, p99Ms: 100 };

export async function run(): Promise<Record<string, unknown>> {
  const server = await startLocalServer();
  try {
    await importAccounts(server.api, ACCOUNTS);
    await launchCampaign(server.api, CAMPAIGN_ACCOUNTS);
    process.stderr.write(`bench api: warm-up, then ${ROUNDS} x ${SECONDS} s at concurrency ${CONCURRENCY}\n`);
    const mix = { concurrency: CONCURRENCY, accounts: ACCOUNTS };
    await runMix(server, { ...mix, seconds: 3, tag: 'warm' });
    const rounds: {
      rps: number;
      p50Ms: number;
      p99Ms: number;
      serverCpuMsPerRequest: number;
      errors: number;
      endpoints: unknown;
    }[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const cpuBefore = treeCpuMs(server.pid);
      const res = await runMix(server, { ...mix, seconds: SECONDS, tag: `round${r}` });
      const figures = {
        serverCpuMsPerRequest: round((treeCpuMs(server.pid) - cpuBefore) / res.requests),
        rps: round(res.requests / res.seconds),
        p50Ms: round(percentile(res.latenciesMs, 50)),
        p99Ms: round(percentile(res.latenciesMs, 99)),
        errors: res.errors,
        endpoints: Object.fromEntries(
          Object.entries(res.byKind).map(([k, l]) => [
            k,
            { requests: l.length, p50Ms: round(percentile(l, 50)), p99Ms: round(percentile(l, 99)) },
          ]),
        ),
      };
      process.stderr.write(`bench api: round ${r + 1}: ${JSON.stringify(figures)}\n`);
      if (res.firstErrors.length > 0)
        process.stderr.write(`  first errors: ${res.firstErrors.join('\n  ')}\n`);
      rounds.push(figures);
    }
    type Figure = 'rps' | 'p50Ms' | 'p99Ms' | 'serverCpuMsPerRequest';
    const of = (k: Figure) => rounds.map((r) => r[k]);
    const spread = (k: Figure) => ({ min: Math.min(...of(k)), max: Math.max(...of(k)) });
    const rps = median(of('rps'));
    const p99Ms = median(of('p99Ms'));
    const errors = rounds.reduce((n, r) => n + r.errors, 0);
    return {
      rps,
      p50Ms: median(of('p50Ms')),
      p99Ms,
      errors,
      rssMbAfter: treeRssMb(server.pid),
      serverCpuMsPerRequest: median(of('serverCpuMsPerRequest')),
      spread: {
        rps: spread('rps'),
        p50Ms: spread('p50Ms'),
        p99Ms: spread('p99Ms'),
        serverCpuMsPerRequest: spread('serverCpuMsPerRequest'),
      },
      loadAverage: os.loadavg().map((l) => round(l)),
      rounds: ROUNDS,
      secondsPerRound: SECONDS,
      concurrency: CONCURRENCY,
      endpoints: rounds[Math.floor(rounds.length / 2)].endpoints,
      target: TARGET,
      withinTarget: rps >= TARGET.rps && p99Ms < TARGET.p99Ms && errors === 0,
    };
  } finally {
    await server.stop();
  }
}
