/**
 * No leak (issue 14): the resident memory of local mode's whole process tree through 50,000 mixed
 * requests and, alongside them, a 10,000-account import. Local mode runs as its own process
 * (`bin/local.ts`); this process drives the load and samples the tree's RSS (/proc, every 250 ms).
 * The mix is the api bench's (40% GET /accounts/{id}, 25% POST /events, 20% GET /tasks, 15%
 * GET /campaigns/{id}) at 24 clients; the import is 100 requests of 100 accounts, one at a time.
 * Target: rssMbMax under 500 MB (`withinTarget`). Before the dynalite iterator fix every query left
 * an iterator (and its LevelDB snapshot) open, and the process grew past 1.7 GB.
 *
 *   npm run bench -- soak
 *   BENCH_SOAK_REQUESTS=50000 BENCH_SOAK_IMPORT=10000 BENCH_CONCURRENCY=24
 */
import {
  importAccounts,
  launchCampaign,
  round,
  runMix,
  startLocalServer,
  treeRssMb,
} from './local-load.helpers';

const REQUESTS = Number(process.env.BENCH_SOAK_REQUESTS ?? 50_000);
const IMPORT = Number(process.env.BENCH_SOAK_IMPORT ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 24);
const ACCOUNTS = 200;
const TARGET_MB = 500;

export async function run(): Promise<Record<string, unknown>> {
  const started = performance.now();
  const server = await startLocalServer();
  const samples: number[] = [];
  const sample = () => samples.push(treeRssMb(server.pid));
  const sampler = setInterval(sample, 250);
  try {
    await importAccounts(server.api, ACCOUNTS);
    await launchCampaign(server.api, 50);
    sample();
    const rssMbStart = samples[samples.length - 1];
    process.stderr.write(
      `bench soak: ${REQUESTS} requests at concurrency ${CONCURRENCY} and a ${IMPORT}-account import (RSS ${rssMbStart} MB)\n`,
    );
    let done = 0;
    const progress = setInterval(
      () =>
        process.stderr.write(
          `bench soak: ${done} imported, RSS ${samples[samples.length - 1]} MB, max ${Math.max(...samples)} MB\n`,
        ),
      15_000,
    );
    try {
      const importing = (async () => {
        for (let i = 0; i < IMPORT; i += 100) {
          await importAccounts(server.api, Math.min(100, IMPORT - i), ACCOUNTS + i);
          done = i + Math.min(100, IMPORT - i);
        }
      })();
      const [load] = await Promise.all([
        runMix(server, { concurrency: CONCURRENCY, accounts: ACCOUNTS, requests: REQUESTS, tag: 'soak' }),
        importing,
      ]);
      sample();
      if (load.firstErrors.length > 0)
        process.stderr.write(`  first errors: ${load.firstErrors.join('\n  ')}\n`);
      const rssMbMax = Math.max(...samples);
      return {
        requests: load.requests,
        rssMbMax,
        errors: load.errors,
        imported: done,
        rssMbStart,
        rssMbEnd: samples[samples.length - 1],
        samples: samples.length,
        rps: round(load.requests / load.seconds),
        seconds: round((performance.now() - started) / 1000, 1),
        targetMb: TARGET_MB,
        withinTarget: rssMbMax < TARGET_MB && load.errors === 0 && load.requests === REQUESTS,
      };
    } finally {
      clearInterval(progress);
    }
  } finally {
    clearInterval(sampler);
    await server.stop();
  }
}
