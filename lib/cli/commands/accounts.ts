/** `abm accounts import FILE` (CSV, JSON or YAML, chunked, with progress) and `abm accounts get ID`. */
import { str, stringOption, type Command, type CommandContext } from '../command';
import { CliError, ExitCode, inputFileError } from '../errors';
import { parseCsvText, parseStructured, readInput, csvLine, type InputFile } from '../files';
import { keyValues, progressLine, table, type Column } from '../format';
import { seg } from '../http';
import { plural, positiveInt, rejectedTable, statusColumn, type Rejected } from './shared';

export const DEFAULT_CHUNK_ROWS = 1000;

interface ImportResponse {
  imported?: number;
  updated?: number;
  rejected?: Rejected[];
}

export interface ImportSummary {
  readonly file: string;
  readonly rows: number;
  readonly requests: number;
  readonly imported: number;
  readonly updated: number;
  /**
   * Re-based to the whole file, numbered as the API numbers them: for CSV the line in the file
   * (the header is line 1), for JSON/YAML the position of the account (from 1).
   */
  readonly rejected: Rejected[];
}

/** One request's worth of rows. */
interface Chunk {
  readonly rows: number;
  readonly body: { contentType: string; text: string } | { json: unknown };
  /**
   * Maps a row number as the server reports it for this request to the number it would have had
   * for the whole file, and the account of that row.
   */
  readonly locate: (serverRow: number) => { row: number; accountId?: string } | undefined;
}

/**
 * Splits a CSV into requests of about `size` data rows, each with the header. All rows of an account
 * go in the same request (the server assembles an account from its contact rows), even when they
 * are not next to each other in the file; an account with more rows than `size` gets a request
 * of its own.
 *
 * The API numbers CSV rows by line in the request body (the header is line 1; a record with quoted
 * newlines is numbered by its last line, as csv-parse counts). Each request's lines are mapped back
 * to the lines of the file.
 */
export function csvChunks(file: InputFile, size: number): Chunk[] {
  const { header, records } = parseCsvText(file.path, file.text);
  const idCol = header.indexOf('accountId');
  if (idCol < 0) {
    throw inputFileError(file.path, `the CSV header has no "accountId" column (got: ${header.join(',')})`, 1);
  }
  const groups = new Map<string, typeof records>();
  records.forEach((r, i) => {
    const id = r.values[idCol]?.trim();
    const key = id ? `id:${id}` : `row:${i}`;
    const group = groups.get(key);
    if (group) group.push(r);
    else groups.set(key, [r]);
  });
  const batches: (typeof records)[] = [];
  let current: typeof records = [];
  for (const group of groups.values()) {
    if (current.length && current.length + group.length > size) {
      batches.push(current);
      current = [];
    }
    current = current.concat(group);
  }
  if (current.length) batches.push(current);

  const headerLine = csvLine(header);
  const headerLines = headerLine.split('\n').length;
  return batches.map((batch) => {
    const lines = [headerLine];
    // chunk line (1-based) -> file record; the header maps to line 1 of the file.
    const byLine = new Map<number, { row: number; accountId?: string }>();
    for (let l = 1; l <= headerLines; l++) byLine.set(l, { row: 1 });
    let next = headerLines + 1;
    for (const r of batch) {
      const text = csvLine(r.values);
      const span = text.split('\n').length;
      const located = { row: r.endLine, accountId: r.values[idCol] || undefined };
      for (let l = next; l < next + span; l++) byLine.set(l, located);
      next += span;
      lines.push(text);
    }
    return {
      rows: batch.length,
      body: { contentType: 'text/csv', text: lines.join('\n') + '\n' },
      locate: (serverRow: number) => byLine.get(serverRow),
    };
  });
}

/** JSON/YAML accounts: the API numbers them from 1 in each request. */
export function jsonChunks(file: InputFile, size: number): Chunk[] {
  const doc = parseStructured(file);
  const accounts = Array.isArray(doc) ? doc : (doc as { accounts?: unknown } | null)?.accounts;
  if (!Array.isArray(accounts)) {
    throw inputFileError(file.path, 'expected {"accounts": [...]} or an array of accounts');
  }
  if (accounts.length === 0) throw inputFileError(file.path, 'no accounts in the file');
  const chunks: Chunk[] = [];
  for (let offset = 0; offset < accounts.length; offset += size) {
    const slice = accounts.slice(offset, offset + size);
    chunks.push({
      rows: slice.length,
      body: { json: { accounts: slice } },
      locate: (serverRow: number) => {
        const account = slice[serverRow - 1] as { accountId?: unknown } | undefined;
        if (!account) return undefined;
        return {
          row: offset + serverRow,
          accountId: typeof account.accountId === 'string' ? account.accountId : undefined,
        };
      },
    });
  }
  return chunks;
}

