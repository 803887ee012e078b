/**
 * `npm run demo`: seeds a logistics-software vendor's ABM programme into a running
 * local mode (or starts one in this process, in simulate mode), launches the three tiered campaigns,
 * simulates 90 days of committee engagement by advancing local mode's clock a day at a time and
 * prints the report. In simulate mode the same seed prints the same report (and digest) on any
 * machine under any load. See docs/demo.md.
 *
 *   ABM_ENDPOINT   API base URL (default http://127.0.0.1:4000)
 *   ABM_API_TOKEN  bearer token (default: <ABM_DATA_DIR or .abm-data>/api-token)
 *   ABM_DATA_DIR   data folder of an in-process local mode (default: a fresh temp folder)
 *   DEMO_SEED      scenario seed (default 20261123); DEMO_DAYS simulated days (default 90)
 *   DEMO_KEEP=1    keep the in-process local mode running after the report (mail viewer), until Ctrl-C
 *   DEMO_SUMMARY=1 end with one JSON line: { digest, mqa, tier3LiftPoints, seconds } (bench/demo.ts)
 */
import '../functions/platform/polyfills';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createClient } from '../lib/cli/http';
import { CliError } from '../lib/cli/errors';
import { DemoError, runDemo } from '../lib/demo/driver';
import { renderReport, reportDigest, tier3Lift } from '../lib/demo/report';
import { buildScenario, DEFAULT_SEED } from '../lib/demo/scenario';
import type { LocalRuntime } from '../lib/local/runtime';

const env = process.env;
const note = (line: string) => process.stderr.write(`[demo] ${line}\n`);

function intEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new DemoError(`${name} must be an integer from ${min} to ${max} (got "${raw}")`, 2);
  }
  return n;
}

function tokenFromDataDir(): string | undefined {
  const file = path.resolve(env.ABM_DATA_DIR || '.abm-data', 'api-token');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() || undefined : undefined;
}

async function answers(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(`${endpoint.replace(/\/$/, '')}/health`, { signal: AbortSignal.timeout(3000) });
    return res.ok;
  } catch {
    return false;
  }
}

const isLoopback = (url: URL) => ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(url.hostname);

async function startInProcess(endpoint: URL): Promise<LocalRuntime> {
  // Loaded only when needed: against a running server the demo needs none of local mode.
  const { startLocal } = await import('../lib/local/runtime');
  const { readSettings } = await import('../lib/local/settings');
  const dataDir = env.ABM_DATA_DIR || mkdtempSync(path.join(os.tmpdir(), 'abm-demo-'));
  const port = endpoint.port ? Number(endpoint.port) : 4000;
  // Simulate mode: time moves only when the demo advances it, so the run is reproducible.
  const { ABM_TIME_SCALE: _scale, ...rest } = env;
  const start = (ports: { ABM_PORT: string; ABM_SES_PORT?: string }) =>
    startLocal(
      readSettings({
        ...rest,
        ABM_CLOCK: 'simulate',
        ABM_DATA_DIR: dataDir,
        ABM_HOST: '127.0.0.1',
        ...ports,
      }),
      { quiet: true, requestLog: false },
    );
  try {
    return await start({ ABM_PORT: String(port) });
  } catch (err) {
    if ((err as NodeJS.ErrnoException)?.code !== 'EADDRINUSE') throw err;
    note('a local-mode port is in use; starting on free ports instead');
    return start({ ABM_PORT: '0', ABM_SES_PORT: '0' });
  }
}

async function main(): Promise<number> {
  const seed = intEnv('DEMO_SEED', DEFAULT_SEED, 0, 2 ** 32 - 1);
  const days = intEnv('DEMO_DAYS', 90, 1, 365);
  let endpoint = env.ABM_ENDPOINT || 'http://127.0.0.1:4000';
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new DemoError(`ABM_ENDPOINT is not a URL: "${endpoint}"`, 2);
  }
  let token = env.ABM_API_TOKEN || undefined;
  let runtime: LocalRuntime | undefined;

  if (await answers(endpoint)) {
    token ??= tokenFromDataDir();
    note(`using the API at ${endpoint}${token ? '' : ' (no token found: set ABM_API_TOKEN)'}`);
  } else if (isLoopback(url)) {
    note(`nothing answers ${endpoint}/health: starting local mode in this process`);
    runtime = await startInProcess(url);
    endpoint = runtime.url;
    token = runtime.token;
    note(`local mode up at ${runtime.url} (mail viewer ${runtime.sesUrl}/, data ${runtime.dataDir})`);
  } else {
    throw new DemoError(`cannot reach ${endpoint} (GET /health did not answer). Check ABM_ENDPOINT.`, 3);
  }

  try {
    // An advance answers once all the work of the simulated span has run: day 1 (every first step
    // of the three launches) took 57 s of a shared 2-core machine at load 9, and more when busier,
    // where a 60 s timeout ended the demo. The time the demo takes is measured, not bounded, here.
    const client = createClient({ endpoint, token, timeoutMs: 600_000, userAgent: 'abm-demo' });
    const scenario = buildScenario(seed);
    const result = await runDemo({
      client,
      scenario,
      days,
      progress: (line) => process.stdout.write(`${line}\n`),
      note,
      debug: env.DEMO_DEBUG === '1' ? (line) => note(`debug ${line}`) : undefined,
    });
    const report = renderReport(result);
    const digest = reportDigest(report);
    process.stdout.write(`\n${report}\nReport digest (sha256): ${digest}\n`);
    note(
      `real time ${result.realSeconds.total.toFixed(1)} s (seed and launch ${result.realSeconds.seed.toFixed(1)} s, ` +
        `simulation and report ${result.realSeconds.simulate.toFixed(1)} s)`,
    );
    if (env.DEMO_SUMMARY === '1') {
      const lift = tier3Lift(result);
      process.stdout.write(
        `${JSON.stringify({
          digest,
          mqa: result.mqa.length,
          tier3LiftPoints: lift ? +(lift.engagementPoints * 100).toFixed(1) : null,
          seconds: +result.realSeconds.total.toFixed(1),
        })}\n`,
      );
    }
    if (runtime) {
      process.stdout.write(
        `\nMail sent during the run: ${runtime.mailViewerUrl} (kept in ${runtime.dataDir}).` +
          (env.DEMO_KEEP === '1'
            ? ' Local mode keeps running: Ctrl-C to stop.\n'
            : ' It stops with the demo: run `npm start` first (or DEMO_KEEP=1) to keep it.\n'),
      );
      if (env.DEMO_KEEP === '1') {
        await new Promise<void>((resolve) => {
          process.once('SIGINT', () => resolve());
          process.once('SIGTERM', () => resolve());
        });
      }
    }
    return 0;
  } finally {
    if (runtime) await runtime.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof CliError) {
      process.stderr.write(`demo: ${err.message}\n${err.detailLines.map((l) => `  ${l}\n`).join('')}`);
      process.exit(err.exitCode || 1);
    }
    if (err instanceof DemoError) {
      process.stderr.write(`demo: ${err.message}\n`);
      process.exit(err.exitCode);
    }
    process.stderr.write(`demo: unexpected error: ${String((err as Error)?.stack ?? err)}\n`);
    process.exit(1);
  },
);
