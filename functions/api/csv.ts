/**
 * CSV import rows (docs/architecture.md "HTTP API", docs/api.md "Import rows"): one row per contact,
 * account columns repeated. Parsed with csv-parse (quoted fields, BOM, CRLF). A row that does not
 * parse is rejected with its line number and the others still land: when the file as a whole does
 * not parse (an unbalanced quote), its records are read one at a time by where the quotes say they
 * end, and a bad one costs only its first line (`recoverRecords`), so one bad row cannot take the
 * rest of the file with it, nor break a quoted value that spans lines.
 */
import { parse } from 'csv-parse/sync';
import type { ErrorDetail } from '../kernel/errors';

export const CSV_COLUMNS = [
  'accountId',
  'name',
  'domain',
  'industry',
  'employees',
  'annualRevenueUsd',
  'region',
  'tier',
  'cluster',
  'ownerSdr',
  'contactId',
  'contactName',
  'email',
  'title',
  'role',
  'timeZone',
  'phone',
] as const;
/** Accepted as well: techStack ("a;b"), consentEmail, consentAds, consentDirectMail (true/false/yes/no/1/0). */
export const OPTIONAL_CSV_COLUMNS = [
  'techStack',
  'consentEmail',
  'consentAds',
  'consentDirectMail',
  'directMailBudgetCents',
] as const;

export interface CsvRow {
  /** Line number in the file (the header is line 1). */
  line: number;
  fields: Record<string, string>;
}

export interface CsvParseResult {
  rows: CsvRow[];
  rejected: { row: number; errors: ErrorDetail[] }[];
}

type Record_ = { record: string[]; info: { lines: number } };

function parseRecords(text: string): Record_[] {
  return parse(text, {
    bom: true,
    relax_column_count: true,
    info: true,
    skip_empty_lines: true,
  }) as unknown as Record_[];
}

export function parseCsv(text: string): CsvParseResult {
  const rejected: CsvParseResult['rejected'] = [];
  let records: Record_[];
  try {
    records = parseRecords(text);
    // A runaway quote can still parse, as one record over several lines with the wrong number of
    // fields: recover line by line instead, so it does not swallow the rows it spans.
    const width = records[0]?.record.length;
    if (records.some((r) => r.record.length !== width && r.record.some((f) => /[\r\n]/.test(f))))
      throw new Error('a multi-line record has the wrong number of fields');
  } catch {
    records = recoverRecords(text.replace(/^\uFEFF/, ''), rejected);
  }
  if (records.length === 0) return { rows: [], rejected };
  const header = records[0].record.map((h) => h.trim());
  const known = new Set<string>([...CSV_COLUMNS, ...OPTIONAL_CSV_COLUMNS]);
  const unknown = header.filter((h) => !known.has(h));
  const missing = ['name', 'domain'].filter((c) => !header.includes(c));
  if (unknown.length > 0 || missing.length > 0) {
    rejected.push({
      row: records[0].info.lines,
      errors: [
        ...unknown.map((h) => ({
          path: h,
          message: `unknown column; columns are ${[...CSV_COLUMNS, ...OPTIONAL_CSV_COLUMNS].join(',')}`,
        })),
        ...missing.map((h) => ({ path: h, message: 'required column is missing' })),
      ],
    });
    return { rows: [], rejected };
  }
  const rows: CsvRow[] = [];
  for (const { record, info } of records.slice(1)) {
    if (record.length !== header.length) {
      rejected.push({
        row: info.lines,
        errors: [{ path: '', message: `row has ${record.length} fields; the header has ${header.length}` }],
      });
      continue;
    }
    const fields: Record<string, string> = {};
    header.forEach((h, i) => {
      const v = record[i].trim();
      if (v !== '') fields[h] = v;
    });
    rows.push({ line: info.lines, fields });
  }
  return { rows, rejected };
}

/** Where one record of the text begins and ends, as the quotes say (RFC 4180). */
interface Span {
  /** Offsets of the record's text (without its line break) and of what follows it. */
  start: number;
  end: number;
  next: number;
  firstLine: number;
  lastLine: number;
  /** The text ended inside a quoted field. */
  unclosed: boolean;
}

/**
 * The record that starts at `pos`: up to the first line break outside a quoted field. A field is
 * quoted only when its first character is a quote (a quote elsewhere is left to csv-parse to
 * reject), and `""` inside a quoted field is a quote.
 */
