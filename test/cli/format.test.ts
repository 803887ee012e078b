import { describe, expect, it } from 'vitest';
import { statusColumn } from '../../lib/cli/commands/shared';
import { colourEnabled, painter, table, visibleLength } from '../../lib/cli/format';

describe('table', () => {
  it('aligns columns, right-aligns numbers, prints - for missing values', () => {
    const text = table(
      [
        { id: 'intro', n: 5, note: undefined },
        { id: 'call-longer', n: 120, note: 'x' },
      ],
      [
        { header: 'STEP', value: (r) => r.id },
        { header: 'N', value: (r) => r.n, align: 'right' },
        { header: 'NOTE', value: (r) => r.note },
      ],
    );
    expect(text).toBe(
      ['STEP           N  NOTE', 'intro          5  -', 'call-longer  120  x', ''].join('\n'),
    );
  });

  it('keeps alignment when cells are coloured', () => {
    const paint = painter(true);
    const text = table(
      [{ s: 'ok' }, { s: 'failed' }],
      [
        { header: 'STATUS', value: (r) => r.s, colour: (r) => (r.s === 'failed' ? 'red' : undefined) },
        { header: 'X', value: () => 1 },
      ],
      paint,
    );
    const widths = text
      .trimEnd()
      .split('\n')
      .map((l) => visibleLength(l));
    expect(new Set(widths).size).toBe(1);
    expect(text).toContain('\u001b[31mfailed\u001b[39m');
  });

  it('statusColumn colours only the statuses it names', () => {
    const text = table(
      [{ status: 'failed' }, { status: 'sent' }, { status: 'skipped' }, { status: 'constructor' }, {}],
      [statusColumn({ failed: 'red', sent: 'green' })],
      painter(true),
    );
    expect(text.split('\n').slice(1)).toEqual([
      '\u001b[31mfailed     \u001b[39m',
      '\u001b[32msent       \u001b[39m',
      'skipped',
      'constructor',
      '-',
      '',
    ]);
  });
});

describe('colours', () => {
  it.each([
    [true, {}, true],
    [false, {}, false],
    [true, { NO_COLOR: '1' }, false],
    [true, { TERM: 'dumb' }, false],
  ])('isTTY=%s env=%j -> %s', (isTTY, env, expected) => {
    expect(colourEnabled({ write: () => true, isTTY }, env)).toBe(expected);
  });
});
