/**
 * The console's pure logic (no browser): a server error's field path to its line in the sequence
 * editor (YAML and JSON), and the report's score distribution over time.
 */
import { describe, expect, it } from 'vitest';
import { distribution } from '../../console/src/quantiles';
import { lineOf, parseText, toText } from '../../console/src/sequence-text';

const SEQUENCE = {
  id: 's',
  name: 'S',
  steps: [
    { id: 'intro', channel: 'email', after: 'P0D', to: ['champion'], template: 'intro' },
    { id: 'call', channel: 'sdr_task', after: 'P2D', to: ['champion'], taskType: 'call' },
  ],
};

describe('sequence editor: the line of a server error', () => {
  for (const format of ['yaml', 'json'] as const) {
    it(`points at the field in ${format}, or at its parent when the field is missing`, () => {
      const text = toText(SEQUENCE, format);
      const lines = text.split('\n');
      const lineWith = (s: string) => lines.findIndex((l) => l.includes(s)) + 1;
      expect(lineOf(text, 'body.steps.0.template')).toBe(
        lineWith(format === 'json' ? '"template": "intro"' : 'template: intro'),
      );
      expect(lineOf(text, 'body.steps.1.taskType')).toBe(
        lineWith(format === 'json' ? '"taskType"' : 'taskType: call'),
      );
      // A required field the text lacks: the line of the step that lacks it.
      const step1 = lineOf(text, 'body.steps.1');
      expect(lineOf(text, 'body.steps.1.priority')).toBe(step1);
      expect(step1).toBeGreaterThan(lineOf(text, 'body.steps.0')!);
      expect(lineOf(text, 'body')).toBe(1);
    });
  }

  it('a syntax error is reported at its line, before anything is sent', () => {
    const parsed = parseText('id: s\nsteps:\n  - id: a\n   bad: [\n');
    expect(parsed.value).toBeUndefined();
    expect(parsed.errors.length).toBeGreaterThan(0);
    expect(parsed.errors[0].line).toBeGreaterThanOrEqual(3);
  });

  it('YAML and JSON say the same sequence', () => {
    expect(parseText(toText(SEQUENCE, 'yaml')).value).toEqual(SEQUENCE);
    expect(parseText(toText(SEQUENCE, 'json')).value).toEqual(SEQUENCE);
  });
});

describe('report: the score distribution over time', () => {
  it('takes each account at its last known score (0 before its first) and the quantiles across them', () => {
    const history = [
      {
        accountId: 'a',
        points: [
          { at: '2026-03-01T00:00:00Z', value: 10 },
          { at: '2026-03-03T00:00:00Z', value: 30 },
        ],
      },
      { accountId: 'b', points: [{ at: '2026-03-02T00:00:00Z', value: 20 }] },
      { accountId: 'c', points: [] },
    ];
    const series = distribution(history, 3);
    expect(series.map((q) => q.at)).toEqual([
      '2026-03-01T00:00:00.000Z',
      '2026-03-02T00:00:00.000Z',
      '2026-03-03T00:00:00.000Z',
    ]);
    expect(series.map((q) => q.n)).toEqual([3, 3, 3]);
    // Day 1: 0, 0, 10; day 2: 0, 10, 20; day 3: 0, 20, 30.
    expect(series.map((q) => q.p50)).toEqual([0, 10, 20]);
    expect(series[2].p90).toBeCloseTo(28);
    expect(series[2].p10).toBeCloseTo(4);
    expect(distribution([])).toEqual([]);
  });
});
