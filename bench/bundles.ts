/**
 * Bundle size and init time of every Lambda function in the registry (`lib/functions.ts`), built
 * with the exact esbuild settings the stack deploys with (`ESBUILD_SETTINGS`).
 *
 * Init time: a fresh Node process requires the bundle and reports `performance.now()` around the
 * require (median of 5). `@aws-sdk/*` stays external, as on Lambda where the runtime provides it;
 * NODE_PATH points at this repo's node_modules so those imports resolve outside the repo.
 *
 *   npm run bench -- bundles
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { ESBUILD_SETTINGS, PROJECT_ROOT } from '../lib/constructs/base-function';
import { FUNCTIONS, type FunctionSpec } from '../lib/functions';

export const TARGET_BYTES = 400 * 1024;
const INIT_RUNS = 5;

const INIT_SCRIPT = [
  "const { performance } = require('node:perf_hooks');",
  'const t0 = performance.now();',
  'require(process.argv[1]);',
  'process.stdout.write(JSON.stringify({ initMs: performance.now() - t0 }));',
].join('\n');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function measureInit(bundle: string, spec: FunctionSpec): number {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_PATH: path.join(PROJECT_ROOT, 'node_modules'),
    AWS_REGION: 'us-east-1',
    POWERTOOLS_SERVICE_NAME: `abm-${spec.name}`,
    POWERTOOLS_METRICS_NAMESPACE: 'abm',
    ...Object.fromEntries(spec.environment.map((name) => [name, `bench-${name.toLowerCase()}`])),
  };
  const child = spawnSync(process.execPath, ['--enable-source-maps', '-e', INIT_SCRIPT, bundle], {
    cwd: PROJECT_ROOT,
    env,
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (child.status !== 0) {
    throw new Error(
      `init of ${spec.name} failed (exit ${child.status}): ${child.stderr || child.error?.message}`,
    );
  }
  return (JSON.parse(child.stdout) as { initMs: number }).initMs;
}

export async function run(): Promise<Record<string, unknown>> {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'abm-bundles-'));
  try {
    const functions = [];
    for (const spec of FUNCTIONS) {
      const outfile = path.join(outDir, spec.name, 'index.js');
      await build({
        ...ESBUILD_SETTINGS,
        mainFields: [...ESBUILD_SETTINGS.mainFields],
        external: [...ESBUILD_SETTINGS.external],
        entryPoints: [spec.entry],
        outfile,
        absWorkingDir: PROJECT_ROOT,
        logLevel: 'silent',
      });
      const bytes = fs.statSync(outfile).size;
      const runs = Array.from({ length: INIT_RUNS }, () => measureInit(outfile, spec));
      const initMs = Math.round(median(runs) * 100) / 100;
      process.stderr.write(`  ${spec.name}: ${bytes} bytes, init ${initMs} ms (median of ${INIT_RUNS})\n`);
      functions.push({ name: spec.name, bytes, initMs });
    }
    const maxBytes = Math.max(0, ...functions.map((f) => f.bytes));
    const maxInitMs = Math.max(0, ...functions.map((f) => f.initMs));
    return {
      bench: 'bundles',
      functions,
      maxBytes,
      maxInitMs,
      targetBytes: TARGET_BYTES,
      withinTarget: maxBytes < TARGET_BYTES,
    };
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}
