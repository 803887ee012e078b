/**
 * Demo benchmark: `npm run demo` twice, each in its own process over a fresh data folder in
 * simulate mode: once as the machine is, once with both cores held busy by two other processes
 * spinning. The two reports must be identical to the digit (same sha256 digest); the time of each
 * run is reported against the 60 s target.
 *
 *   npm run bench -- demo
 *   -> {"bench":"demo","digests":[...],"identical":true,"mqa":...,"tier3LiftPoints":...,"seconds":{...}}
 *   env: DEMO_SEED, DEMO_DAYS (passed through to the demo)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '../test/support/local';

const ROOT = path.join(__dirname, '..');
const TARGET_SECONDS = 60;

interface DemoSummary {
  digest: string;
  mqa: number;
  tier3LiftPoints: number | null;
  seconds: number;
}

async function runDemoProcess(label: string): Promise<DemoSummary> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bin', 'demo.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      // Nothing answers there: the demo starts its own local mode (simulate) on free ports.
      ABM_ENDPOINT: `http://127.0.0.1:${port}`,
      ABM_DATA_DIR: '',
      ABM_SES_PORT: '0',
      DEMO_SUMMARY: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const last = out.split('\n').find((line) => line.startsWith('{"digest"')) ?? '';
  if (code !== 0 || !last)
    throw new Error(`demo (${label}) exited ${code}:\n${err.slice(-2000)}\n${out.slice(-2000)}`);
  const summary = JSON.parse(last) as DemoSummary;
  process.stderr.write(`  ${label}: ${summary.seconds} s, digest ${summary.digest.slice(0, 16)}...\n`);
  return summary;
}

/** Processes that spin, one per core, until killed: the "both cores busy" condition. */
function holdCoresBusy(): ChildProcess[] {
  return Array.from({ length: os.availableParallelism() }, () =>
    spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }),
  );
}

export async function run(): Promise<Record<string, unknown>> {
  const idle = await runDemoProcess('as the machine is');
  const spinners = holdCoresBusy();
  let busy: DemoSummary;
  try {
    busy = await runDemoProcess(`with ${spinners.length} cores held busy`);
  } finally {
    for (const s of spinners) if (s.pid) process.kill(s.pid, 'SIGKILL');
  }
  const identical = idle.digest === busy.digest;
  return {
    digests: [idle.digest, busy.digest],
    identical,
    mqa: idle.mqa,
    tier3LiftPoints: idle.tier3LiftPoints,
    seconds: { idle: idle.seconds, busy: busy.seconds, target: TARGET_SECONDS },
    withinTarget: identical && Math.max(idle.seconds, busy.seconds) <= TARGET_SECONDS,
  };
}