/** Re-bases the rejected rows of one request to the file, dropping repeats (a bad header is reported by every request). */
export function rebase(rejected: readonly Rejected[], chunk: Chunk, seen: Set<string>): Rejected[] {
  const out: Rejected[] = [];
  for (const r of rejected) {
    const at = typeof r.row === 'number' ? chunk.locate(r.row) : undefined;
    const rebased: Rejected = at ? { ...r, row: at.row, accountId: r.accountId ?? at.accountId } : { ...r };
    if (rebased.accountId === undefined) delete (rebased as { accountId?: string }).accountId;
    const key = JSON.stringify([rebased.row, rebased.errors]);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(rebased);
  }
  return out;
}

async function importAccounts(ctx: CommandContext): Promise<number> {
  const path = ctx.args[0]!;
  const size = positiveInt(str(ctx.flags, 'chunk-size'), 'chunk-size') ?? DEFAULT_CHUNK_ROWS;
  const file = await readInput(path, ctx.io.cwd);
  const chunks = file.format === 'csv' ? csvChunks(file, size) : jsonChunks(file, size);
  const total = chunks.reduce((n, c) => n + c.rows, 0);
  const client = ctx.client();
  const showProgress = Boolean(ctx.io.stderr.isTTY) && !ctx.out.json;
  const seen = new Set<string>();
  const summary = {
    file: path,
    rows: total,
    requests: 0,
    imported: 0,
    updated: 0,
    rejected: [] as Rejected[],
  };
  let done = 0;
  if (showProgress) ctx.io.stderr.write(progressLine(0, total, 'rows'));
  for (const chunk of chunks) {
    try {
      const res = await client.send<ImportResponse>({
        method: 'POST',
        path: '/accounts/import',
        ...('json' in chunk.body ? { json: chunk.body.json } : { rawBody: chunk.body }),
      });
      summary.requests++;
      summary.imported += Number(res.body?.imported ?? 0);
      summary.updated += Number(res.body?.updated ?? 0);
      summary.rejected.push(...rebase(res.body?.rejected ?? [], chunk, seen));
    } catch (err) {
      if (showProgress) ctx.io.stderr.write('\n');
      if (err instanceof CliError && chunks.length > 1) {
        throw new CliError(
          err.exitCode,
          err.message,
          [
            ...err.detailLines,
            `request ${summary.requests + 1} of ${chunks.length} failed: ${total - done} of ${total} rows were not imported (importing again is safe: it upserts)`,
            `before the failure: ${summary.imported} imported, ${summary.updated} updated, ${summary.rejected.length} rejected`,
          ],
          err.apiError,
          err.status,
        );
      }
      throw err;
    }
    done += chunk.rows;
    if (showProgress) ctx.io.stderr.write(progressLine(done, total, 'rows'));
  }
  if (showProgress) ctx.io.stderr.write('\n');
  summary.rejected.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));

  const result: ImportSummary = summary;
  ctx.out.result(result, () => {
    const p = ctx.out.paint;
    const head = `${path}: ${p('green', `${result.imported} imported`)}, ${result.updated} updated, ${
      result.rejected.length ? p('red', `${result.rejected.length} rejected`) : '0 rejected'
    } (${plural(total, 'row')}, ${plural(result.requests, 'request')})`;
    return result.rejected.length
      ? `${head}\n\n${rejectedTable(result.rejected, ctx.out, file.format === 'csv' ? 'LINE' : 'ROW')}`
      : head;
  });
  return result.rejected.length ? ExitCode.Partial : ExitCode.Ok;
}

interface AccountView {
  accountId?: string;
  name?: string;
  domain?: string;
  tier?: number;
  stage?: string;
  ownerSdr?: string;
  fit?: { score?: number; reasons?: string[] };
  score?: { value?: number; asOf?: string } | null;
  mqaProgress?: MqaProgressView;
  contacts?: {
    contactId?: string;
    name?: string;
    role?: string;
    email?: string;
    timeZone?: string;
    title?: string;
  }[];
  enrollments?: { campaignId?: string; sequenceId?: string; status?: string; stepId?: string }[];
  touches?: {
    stepId?: string;
    channel?: string;
    contactId?: string;
    status?: string;
    reason?: string;
    at?: string;
  }[];
}

interface ProgressView {
  value?: number;
  threshold?: number;
  met?: boolean;
}

interface MqaProgressView {
  asOf?: string;
  met?: boolean;
  score?: ProgressView;
  engagedContacts?: ProgressView;
  engagedRoles?: ProgressView & { roles?: string[] };
  keptAtScore?: number;
  engagingTypes?: string[];
  engagedWindow?: string;
}

const oneDecimal = (x: number | undefined) => (x === undefined ? undefined : Math.round(x * 10) / 10);

/** The score as the API states it: decayed to now, with the time it is as of. */
function scoreLine(score: AccountView['score']): string | undefined {
  if (score === null) return 'none yet (no engagement)';
  if (score?.value === undefined) return undefined;
  return `${oneDecimal(score.value)}${score.asOf ? ` (decayed to ${score.asOf})` : ''}`;
}

