/**
 * CSV import rows (docs/architecture.md "HTTP API"): one row per contact, account columns repeated. Parsed with
 * csv-parse (quoted fields, BOM, CRLF). A row that does not parse is rejected with its line number
 * and the others still land: when the file as a whole does not parse (an unbalanced quote), each
 * physical line is parsed on its own, so one bad row cannot take the rest of the file with it.
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
  } catch {
    records = [];
    const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        const [one] = parseRecords(line);
        if (one) records.push({ record: one.record, info: { lines: i + 1 } });
      } catch (e) {
        rejected.push({
          row: i + 1,
          errors: [{ path: '', message: `malformed CSV: ${(e as Error).message}` }],
        });
      }
    });
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
