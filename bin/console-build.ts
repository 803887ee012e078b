/**
 * Builds the web console (console/ -> console/dist) with Vite (docs/architecture.md "Console").
 *
 *   npm run build:console                     always builds
 *   node --import tsx bin/console-build.ts --if-stale
 *                                             builds only when console/dist is missing or older than
 *                                             a source of it (npm start's prestart, and postinstall)
 *   --soft                                    a failed build warns instead of failing (postinstall:
 *                                             an install without the dev dependencies still installs)
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..');
const consoleDir = path.join(root, 'console');
const built = path.join(consoleDir, 'dist', 'index.html');

function newest(p: string): number {
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const entry of readdirSync(p)) max = Math.max(max, newest(path.join(p, entry)));
  return max;
}

/** The build's inputs: the console's sources and config, and the locked package versions. */
export function consoleIsStale(): boolean {
  if (!existsSync(built)) return true;
  const sources = Math.max(
    newest(path.join(consoleDir, 'src')),
    newest(path.join(consoleDir, 'index.html')),
    newest(path.join(consoleDir, 'vite.config.mts')),
    newest(path.join(consoleDir, 'tsconfig.json')),
    newest(path.join(root, 'package-lock.json')),
    // The domain's word lists the console imports from the server's source.
    newest(path.join(root, 'functions', 'kernel', 'model', 'vocabulary.ts')),
  );
  return sources > statSync(built).mtimeMs;
}

async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2));
  if (args.has('--if-stale') && !consoleIsStale()) return;
  const started = Date.now();
  try {
    // Vite is ESM-only and its types need the bundler resolution the console's tsconfig uses, not
    // this CommonJS project's: imported by name at run time.
    const specifier: string = 'vite';
    const vite = (await import(specifier)) as {
      build(options: { configFile: string; logLevel: string; mode: string }): Promise<unknown>;
    };
    // A production build whoever calls it: under a test runner NODE_ENV is `test`, and Preact's
    // preset would then bundle its debug build (twice the first page's JavaScript).
    process.env.NODE_ENV = 'production';
    await vite.build({
      configFile: path.join(consoleDir, 'vite.config.mts'),
      logLevel: 'warn',
      mode: 'production',
    });
    process.stdout.write(
      `[abm] console built in ${((Date.now() - started) / 1000).toFixed(1)} s (console/dist)\n`,
    );
  } catch (err) {
    const message = `[abm] the console did not build: ${String((err as Error)?.message ?? err)}\n`;
    if (args.has('--soft')) {
      process.stderr.write(
        `${message}[abm] local mode will answer /console/ with 503 until npm run build:console\n`,
      );
      return;
    }
    process.stderr.write(message);
    process.exitCode = 1;
  }
}

if (require.main === module) void main();
