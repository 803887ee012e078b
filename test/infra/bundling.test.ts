/**
 * The one infrastructure test that bundles for real: synthesizes the stack with esbuild bundling
 * and checks what would be uploaded for each function.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { version as packageVersion } from '../../package.json';
import { LAMBDAS, ON_DEMAND_MODULES } from '../../lib/infra/functions';

const ENTRIES = Object.entries(LAMBDAS).map(([name, l]) => ({
  name,
  ...(l as { entry: string; description: string; installedModules?: readonly string[] }),
}));
import { buildTestStack } from './app';

/** 250 KB (issue 15): each entry bundles only what it runs (`npm run bench -- bundles`). */
const MAX_BUNDLE_BYTES = 250 * 1024;

describe('function bundles (real esbuild bundling)', () => {
  const bundles = new Map<string, string>();

  beforeAll(() => {
    const { app, stack } = buildTestStack({ stage: 'dev', bundle: true });
    const assembly = app.synth();
    const template = Template.fromStack(stack);
    const fns = template.findResources('AWS::Lambda::Function') as Record<
      string,
      { Properties: { Description: string; Code: { S3Key: string } } }
    >;
    for (const spec of ENTRIES) {
      const fn = Object.values(fns).find((f) => f.Properties.Description === spec.description);
      expect(fn, spec.name).toBeDefined();
      const hash = fn!.Properties.Code.S3Key.replace(/\.zip$/, '');
      bundles.set(spec.name, path.join(assembly.directory, `asset.${hash}`));
    }
  }, 120_000);

  it.each(ENTRIES.map((f) => [f.name]))(
    '%s: a minified bundle of at most 250 KB with a source map',
    (name) => {
      const dir = bundles.get(name)!;
      const js = fs.readFileSync(path.join(dir, 'index.js'), 'utf8');
      expect(Buffer.byteLength(js)).toBeLessThanOrEqual(MAX_BUNDLE_BYTES);
      expect(fs.existsSync(path.join(dir, 'index.js.map'))).toBe(true);
      expect(js).toMatch(/sourceMappingURL=index\.js\.map/);
      // Minified: long lines (unminified code averages well under 100 characters a line; the few
      // line breaks left are inside template literals and legal comments). Code lines only: the
      // source map comment and the final line break are not code (they are most of the lines of a
      // 3 KB bundle such as health's).
      const codeLines = js.split('\n').filter((l) => l !== '' && !l.startsWith('//# sourceMappingURL='));
      expect(Buffer.byteLength(js) / codeLines.length).toBeGreaterThan(1000);
      // The AWS SDK stays external (it ships in the runtime).
      expect(js).not.toMatch(/@aws-sdk\/client-[a-z]+\/dist-/);
    },
  );

  it('installs the on-demand modules beside the bundles that import them, and bundles them nowhere', () => {
    for (const spec of ENTRIES) {
      const dir = bundles.get(spec.name)!;
      const js = fs.readFileSync(path.join(dir, 'index.js'), 'utf8');
      for (const mod of ON_DEMAND_MODULES) {
        const installed = fs.existsSync(path.join(dir, 'node_modules', mod, 'package.json'));
        const imported = js.includes(`"${mod}"`);
        expect({ fn: spec.name, mod, installed }).toEqual({
          fn: spec.name,
          mod,
          installed: spec.installedModules?.includes(mod) ?? false,
        });
        // A function that imports one has it installed.
        if (imported) expect(installed, `${spec.name} imports ${mod}`).toBe(true);
      }
    }
    // The engine's step imports the holiday calendars (on demand).
    expect(fs.readFileSync(path.join(bundles.get('executeStep')!, 'index.js'), 'utf8')).toContain(
      '"date-holidays"',
    );
  });

  it('the engine renders templates with no template parser: only the functions that save or compile one parse', () => {
    // A message of Handlebars' parser (node_modules/handlebars/lib/handlebars/compiler/parser.js).
    const parses = (name: string) =>
      fs.readFileSync(path.join(bundles.get(name)!, 'index.js'), 'utf8').includes('Parse error on line');
    expect(ENTRIES.map((e) => e.name).filter(parses)).toEqual(['catalogApi', 'compileTemplate']);
    // ...and it does compile syntax trees (functions/kernel/template-render.ts).
    expect(fs.readFileSync(path.join(bundles.get('executeStep')!, 'index.js'), 'utf8')).toContain(
      'You must pass a string or Handlebars AST to Handlebars.compile',
    );
  });

  it('the bundled health handler answers with the version', async () => {
    // The environment Lambda would give it, for this test only (test files may share a process).
    vi.stubEnv('ABM_VERSION', packageVersion);
    vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'abm-GetHealth');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    onTestFinished(() => {
      vi.unstubAllEnvs();
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.join(bundles.get('health')!, 'index.js')) as {
      handler: (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }>;
    };
    const context = {
      functionName: 'GetHealth',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:GetHealth',
      memoryLimitInMB: '128',
      awsRequestId: 'req-1',
      getRemainingTimeInMillis: () => 3000,
    };
    const result = await mod.handler({}, context);
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({ status: 'ok', version: packageVersion });
    expect(Date.parse(JSON.parse(result.body).time)).not.toBeNaN();
  });
});