/** Why (not) MQA: each threshold against the account's engagement now. */
function mqaSection(progress: MqaProgressView | undefined, p: CommandContext['out']['paint']): string[] {
  if (!progress) return [];
  const rows = [
    { name: 'score', ...progress.score, value: oneDecimal(progress.score?.value) },
    { name: 'engaged contacts', ...progress.engagedContacts },
    {
      name: 'engaged roles',
      ...progress.engagedRoles,
      detail: progress.engagedRoles?.roles?.join(', '),
    },
  ];
  const title = `MQA progress (${progress.met ? 'every threshold met' : 'not every threshold met'}, as of ${progress.asOf ?? '?'})`;
  return [
    p('bold', title),
    table(
      rows,
      [
        { header: 'THRESHOLD', value: (r) => r.name },
        { header: 'NOW', value: (r) => r.value, align: 'right' },
        { header: 'NEEDED', value: (r) => r.threshold, align: 'right' },
        { header: 'MET', value: (r) => (r.met ? p('green', 'yes') : p('red', 'no')) },
        { header: 'DETAIL', value: (r) => ('detail' in r ? r.detail : undefined) },
      ],
      p,
    ) +
      `engaging events: ${progress.engagingTypes?.join(', ') || '-'} (within ${progress.engagedWindow ?? '?'})\n` +
      `an MQA account stays MQA while its score is at least ${progress.keptAtScore ?? '?'}\n`,
  ];
}

async function getAccount(ctx: CommandContext): Promise<number> {
  const id = ctx.args[0]!;
  const { body } = await ctx.client().send<AccountView>({ method: 'GET', path: `/accounts/${seg(id)}` });
  ctx.out.result(body, () => {
    const p = ctx.out.paint;
    /** A bold title over a table, or nothing when there are no rows. */
    const section = <T>(title: string, rows: readonly T[] | undefined, columns: Column<T>[]): string[] =>
      rows?.length ? [p('bold', title), table(rows, columns, p)] : [];
    const parts = [
      keyValues(
        [
          ['account', body.accountId],
          ['name', body.name],
          ['domain', body.domain],
          ['tier', body.tier],
          ['stage', body.stage],
          ['owner', body.ownerSdr],
          ['fit', body.fit?.score],
          ['score', scoreLine(body.score)],
        ],
        p,
      ),
      ...mqaSection(body.mqaProgress, p),
      ...section('Contacts', body.contacts, [
        { header: 'CONTACT', value: (c) => c.contactId },
        { header: 'NAME', value: (c) => c.name },
        { header: 'ROLE', value: (c) => c.role },
        { header: 'TITLE', value: (c) => c.title },
        { header: 'EMAIL', value: (c) => c.email },
        { header: 'TIME ZONE', value: (c) => c.timeZone },
      ]),
      ...section('Enrollments', body.enrollments, [
        { header: 'CAMPAIGN', value: (e) => e.campaignId },
        { header: 'SEQUENCE', value: (e) => e.sequenceId },
        { header: 'STATUS', value: (e) => e.status },
        { header: 'STEP', value: (e) => e.stepId },
      ]),
      ...section('Recent touches', body.touches, [
        { header: 'AT', value: (t) => t.at },
        { header: 'STEP', value: (t) => t.stepId },
        { header: 'CHANNEL', value: (t) => t.channel },
        { header: 'CONTACT', value: (t) => t.contactId },
        statusColumn({ failed: 'red', sent: 'green' }),
        { header: 'REASON', value: (t) => t.reason },
      ]),
    ];
    return parts.join('\n');
  });
  return ExitCode.Ok;
}

export const accountCommands: Command[] = [
  {
    path: ['accounts', 'import'],
    summary: 'import (upsert) accounts and their contacts from a CSV, JSON or YAML file',
    description: [
      'CSV: one row per contact with the account columns repeated (docs/architecture.md "HTTP API"). JSON/YAML:',
      '{"accounts": [...]} or an array. Big files go in chunks (--chunk-size rows per request);',
      'all rows of an account go in the same request. A progress bar shows on stderr when it is a',
      'terminal. Rejected rows are listed by their line in the CSV file (the header is line 1) or',
      'their position in the JSON/YAML list (from 1). Exit code 5 when some rows were rejected (the',
      'good rows are imported).',
    ].join('\n'),
    args: [{ name: 'FILE', required: true, description: 'a .csv, .json or .yaml file' }],
    options: {
      'chunk-size': stringOption('N', `rows per request (default ${DEFAULT_CHUNK_ROWS})`),
    },
    examples: ['abm accounts import accounts.csv', 'abm accounts import accounts.json --json'],
    run: importAccounts,
  },
  {
    path: ['accounts', 'get'],
    summary:
      'show one account: profile, fit, score (decayed to now), stage, MQA progress, contacts, enrollments, recent touches',
    args: [{ name: 'ACCOUNT_ID', required: true, description: 'the account id' }],
    examples: ['abm accounts get northwind-retail'],
    run: getAccount,
  },
];
