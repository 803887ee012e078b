/**
 * Benchmark runner.
 *
 *   npm run bench -- NAME   runs bench/NAME.ts
 *   npm run bench           runs every bench/*.ts (except this runner and helpers: `_*.ts`, `*.helpers.ts`)
 *
 * Each benchmark exports `async function run(): Promise<Record<string, unknown>>`. Progress goes to
 * stderr; each benchmark's figures are printed as ONE JSON line on stdout, in turn. A result with
 * `withinTarget: false` makes the runner exit 1 (after printing); an unknown name exits 2.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

type Benchmark = { run: () => Promise<Record<string, unknown>> };

function available(): string[] {
  return fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .filter((f) => f !== 'run.ts' && !f.startsWith('_') && !f.endsWith('.helpers.ts'))
    .map((f) => f.slice(0, -'.ts'.length))
    .sort();
}

async function runOne(name: string): Promise<boolean> {
  process.stderr.write(`bench ${name}: running\n`);
  const started = performance.now();
  const mod = (await import(path.join(__dirname, `${name}.ts`))) as Partial<Benchmark>;
  if (typeof mod.run !== 'function') throw new Error(`bench/${name}.ts does not export run()`);
  const result = await mod.run();
  process.stdout.write(`${JSON.stringify({ bench: name, ...result })}\n`);
  process.stderr.write(`bench ${name}: done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return result.withinTarget !== false;
}

async function main(): Promise<number> {
  const names = process.argv.slice(2).filter((a) => a !== '--');
  const known = available();
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    process.stderr.write(
      `Unknown benchmark: ${unknown.join(', ')}. Available: ${known.join(', ') || '(none)'}\n`,
    );
    return 2;
  }
  let ok = true;
  for (const name of names.length > 0 ? names : known) {
    if (!(await runOne(name))) {
      process.stderr.write(`bench ${name}: outside its target\n`);
      ok = false;
    }
  }
  return ok ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
