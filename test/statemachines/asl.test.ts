/**
 * Every ASL file is valid Amazon States Language once its `${Placeholder}`s are substituted, uses
 * JSONPath only (the local interpreter ignores JSONata and Assign), and names exactly the
 * placeholders its construct substitutes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { PLAN_ACTIONS } from '../../functions/kernel/plan';
import { ACCOUNT_SEQUENCE_ASL } from '../../statemachines';
import { buildTestStack } from '../infra/app';

// asl-validator ships no type declarations: load it through a typed require.
const aslValidator = createRequire(__filename)('asl-validator') as (definition: unknown) => {
  isValid: boolean;
  errors: unknown[];
};

const DIR = path.join(__dirname, '..', '..', 'statemachines');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.asl.json'));

/**
 * The substitutions the constructs really pass, read from the synthesized stack: each state machine
 * is inlined (DefinitionString) with its DefinitionSubstitutions, and is matched to its file by text.
 */
function substitutionsByFile(): Record<string, string[]> {
  const resources = buildTestStack().template().findResources('AWS::StepFunctions::StateMachine');
  const out: Record<string, string[]> = {};
  for (const r of Object.values(resources)) {
    const props = r.Properties as { DefinitionString?: unknown; DefinitionSubstitutions?: object };
    const file = FILES.find((f) => readFileSync(path.join(DIR, f), 'utf8') === props.DefinitionString);
    if (file) out[file] = Object.keys(props.DefinitionSubstitutions ?? {});
  }
  return out;
}
const SUBSTITUTIONS = substitutionsByFile();

describe.each(FILES)('%s', (file) => {
  const text = readFileSync(path.join(DIR, file), 'utf8');
  const placeholders = [...new Set([...text.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]))].sort();

  it('is deployed by a construct that substitutes exactly its placeholders', () => {
    expect(Object.keys(SUBSTITUTIONS)).toContain(file);
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

it('the AccountSequence Route sends every plan action the engine returns, and only those, somewhere', () => {
  const asl = JSON.parse(readFileSync(ACCOUNT_SEQUENCE_ASL, 'utf8')) as {
    States: Record<
      string,
      { Type: string; Choices?: { Variable: string; StringEquals: string; Next: string }[] }
    >;
  };
  const route = asl.States.Route!;
  expect(route.Type).toBe('Choice');
  const choices = route.Choices!.filter((c) => c.Variable === '$.plan.action');
  expect(choices.map((c) => c.StringEquals).sort()).toEqual([...PLAN_ACTIONS].sort());
  for (const c of choices) expect(Object.keys(asl.States)).toContain(c.Next);
});
