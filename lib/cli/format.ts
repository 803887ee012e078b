/**
 * Output formatting without dependencies: aligned tables, colours (only on a TTY with NO_COLOR
 * unset), a progress bar for stderr.
 */
import type { CliIo, OutStream } from './io';

export type Colour = 'red' | 'green' | 'yellow' | 'cyan' | 'dim' | 'bold';
const CODES: Record<Colour, [number, number]> = {
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
  dim: [2, 22],
  bold: [1, 22],
};

export const colourEnabled = (stream: OutStream, env: CliIo['env']): boolean =>
  Boolean(stream.isTTY) && (env.NO_COLOR === undefined || env.NO_COLOR === '') && env.TERM !== 'dumb';

export type Paint = (colour: Colour, text: string) => string;
export const painter =
  (enabled: boolean): Paint =>
  (colour, text) =>
    enabled ? `\u001b[${CODES[colour][0]}m${text}\u001b[${CODES[colour][1]}m` : text;

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
export const visibleLength = (text: string): number => text.replace(ANSI, '').length;

export interface Column<T> {
  readonly header: string;
  readonly value: (row: T) => unknown;
  readonly align?: 'left' | 'right';
  /** Colour a cell after padding (so colour codes never break the alignment). */
  readonly colour?: (row: T) => Colour | undefined;
}

export const cell = (value: unknown): string => {
  if (value === undefined || value === null) return '-';
  if (Array.isArray(value)) return value.map(cell).join(',');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value).replace(/\s+/g, ' ');
};

/** Renders rows as a table with a header, columns separated by two spaces, no trailing spaces. */
export function table<T>(
  rows: readonly T[],
  columns: readonly Column<T>[],
  paint: Paint = painter(false),
): string {
  const cells = rows.map((row) => columns.map((c) => cell(c.value(row))));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]!.length)));
  const pad = (text: string, i: number): string =>
    columns[i]!.align === 'right' ? text.padStart(widths[i]!) : text.padEnd(widths[i]!);
  const line = (parts: string[]): string => parts.join('  ').trimEnd();
  const header = line(columns.map((c, i) => paint('bold', pad(c.header, i))));
  const body = cells.map((r, ri) =>
    line(
      r.map((text, i) => {
        const colour = columns[i]!.colour?.(rows[ri]!);
        return colour ? paint(colour, pad(text, i)) : pad(text, i);
      }),
    ),
  );
  return [header, ...body].join('\n') + '\n';
}

/** Key/value lines, keys aligned. */
export function keyValues(
  pairs: readonly (readonly [string, unknown])[],
  paint: Paint = painter(false),
): string {
  const width = Math.max(0, ...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${paint('dim', (k + ':').padEnd(width + 1))} ${cell(v)}`).join('\n') + '\n';
}

/** A one-line progress bar redrawn in place; only meant for a TTY stderr. */
export function progressLine(done: number, total: number, label: string, width = 30): string {
  const ratio = total === 0 ? 1 : Math.min(1, done / total);
  const filled = Math.round(ratio * width);
  return `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(ratio * 100)).padStart(3)}% ${done}/${total} ${label}\u001b[K`;
}
