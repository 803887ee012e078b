import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../lib/cli/errors';
import { abm, cliSuite, testIo, type FakeApi, type RecordedRequest } from '../support/cli';

const HEADER =
  'accountId,name,domain,industry,employees,annualRevenueUsd,region,tier,cluster,ownerSdr,contactId,contactName,email,title,role,timeZone,phone';
const row = (account: string, contact: string, email: string, title = 'VP'): string =>
  `${account},${account} Inc,${account}.example,retail,100,1000,NA,1,,sdr-ana,${contact},${contact} Name,${email},${title},champion,America/Chicago,`;

// File lines: the header is line 1; a2's quoted title spans lines 4-5; a1 comes back on line 10.
const CSV = [
  HEADER, // line 1
  row('a1', 'c1', 'c1@a1.example'), // line 2
  row('a1', 'c2', 'c2@a1.example'), // line 3
  row('a2', 'c3', 'broken', '"Head of\nOps, EMEA"'), // lines 4-5 (rejected: reported as line 5)
  row('a3', 'c4', 'not-an-email'), // line 6 (rejected)
  row('a3', 'c5', 'c5@a3.example'), // line 7
  row('a4', 'c6', 'c6@a4.example'), // line 8
  row('a5', 'c7', 'broken'), // line 9 (rejected)
  row('a1', 'c8', 'c8@a1.example'), // line 10
].join('\n');

/**
 * Like the real import endpoint (functions/api/csv.ts): rows are numbered by their line in the
 * request body as csv-parse counts them (header = line 1, a multi-line record by its last line).
 * Rejects rows whose email has no @.
 */
function importRoute(req: RecordedRequest) {
  const records = parse(req.body, { info: true, relax_column_count: true }) as unknown as {
    record: string[];
    info: { lines: number };
  }[];
  const header = records[0]!.record;
  const accounts = new Set<string>();
  const rejected: { row: number; errors: { path: string; message: string }[] }[] = [];
  for (const { record, info } of records.slice(1)) {
    const r = Object.fromEntries(header.map((h, i) => [h, record[i]]));
    if (!r.email?.includes('@'))
      rejected.push({ row: info.lines, errors: [{ path: 'contacts.0.email', message: 'Invalid email' }] });
    else accounts.add(r.accountId!);
  }
  return { body: { imported: accounts.size, updated: 0, rejected } };
}

