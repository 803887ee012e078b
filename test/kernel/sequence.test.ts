import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateSequence, type FieldError } from '../../functions/kernel/sequence';

const base = {
  id: 'tier1-strategic',
  name: 'Tier 1 strategic (1:1)',
  exitWhen: { stages: ['opportunity', 'customer', 'disqualified'] },
  sendWindow: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' },
};

/** The example of docs/architecture.md "Sequences" (the first JSON block of that section), which must be valid. */
const designExample = ((): Record<string, unknown> => {
  const doc = readFileSync(path.join(__dirname, '../../docs/architecture.md'), 'utf8');
  const section = doc.slice(doc.indexOf('\n## Sequences\n'));
  const block = /```json\n([\s\S]*?)\n```/.exec(section);
  if (!block) throw new Error('docs/architecture.md "Sequences" has no JSON example');
  return JSON.parse(block[1]);
})();

function errorsOf(input: unknown): FieldError[] {
  const result = validateSequence(input);
  if (result.ok) throw new Error('expected the sequence to be rejected');
  return result.errors;
}

function withSteps(steps: unknown[]) {
  return { ...base, steps };
}

describe('validateSequence', () => {
  it('accepts the design example and fills defaults', () => {
    const result = validateSequence(designExample);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.sequence.steps.map((s) => s.type)).toEqual([
      'touch',
      'touch',
      'touch',
      'await_engagement',
      'touch',
    ]);
    expect(result.sequence.frequencyCap).toEqual({ perContact: 3, window: 'P7D', onCapped: 'skip' });
    expect(result.sequence.exclusive).toBe(false);
  });

  it.each([
    [
      'a branch to an unknown step id',
      [
        { id: 'a', channel: 'email', template: 't', after: 'P1D' },
        { id: 'b', type: 'branch', cases: [{ if: { minScore: 10 }, goto: 'nowhere' }], default: 'exit' },
      ],
      'steps.1.cases.0.goto',
      /unknown step id "nowhere"/,
    ],
    [
      'a branch default to an unknown step id',
      [
        { id: 'b', type: 'branch', cases: [{ if: { minScore: 10 }, goto: 'b2' }], default: 'missing' },
        { id: 'b2', type: 'exit' },
      ],
      'steps.0.default',
      /unknown step id "missing"/,
    ],
    [
      'an await timeout path to an unknown step id',
      [{ id: 'w', type: 'await_engagement', timeout: 'P7D', until: { minScore: 40 }, onTimeout: 'later' }],
      'steps.0.onTimeout',
      /unknown step id "later"/,
    ],
    [
      'an explicit next to an unknown step id',
      [{ id: 'a', channel: 'email', template: 't', next: 'b' }],
      'steps.0.next',
      /unknown step id "b"/,
    ],
    [
      'a split variant to an unknown step id',
      [
        {
          id: 's',
          type: 'split',
          variants: [
            { name: 'A', weight: 50, goto: 'x' },
            { name: 'B', weight: 50, goto: 'y' },
          ],
        },
        { id: 'x', type: 'exit' },
      ],
      'steps.0.variants.1.goto',
      /unknown step id "y"/,
    ],
    [
      'a role that does not exist',
      [{ id: 'a', channel: 'email', template: 't', to: ['champion', 'cfo'] }],
      'steps.0.to.1',
      /unknown role "cfo"/,
    ],
    [
      'a role that does not exist in a condition-free sdr task',
      [{ id: 'a', channel: 'sdr_task', to: ['gatekeeper'] }],
      'steps.0.to.0',
      /unknown role "gatekeeper"/,
    ],
    [
      'a negative duration',
      [{ id: 'a', channel: 'email', template: 't', after: '-P1D' }],
      'steps.0.after',
      /negative duration/,
    ],
    [
      'a negative duration component',
      [{ id: 'a', channel: 'email', template: 't', after: 'P-2D' }],
      'steps.0.after',
      /negative duration/,
    ],
    [
      'an unparseable duration',
      [{ id: 'w', type: 'await_engagement', timeout: 'seven days', until: { minScore: 1 } }],
      'steps.0.timeout',
      /not an ISO 8601 duration/,
    ],
    [
      'a duration in months',
      [{ id: 'a', channel: 'email', template: 't', after: 'P1M' }],
      'steps.0.after',
      /months/,
    ],
    [
      'a direct-mail step with no budget',
      [{ id: 'gift', channel: 'direct_mail', piece: 'roi-booklet', to: ['economic_buyer'] }],
      'steps.0.maxCostCents',
      /needs a budget/,
    ],
    [
      'a duplicate step id',
      [
        { id: 'a', channel: 'email', template: 't', after: 'P1D' },
        { id: 'a', channel: 'email', template: 't', after: 'P1D' },
      ],
      'steps.1.id',
      /duplicate step id "a"/,
    ],
    ['an unknown channel', [{ id: 'a', channel: 'fax' }], 'steps.0.channel', /./],
    [
      'an unknown stage in a condition',
      [{ id: 'a', channel: 'email', template: 't', if: { stages: ['hot'] } }],
      'steps.0.if.stages.0',
      /./,
    ],
  ])('rejects %s, with the path to the field', (_name, steps, path, message) => {
    const errors = errorsOf(withSteps(steps));
    const hit = errors.find((e) => e.path === path);
    expect(hit, `errors were ${JSON.stringify(errors)}`).toBeDefined();
    expect(hit!.message).toMatch(message);
  });

  it('rejects a loop with no wait in it, naming the loop', () => {
    const errors = errorsOf(
      withSteps([
        { id: 'mail', channel: 'email', template: 't' },
        { id: 'check', type: 'branch', cases: [{ if: { maxScore: 20 }, goto: 'mail' }], default: 'exit' },
      ]),
    );
    expect(errors).toHaveLength(1);
    expect(errors[0].path).toBe('steps.0');
    expect(errors[0].message).toMatch(/loop with no wait: mail -> check -> mail/);
  });

  it('accepts a loop that waits somewhere', () => {
    const result = validateSequence(
      withSteps([
        { id: 'mail', channel: 'email', template: 't', after: 'P2D' },
        { id: 'check', type: 'branch', cases: [{ if: { maxScore: 20 }, goto: 'mail' }], default: 'exit' },
      ]),
    );
    expect(result).toMatchObject({ ok: true });
  });

  it('accepts a loop through an await_engagement', () => {
    const result = validateSequence(
      withSteps([
        { id: 'mail', channel: 'email', template: 't' },
        { id: 'w', type: 'await_engagement', timeout: 'P3D', until: { minScore: 50 }, onTimeout: 'mail' },
      ]),
    );
    expect(result).toMatchObject({ ok: true });
  });

  it('detects a self-loop', () => {
    const errors = errorsOf(withSteps([{ id: 'a', channel: 'ads', audience: 'x', next: 'a' }]));
    expect(errors.map((e) => e.message).join()).toMatch(/loop with no wait: a -> a/);
  });

  it('reports every problem at once, schema and graph alike', () => {
    const errors = errorsOf(
      withSteps([
        { id: 'a', channel: 'email', template: 't', to: ['cfo'], after: 'P1Q' },
        { id: 'gift', channel: 'direct_mail', piece: 'p' },
        { id: 'b', type: 'branch', cases: [{ if: {}, goto: 'zz' }] },
      ]),
    );
    expect(errors.map((e) => e.path).sort()).toEqual(
      ['steps.0.after', 'steps.0.to.0', 'steps.1.maxCostCents', 'steps.2.cases.0.goto'].sort(),
    );
  });

  it('rejects a send window that ends before it starts and an unknown weekday', () => {
    const errors = errorsOf({
      ...designExample,
      sendWindow: { days: ['mon', 'funday'], start: '17:00', end: '09:00' },
    });
    expect(errors.map((e) => e.path)).toEqual(expect.arrayContaining(['sendWindow.days.1']));
    const windowOnly = errorsOf({
      ...designExample,
      sendWindow: { days: ['mon'], start: '17:00', end: '09:00' },
    });
    expect(windowOnly.map((e) => e.path)).toEqual(['sendWindow.end']);
  });

  it('rejects a sequence with no steps', () => {
    expect(errorsOf({ ...base, steps: [] }).map((e) => e.path)).toEqual(['steps']);
  });
});

describe('parseDuration', () => {
  it.each([
    ['P0D', 0],
    ['P3D', 3 * 86_400_000],
    ['PT4H', 4 * 3_600_000],
    ['P1W', 7 * 86_400_000],
    ['P1DT12H', 36 * 3_600_000],
    ['PT90M', 90 * 60_000],
    ['PT0.5S', 500],
  ])('%s is %i ms', async (text, ms) => {
    const { parseDuration } = await import('../../functions/kernel/duration');
    expect(parseDuration(text)).toEqual({ ok: true, millis: ms });
  });

  it.each(['P', 'PT', 'P1DT', '3D', 'P1.5', 'PT1H30', 'P1M', 'P1Y', '-P1D', 'P-1D', ''])(
    'rejects %j',
    async (text) => {
      const { parseDuration } = await import('../../functions/kernel/duration');
      expect(parseDuration(text).ok).toBe(false);
    },
  );
});