function spanAt(text: string, pos: number, line: number): Span {
  let l = line;
  let inQuote = false;
  let fieldStart = true;
  for (let i = pos; i < text.length; i++) {
    const c = text[i];
    const lineBreak = c === '\n' || (c === '\r' && text[i + 1] !== '\n');
    if (inQuote) {
      if (c === '"') {
        if (text[i + 1] === '"') i++;
        else inQuote = false;
      } else if (lineBreak) l++;
      continue;
    }
    if (c === '\r' || c === '\n') {
      const next = c === '\r' && text[i + 1] === '\n' ? i + 2 : i + 1;
      return { start: pos, end: i, next, firstLine: line, lastLine: l, unclosed: false };
    }
    if (c === '"' && fieldStart) inQuote = true;
    fieldStart = c === ',';
  }
  return { start: pos, end: text.length, next: text.length, firstLine: line, lastLine: l, unclosed: inQuote };
}

/** The offset after the physical line that starts at `pos`. */
function afterLine(text: string, pos: number): number {
  const m = /\r\n|\r|\n/g;
  m.lastIndex = pos;
  const found = m.exec(text);
  return found ? found.index + found[0].length : text.length;
}

/**
 * The records of a file that does not parse as a whole, one at a time, each numbered by its last
 * line as csv-parse numbers them. A record that does not parse, or that spans several lines and has
 * the wrong number of fields (an unbalanced quote that ran into the next rows), costs only its first
 * line: that line is rejected and reading resumes on the next one. So a quoted value over two lines
 * survives a malformed row elsewhere, and a malformed row takes no other row with it.
 */
function recoverRecords(text: string, rejected: CsvParseResult['rejected']): Record_[] {
  const records: Record_[] = [];
  const reject = (row: number, message: string) =>
    rejected.push({ row, errors: [{ path: '', message: `malformed CSV: ${message}` }] });
  let pos = 0;
  let line = 1;
  let width: number | undefined;
  while (pos < text.length) {
    const span = spanAt(text, pos, line);
    const raw = text.slice(span.start, span.end);
    const multiLine = span.lastLine > span.firstLine;
    const skipLine = (message: string) => {
      reject(span.firstLine, message);
      pos = afterLine(text, span.start);
      line = span.firstLine + 1;
    };
    if (span.unclosed) {
      skipLine('a quoted field is not closed');
      continue;
    }
    if (raw.trim() !== '') {
      let record: string[] | undefined;
      try {
        record = (parse(raw, { relax_column_count: true }) as string[][])[0];
      } catch (e) {
        skipLine((e as Error).message);
        continue;
      }
      if (record && multiLine && width !== undefined && record.length !== width) {
        skipLine(
          `a quoted field runs over ${span.lastLine - span.firstLine + 1} lines into a record of ${record.length} fields; the header has ${width}`,
        );
        continue;
      }
      if (record) {
        width ??= record.length;
        records.push({ record, info: { lines: span.lastLine } });
      }
    }
    pos = span.next;
    line = span.lastLine + 1;
  }
  return records;
}

const num = (v: string | undefined): number | string | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v.replace(/_/g, ''));
  return Number.isFinite(n) ? n : v; // a non-number is left for zod to reject with a clear message
};
const bool = (v: string | undefined): boolean | string | undefined => {
  if (v === undefined) return undefined;
  const l = v.toLowerCase();
  if (['true', 'yes', '1', 'y'].includes(l)) return true;
  if (['false', 'no', '0', 'n'].includes(l)) return false;
  return v;
};

/** The account half of a row, shaped like an ImportAccount (without contacts). */
export function accountOfRow(f: Record<string, string>): Record<string, unknown> {
  return {
    accountId: f.accountId,
    name: f.name,
    domain: f.domain,
    industry: f.industry,
    employees: num(f.employees),
    annualRevenueUsd: num(f.annualRevenueUsd),
    region: f.region,
    tier: num(f.tier),
    cluster: f.cluster,
    ownerSdr: f.ownerSdr,
    directMailBudgetCents: num(f.directMailBudgetCents),
    techStack: f.techStack
      ? f.techStack
          .split(/[;|]/)
          .map((t) => t.trim())
          .filter(Boolean)
      : undefined,
  };
}

/** The contact half of a row, or undefined when the row names no contact. */
export function contactOfRow(f: Record<string, string>): Record<string, unknown> | undefined {
  if (!f.contactId && !f.contactName && !f.email) return undefined;
  const consent =
    f.consentEmail !== undefined || f.consentAds !== undefined || f.consentDirectMail !== undefined
      ? {
          email: bool(f.consentEmail) ?? false,
          ads: bool(f.consentAds) ?? false,
          directMail: bool(f.consentDirectMail) ?? false,
        }
      : undefined;
  return {
    contactId: f.contactId,
    name: f.contactName,
    email: f.email,
    title: f.title,
    role: f.role,
    timeZone: f.timeZone,
    phone: f.phone,
    consent,
  };
}