describe('abm accounts import', () => {
  let api: FakeApi;
  let dir: string;
  cliSuite((suite) => ({ api, dir } = suite));

  it('sends a CSV in chunks, keeps an account in one chunk, aggregates and re-bases rejected rows to file lines', async () => {
    api.on('POST /accounts/import', importRoute);
    const file = join(dir, 'accounts.csv');
    await writeFile(file, CSV);
    const io = testIo({ stderrTTY: true });
    const { code, stdout, stderr } = await abm(api, ['accounts', 'import', file, '--chunk-size', '2'], io);

    expect(code).toBe(ExitCode.Partial);
    // a1's three rows (line 10 too) in one request although a chunk is 2 rows; a2 alone (adding a3's
    // two rows would overflow); a3; a4 and a5.
    expect(
      api.requests.map((r) =>
        (parse(r.body, { columns: true }) as { contactId: string }[]).map((x) => x.contactId),
      ),
    ).toEqual([['c1', 'c2', 'c8'], ['c3'], ['c4', 'c5'], ['c6', 'c7']]);
    for (const r of api.requests) {
      expect(r.headers['content-type']).toBe('text/csv');
      expect(r.body.split('\n')[0]).toBe(HEADER);
    }
    // The multi-line quoted field survives re-serialisation.
    expect((parse(api.requests[1]!.body, { columns: true }) as { title: string }[])[0]!.title).toBe(
      'Head of\nOps, EMEA',
    );
    expect(stdout).toContain('3 imported, 0 updated, 3 rejected (8 rows, 4 requests)');
    expect(stdout).toMatch(/LINE\s+ACCOUNT\s+ERRORS/);
    expect(stdout).toMatch(/ 5\s+a2\s+contacts\.0\.email: Invalid email/);
    expect(stdout).toMatch(/ 6\s+a3\s+contacts\.0\.email: Invalid email/);
    expect(stdout).toMatch(/ 9\s+a5\s+contacts\.0\.email: Invalid email/);
    // A progress bar on a TTY stderr, ending at 100 %.
    expect(stderr).toContain('\r[');
    expect(stderr).toContain('100% 8/8 rows');
  });

  it('prints machine output with --json and no progress bar when stderr is not a TTY', async () => {
    api.on('POST /accounts/import', importRoute);
    const file = join(dir, 'accounts2.csv');
    await writeFile(file, CSV);
    const { code, stdout, stderr } = await abm(api, [
      'accounts',
      'import',
      file,
      '--chunk-size',
      '3',
      '--json',
    ]);
    expect(code).toBe(ExitCode.Partial);
    expect(stderr).toBe('');
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ rows: 8, imported: 3, updated: 0, requests: 3 });
    // Request 2 holds a2 (a two-line record, reported by the server as its line 3) and a3: mapped
    // back to the file's lines 5 and 6.
    expect(result.rejected.map((r: { row: number; accountId: string }) => [r.row, r.accountId])).toEqual([
      [5, 'a2'],
      [6, 'a3'],
      [9, 'a5'],
    ]);
  });

  it('sends JSON files as {accounts:[...]} chunks and re-bases rejected rows', async () => {
    api.on('POST /accounts/import', (req) => {
      const accounts = (req.json as { accounts: { accountId: string }[] }).accounts;
      return {
        body: {
          imported: accounts.filter((a) => a.accountId !== 'bad').length,
          updated: 1,
          rejected: accounts.flatMap((a, i) =>
            a.accountId === 'bad' ? [{ row: i + 1, errors: [{ path: 'domain', message: 'required' }] }] : [],
          ),
        },
      };
    });
    const accounts = ['n1', 'n2', 'n3', 'bad', 'n5'].map((accountId) => ({
      accountId,
      name: accountId,
      domain: `${accountId}.example`,
    }));
    const file = join(dir, 'accounts.json');
    await writeFile(file, JSON.stringify({ accounts }));
    const { code, stdout } = await abm(api, ['accounts', 'import', file, '--chunk-size', '2', '--json']);
    expect(code).toBe(ExitCode.Partial);
    expect(api.requests.map((r) => (r.json as { accounts: unknown[] }).accounts.length)).toEqual([2, 2, 1]);
    expect(api.requests.every((r) => r.headers['content-type'] === 'application/json')).toBe(true);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ imported: 4, updated: 3, requests: 3 });
    expect(result.rejected).toEqual([
      { row: 4, accountId: 'bad', errors: [{ path: 'domain', message: 'required' }] },
    ]);
  });

  it('exits 0 when every row lands', async () => {
    api.on('POST /accounts/import', { body: { imported: 1, updated: 0, rejected: [] } });
    const file = join(dir, 'one.csv');
    await writeFile(file, `${HEADER}\n${row('a1', 'c1', 'c1@a1.example')}\n`);
    const { code, stdout } = await abm(api, ['accounts', 'import', file]);
    expect(code).toBe(ExitCode.Ok);
    expect(stdout).toContain('1 imported, 0 updated, 0 rejected (1 row, 1 request)');
  });

  it('stops at a failing chunk and says which rows were not imported', async () => {
    let n = 0;
    api.on('POST /accounts/import', () =>
      ++n === 2
        ? { status: 503, body: { error: { code: 'unavailable', message: 'table busy' } } }
        : { body: { imported: 2, updated: 0, rejected: [] } },
    );
    const file = join(dir, 'accounts3.csv');
    await writeFile(file, CSV);
    const { code, stderr } = await abm(api, ['accounts', 'import', file, '--chunk-size', '2']);
    expect(code).toBe(ExitCode.ServerError);
    expect(stderr).toContain('unavailable: table busy');
    expect(stderr).toContain('request 2 of 4 failed: 5 of 8 rows were not imported');
    expect(api.requests).toHaveLength(2);
  });

  it('reports a rejection every request repeats (a bad header) once', async () => {
    api.on('POST /accounts/import', {
      body: {
        imported: 0,
        updated: 0,
        rejected: [{ row: 1, errors: [{ path: 'colour', message: 'unknown column' }] }],
      },
    });
    const file = join(dir, 'badheader.csv');
    await writeFile(
      file,
      `${HEADER},colour\n${row('a1', 'c1', 'c1@a1.example')},red\n${row('a2', 'c2', 'c2@a2.example')},blue\n`,
    );
    const { code, stdout } = await abm(api, ['accounts', 'import', file, '--chunk-size', '1', '--json']);
    expect(code).toBe(ExitCode.Partial);
    expect(api.requests).toHaveLength(2);
    expect(JSON.parse(stdout).rejected).toEqual([
      { row: 1, errors: [{ path: 'colour', message: 'unknown column' }] },
    ]);
  });

  it('leaves a row with a wrong field count to the server, which rejects it by line', async () => {
    api.on('POST /accounts/import', importRoute);
    const file = join(dir, 'ragged.csv');
    await writeFile(file, `${HEADER}\n${row('a1', 'c1', 'c1@a1.example')}\na2,only,three\n`);
    const { code, stdout } = await abm(api, ['accounts', 'import', file, '--json']);
    expect(code).toBe(ExitCode.Partial);
    expect(JSON.parse(stdout).rejected).toEqual([
      { row: 3, accountId: 'a2', errors: [{ path: 'contacts.0.email', message: 'Invalid email' }] },
    ]);
  });
});
