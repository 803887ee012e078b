/**
 * Every ASL file is valid Amazon States Language once its `${Placeholder}`s are substituted, uses
 * JSONPath only (the local interpreter ignores JSONata and Assign), and names exactly the
 * placeholders its construct substitutes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// asl-validator ships no type declarations: load it through a typed require.
const aslValidator = createRequire(__filename)('asl-validator') as (definition: unknown) => {
  isValid: boolean;
  errors: unknown[];
};

const DIR = path.join(__dirname, '..', '..', 'statemachines');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.asl.json'));

/** The substitutions each construct passes (lib/infra/constructs/sequence-engine.ts, launcher.ts). */
const SUBSTITUTIONS: Record<string, string[]> = {
  'account-sequence.asl.json': ['ExecuteStepFunctionArn', 'ParkExecutionFunctionArn'],
  'campaign-launch.asl.json': ['EnrollBatchFunctionArn', 'FinalizeFunctionArn'],
};

describe.each(FILES)('%s', (file) => {
  const text = readFileSync(path.join(DIR, file), 'utf8');
  const placeholders = [...new Set([...text.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]))].sort();

  it('names exactly the placeholders its construct substitutes', () => {
    expect(placeholders).toEqual([...(SUBSTITUTIONS[file] ?? [])].sort());
  });

  it('is valid ASL once substituted', () => {
    const substituted = text.replace(
      /\$\{([A-Za-z0-9_]+)\}/g,
      (_m, name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`,
    );
    const { isValid, errors } = aslValidator(JSON.parse(substituted));
    expect(errors).toEqual([]);
    expect(isValid).toBe(true);
  });

  it('uses JSONPath only', () => {
    expect(text).not.toMatch(/"QueryLanguage"\s*:\s*"JSONata"/);
    expect(text).not.toMatch(/"Assign"\s*:/);
    expect(text).not.toMatch(/\{%/);
  });
});

it('the validator rejects a broken definition (negative control)', () => {
  const broken = { StartAt: 'A', States: { A: { Type: 'Task', Next: 'Missing' } } };
  expect(aslValidator(broken).isValid).toBe(false);
});
