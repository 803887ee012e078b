/**
 * Reading input files (CSV, JSON, JSON Lines, YAML). Every failure is a CliError with exit code 6
 * naming the path, and the line (and column) where the parser can tell.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { inputFileError } from './errors';

export type FileFormat = 'csv' | 'json' | 'jsonl' | 'yaml';

export interface InputFile {
  /** As the user typed it (used in messages). */
  readonly path: string;
  readonly text: string;
  readonly format: FileFormat;
}

export function formatOf(path: string, text: string): FileFormat {
  const lower = path.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'yaml';
  const head = text.trimStart();
  if (head.startsWith('{') || head.startsWith('[')) return 'json';
  return 'yaml';
}

export async function readInput(path: string, cwd: string): Promise<InputFile> {
  const full = isAbsolute(path) ? path : resolve(cwd, path);
  let text: string;
  try {
    text = await readFile(full, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'is a directory, expected a file'
            : `cannot read (${code ?? String(err)})`;
    throw inputFileError(path, why);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { path, text, format: formatOf(path, text) };
}

/** Line and column (1-based) of a character offset. */
export function lineCol(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, col: offset - before.lastIndexOf('\n') };
}

export function parseJsonText(path: string, text: string, lineOffset = 0): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const pos = /position (\d+)/.exec(message);
    if (pos) {
      const { line, col } = lineCol(text, Number(pos[1]));
      throw inputFileError(path, `invalid JSON at column ${col}: ${message}`, line + lineOffset);
    }
    throw inputFileError(path, `invalid JSON: ${message}`, lineOffset ? lineOffset + 1 : undefined);
  }
}

/** JSON, JSON Lines or YAML into a value. */
export function parseStructured(file: InputFile): unknown {
  switch (file.format) {
    case 'json':
      return parseJsonText(file.path, file.text);
    case 'jsonl':
      return file.text
        .split('\n')
        .map((line, i) => ({ line, i }))
        .filter(({ line }) => line.trim() !== '')
        .map(({ line, i }) => parseJsonText(file.path, line, i));
    case 'yaml':
      try {
        return parseYaml(file.text, { prettyErrors: true });
      } catch (err) {
        if (err instanceof YAMLParseError) {
          const pos = err.linePos?.[0];
          throw inputFileError(file.path, `invalid YAML: ${err.message.split('\n')[0]}`, pos?.line);
        }
        throw inputFileError(file.path, `invalid YAML: ${String(err)}`);
      }
    case 'csv':
      throw inputFileError(file.path, 'expected JSON or YAML, got a CSV file');
  }
}

export interface CsvTable {
  readonly header: string[];
  /** Data records, each with the file lines it starts and ends on (they differ for quoted newlines). */
  readonly records: { readonly values: string[]; readonly line: number; readonly endLine: number }[];
}

export function parseCsvText(path: string, text: string): CsvTable {
  let rows: { record: string[]; info: { lines: number }; raw?: string }[];
  try {
    rows = parseCsv(text, {
      info: true,
      raw: true,
      skip_empty_lines: true,
      // A row with a wrong number of fields is the server's to reject (the other rows still land);
      // only text that cannot be split into records (an unbalanced quote) is a file error here.
      relax_column_count: true,
      trim: true,
    }) as unknown as { record: string[]; info: { lines: number }; raw?: string }[];
  } catch (err) {
    const e = err as { message?: string; lines?: number };
    throw inputFileError(path, `invalid CSV: ${e.message ?? String(err)}`, e.lines);
  }
  const [first, ...rest] = rows;
  if (!first) throw inputFileError(path, 'empty CSV file: expected a header row and data rows');
  const header = first.record.map((h) => h.trim());
  if (rest.length === 0) throw inputFileError(path, 'the CSV file has a header but no data rows', 2);
  const records = rest.map(({ record, info, raw }) => {
    // info.lines is the line the record ends on; a record spans as many lines as its raw text
    // (which starts with any skipped empty lines).
    const span = (raw ?? '')
      .replace(/^(\r?\n)+/, '')
      .replace(/\r?\n$/, '')
      .split('\n').length;
    return { values: record, line: info.lines - span + 1, endLine: info.lines };
  });
  return { header, records };
}

const needsQuotes = /[",\r\n]|^\s|\s$/;
export const csvField = (value: string): string =>
  needsQuotes.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
export const csvLine = (values: readonly string[]): string => values.map(csvField).join(',');
