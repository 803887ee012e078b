/**
 * Helpers shared by the commands: rejected-row tables, status columns, required and number flags,
 * YAML line lookup.
 */
import { isMap, isSeq, parseDocument, LineCounter } from 'yaml';
import { str, type FlagValues, type Output } from '../command';
import { CliError, usageError } from '../errors';
import { table, type Colour, type Column } from '../format';
import type { InputFile } from '../files';

export interface FieldError {
  readonly path?: string | readonly (string | number)[];
  readonly message?: string;
}

export interface Rejected {
  readonly row?: number;
  readonly index?: number;
  readonly line?: number;
  readonly accountId?: string;
  readonly eventId?: string;
  readonly errors?: readonly FieldError[] | readonly string[];
  readonly reason?: string;
  readonly [key: string]: unknown;
}

export const describeErrors = (r: Rejected): string => {
  const errors = Array.isArray(r.errors) ? (r.errors as (FieldError | string)[]) : [];
  const parts = errors.map((e) => {
    if (typeof e === 'string') return e;
    const path = Array.isArray(e.path) ? e.path.join('.') : e.path;
    return path ? `${path}: ${e.message ?? ''}` : (e.message ?? JSON.stringify(e));
  });
  if (r.reason) parts.push(String(r.reason));
  return parts.join('; ');
};

export function rejectedTable(
  rejected: readonly Rejected[],
  out: Output,
  rowLabel = 'ROW',
  limit = 50,
): string {
  const shown = rejected.slice(0, limit);
  const hasAccount = shown.some((r) => r.accountId !== undefined);
  const hasEvent = shown.some((r) => r.eventId !== undefined);
  const text = table(
    shown,
    [
      { header: rowLabel, value: (r) => r.row ?? r.index, align: 'right' as const },
      ...(hasAccount ? [{ header: 'ACCOUNT', value: (r: Rejected) => r.accountId }] : []),
      ...(hasEvent ? [{ header: 'EVENT', value: (r: Rejected) => r.eventId }] : []),
      { header: 'ERRORS', value: (r) => describeErrors(r), colour: () => 'red' as const },
    ],
    out.paint,
  );
  return rejected.length > limit
    ? `${text}... and ${rejected.length - limit} more (use --json for all)\n`
    : text;
}

export function intFlag(
  value: string | undefined,
  name: string,
  { min, max }: { min?: number; max?: number } = {},
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (
    value.trim() === '' ||
    !Number.isFinite(n) ||
    (min !== undefined && n < min) ||
    (max !== undefined && n > max)
  ) {
    const range =
      min !== undefined && max !== undefined
        ? ` between ${min} and ${max}`
        : min !== undefined
          ? ` >= ${min}`
          : '';
    throw usageError(`--${name} expects a number${range}, got "${value}"`);
  }
  return n;
}

/** A string flag the command cannot run without: a usage error (`missing --NAME`, the hint) when absent. */
export const requiredStr = (flags: FlagValues, name: string, hint: string): string => {
  const value = str(flags, name);
  if (!value) throw usageError(`missing --${name}`, hint);
  return value;
};

/** A STATUS column, its cells coloured by the status, e.g. `{ failed: 'red', sent: 'green' }`. */
export function statusColumn<T extends { status?: string }>(
  colours: Readonly<Record<string, Colour>>,
): Column<T> {
  const byStatus = new Map(Object.entries(colours));
  return {
    header: 'STATUS',
    value: (row) => row.status,
    colour: (row) => (row.status === undefined ? undefined : byStatus.get(row.status)),
  };
}

export const positiveInt = (value: string | undefined, name: string): number | undefined => {
  const n = intFlag(value, name, { min: 1 });
  if (n !== undefined && !Number.isInteger(n))
    throw usageError(`--${name} expects a whole number, got "${value}"`);
  return n;
};

/** The file line of a document path (`steps.2.after`), for YAML and JSON files. */
export function lineOfPath(file: InputFile, path: readonly (string | number)[]): number | undefined {
  if (file.format !== 'yaml' && file.format !== 'json') return undefined;
  const lineCounter = new LineCounter();
  const doc = parseDocument(file.text, { lineCounter });
  type Ranged = { range?: [number, number, number] | null } | null | undefined;
  let node: unknown = doc.contents;
  let lastRange: [number, number, number] | undefined;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => String((p.key as { value?: unknown } | null)?.value) === String(key),
      );
      if (!pair) break;
      lastRange = (pair.key as Ranged)?.range ?? lastRange;
      node = pair.value;
    } else if (isSeq(node)) {
      const item: unknown = node.items[Number(key)];
      if (!item) break;
      lastRange = (item as Ranged)?.range ?? lastRange;
      node = item;
    } else break;
  }
  return lastRange ? lineCounter.linePos(lastRange[0]).line : undefined;
}

/** Adds `(FILE:LINE)` to the server's field details when the path can be found in the file. */
export function withFileLines(err: unknown, file: InputFile): unknown {
  if (!(err instanceof CliError) || !Array.isArray(err.apiError?.details)) return err;
  const details = err.apiError.details as FieldError[];
  const lines = details.map((d) => {
    const path = Array.isArray(d.path) ? d.path : typeof d.path === 'string' ? d.path.split('.') : [];
    const where = path.length ? path.join('.') : undefined;
    const line = path.length ? lineOfPath(file, path) : undefined;
    return `${where ? `${where}: ` : ''}${d.message ?? ''}${line ? ` (${file.path}:${line})` : ''}`;
  });
  return new CliError(err.exitCode, err.message, lines, err.apiError, err.status);
}

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
