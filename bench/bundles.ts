/**
 * Bundle size and init time of every Lambda entry in the registry (`lib/infra/functions.ts`), built
 * with the exact esbuild settings the stack deploys with (`ESBUILD_SETTINGS`), and started with
 * the environment the synthesized stack gives that function (tokens replaced by placeholders),
 * so a handler that reads its environment at cold start initialises as it would on Lambda.
 *
 * Init time: a fresh Node process requires the bundle and reports `performance.now()` around the
 * require (median of 5). `@aws-sdk/*` stays external, as on Lambda where the runtime provides it;
 * NODE_PATH points at this repo's node_modules so those imports resolve outside the repo. The
 * process runs with `--enable-source-maps`, as the stack's NODE_OPTIONS sets it, on this Node or on
 * `BENCH_NODE` (a path to another node binary, e.g. the Lambda runtime's major version:
 * `BENCH_NODE=$(npx -y node@24 -p process.execPath)`); the output names the version.
 *
 *   npm run bench -- bundles
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { ESBUILD_SETTINGS, PROJECT_ROOT } from '../lib/infra/constructs/base-function';
import { App } from 'aws-cdk-lib';
import { AbmStack } from '../lib/infra/abm-stack';
import { parseConfig } from '../lib/infra/config';
import { LAMBDAS, type LambdaName } from '../lib/infra/functions';
import cdkJson from '../cdk.json';

/** Each bundle at most 250 KB, initialised in at most 150 ms (median of INIT_RUNS fresh processes). */
export const TARGET_BYTES = 250 * 1024;
export const TARGET_INIT_MS = 150;
const INIT_RUNS = 5;
/** The node binary the init is measured with. */
const NODE = process.env.BENCH_NODE || process.execPath;

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

/** Each registry entry's environment, read from the synthesized stack (matched by description). */
function deployedEnvironments(): Map<string, Record<string, string>> {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const config = parseConfig(cdkJson.context);
  const stack = new AbmStack(app, 'Bench', { env: config.env, config });
  const resources = app.synth().getStackByName(stack.stackName).template.Resources as Record<
    string,
    {
      Type: string;
      Properties?: { Description?: string; Environment?: { Variables?: Record<string, unknown> } };
    }
  >;
  const byDescription = new Map<string, Record<string, string>>();
  for (const r of Object.values(resources)) {
    if (r.Type !== 'AWS::Lambda::Function' || !r.Properties?.Description) continue;
    const vars = r.Properties.Environment?.Variables ?? {};
    byDescription.set(
      r.Properties.Description,
      Object.fromEntries(
        Object.entries(vars).map(([k, v]) => [k, typeof v === 'string' ? v : placeholder(k)]),
      ),
    );
  }
  return byDescription;
}

/** A stand-in for a value CloudFormation resolves at deploy time (an ARN, a name, a URL). */
function placeholder(name: string): string {
  if (name.endsWith('_ARN') || name.endsWith('_SECRET_ID'))
    return `arn:aws:states:us-east-1:123456789012:stateMachine:bench-${name.toLowerCase()}`;
  if (name.endsWith('_URL')) return `https://bench.example.com/${name.toLowerCase()}`;
  return `bench-${name.toLowerCase()}`;
}

interface Spec {
  name: LambdaName;
  entry: string;
  environment: Record<string, string>;
}

function measureInit(bundle: string, spec: Spec): number {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_PATH: path.join(PROJECT_ROOT, 'node_modules'),
    AWS_REGION: 'us-east-1',
    ...spec.environment,
  };
  const child = spawnSync(NODE, ['--enable-source-maps', '-e', INIT_SCRIPT, bundle], {
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
    const environments = deployedEnvironments();
    const functions = [];
    for (const [name, lambda] of Object.entries(LAMBDAS) as [LambdaName, (typeof LAMBDAS)[LambdaName]][]) {
      const environment = environments.get(lambda.description);
      if (!environment) throw new Error(`the stack deploys no function for registry entry ${name}`);
      const spec: Spec = { name, entry: lambda.entry, environment };
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
    const node = spawnSync(NODE, ['--version'], { encoding: 'utf8' }).stdout.trim();
    return {
      bench: 'bundles',
      node,
      functions,
      maxBytes,
      maxInitMs,
      targetBytes: TARGET_BYTES,
      targetInitMs: TARGET_INIT_MS,
      withinTarget: maxBytes <= TARGET_BYTES && maxInitMs <= TARGET_INIT_MS,
    };
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}
