/**
 * The rules that keep the layout (docs/architecture.md, "Layout and rules"), checked on every source file the
 * repository tracks (and the ones it does not track yet), so a change that breaks one fails here:
 * - only the store layer (functions/platform/store, and its own tests) imports the DynamoDB SDK;
 * - the kernel is pure: no AWS SDK, no platform, no feature;
 * - the platform imports the kernel and itself, never a feature;
 * - a feature imports the kernel, the platform, its own files and another feature's published
 *   port (its index.ts) only.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.join(__dirname, '..');
const FEATURES = [
  'engine',
  'scoring',
  'launch',
  'ingest',
  'reports',
  'api',
  'ads',
  'webhooks',
  'programs',
  'crm',
];

function sourceFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return out
    .split('\n')
    .filter((f) => /\.(ts|mts|js|mjs|cjs)$/.test(f) && !f.startsWith('node_modules/'))
    .filter((f) => existsSync(path.join(ROOT, f)));
}

/** Every module specifier a file imports (static, dynamic, require, re-export). */
function importsOf(file: string): string[] {
  return specifiers(readFileSync(path.join(ROOT, file), 'utf8'));
}

function specifiers(text: string): string[] {
  const specs: string[] = [];
  const re = /(?:\bfrom\s+|\bimport\s+|\bimport\(\s*|\brequire\(\s*)(['"])([^'"]+)\1/g;
  for (const m of text.matchAll(re)) specs.push(m[2]!);
  return specs;
}

/** The repository path a relative specifier points at (without extension), or the package name. */
function target(file: string, spec: string): string {
  if (!spec.startsWith('.')) return spec;
  return path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
}

const FILES = sourceFiles();
const under = (dir: string) => FILES.filter((f) => f.startsWith(`${dir}/`));

describe('architecture rules', () => {
  it('finds the sources it checks', () => {
    expect(under('functions/platform/store').length).toBeGreaterThan(5);
    for (const f of FEATURES) expect(under(`functions/${f}`).length).toBeGreaterThan(0);
  });

  it("nothing imports the SDK's DynamoDB clients, and only the store layer the item codec", () => {
    // The store speaks DynamoDB's protocol itself (functions/platform/store/dynamo-client.ts).
    const clients = (s: string) =>
      s.startsWith('@aws-sdk/client-dynamodb') || s.startsWith('@aws-sdk/lib-dynamodb');
    const offenders = FILES.flatMap((f) =>
      importsOf(f)
        .filter(
          (s) =>
            clients(s) ||
            (s.startsWith('@aws-sdk/util-dynamodb') && !f.startsWith('functions/platform/store/')),
        )
        .map((s) => `${f} imports ${s}`),
    );
    expect(offenders).toEqual([]);
  });

  it('the scanner sees every form of import (negative control)', () => {
    // Built from pieces, so this file itself imports nothing it names.
    const sdk = ['@aws-sdk', 'lib-dynamodb'].join('/');
    const probe = [
      `import { GetCommand } from '${sdk}';`,
      `import '${sdk}';`,
      `const m = await import('${sdk}');`,
      `const r = require('${sdk}');`,
      `export { x } from '${sdk}';`,
    ].join('\n');
    expect(specifiers(probe)).toEqual([sdk, sdk, sdk, sdk, sdk]);
  });

  it('the kernel is pure: no AWS SDK, no platform, no feature', () => {
    const offenders = under('functions/kernel').flatMap((f) =>
      importsOf(f)
        .filter((s) => {
          const t = target(f, s);
          return (
            t.startsWith('@aws-sdk/') || (t.startsWith('functions/') && !t.startsWith('functions/kernel'))
          );
        })
        .map((s) => `${f} imports ${s}`),
    );
    expect(offenders).toEqual([]);
  });

  it('the platform imports the kernel and itself, never a feature', () => {
    const offenders = under('functions/platform').flatMap((f) =>
      importsOf(f)
        .map((s) => target(f, s))
        .filter((t) => FEATURES.some((feature) => t.startsWith(`functions/${feature}`)))
        .map((t) => `${f} imports ${t}`),
    );
    expect(offenders).toEqual([]);
  });

  it('a feature imports another feature through its published port (index.ts) only', () => {
    const offenders: string[] = [];
    for (const feature of FEATURES) {
      for (const f of under(`functions/${feature}`)) {
        for (const s of importsOf(f)) {
          const t = target(f, s);
          const other = FEATURES.find(
            (x) => x !== feature && (t === `functions/${x}` || t.startsWith(`functions/${x}/`)),
          );
          if (other && t !== `functions/${other}` && t !== `functions/${other}/index`)
            offenders.push(`${f} imports ${t} (use functions/${other}/index.ts)`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });
});
