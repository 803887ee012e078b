/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies are read loosely in tests */
/**
 * Good rows always land (docs/api.md "Import rows"): one oversized or invalid row is rejected alone,
 * conflicting account values in later CSV rows are rejected by row, a row without an account id
 * joins the account that has its domain, and a quoted value over two lines survives a malformed
 * row elsewhere in the file.
 */
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../functions/api/csv';
import { startHarness } from '../support/api';
import { useHarness } from '../support/suite';

const h = useHarness(() => startHarness());

const HEADER = 'accountId,name,domain,industry,tier,contactId,contactName,email,role';
const csvRow = (...cells: string[]) => cells.join(',');

describe('CSV: a quoted value over two lines and a malformed row', () => {
  const file = [
    HEADER, // 1
    csvRow('ml-bad', '"Unclosed', 'bad.example', 'retail', '1', '', '', '', ''), // 2
    csvRow('ml-1', '"Two', ''), // 3: the record goes on at line 4
    `line name",ml-one.example,retail,1,m1,"Mo`, // 4
    `Lee",mo@ml.example,champion`, // 5
    csvRow('ml-2', 'Fine', 'ml-two.example', 'retail', '1', 'm2', 'Ray', 'ray@ml.example', 'end_user'), // 6
  ].join('\n');

  it('parseCsv: keeps the multi-line record whole and rejects the bad line alone', () => {
    const parsed = parseCsv(file);
    expect(parsed.rejected).toEqual([
      { row: 2, errors: [{ path: '', message: expect.stringMatching(/malformed CSV/) }] },
    ]);
    expect(parsed.rows.map((r) => [r.line, r.fields.accountId, r.fields.name])).toEqual([
      [5, 'ml-1', 'Two,\nline name'],
      [6, 'ml-2', 'Fine'],
    ]);
    expect(parsed.rows[0].fields.contactName).toBe('Mo\nLee');
  });

  it('imports the multi-line row and the good rows; only the malformed row is rejected', async () => {
    const res = await h.call('POST', '/accounts/import', { raw: file });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ imported: 2, contacts: 2 });
    expect(res.json.rejected.map((r: any) => r.row)).toEqual([2]);
    expect((await h.store.accounts.get('ml-1'))?.name).toBe('Two,\nline name');
    expect((await h.store.accounts.getContact('ml-1', 'm1'))?.name).toBe('Mo\nLee');
  });

  it('a runaway quote that closes rows later (into a record of the wrong width) swallows no row', () => {
    const parsed = parseCsv(
      [
        HEADER, // 1
        csvRow('rw-1', '"Runaway', 'rw.example', 'retail', '1', '', '', '', ''), // 2
        csvRow('rw-2', 'Kept', 'rw2.example', 'retail', '1', '', '', '', ''), // 3
        csvRow('rw-3', 'x"', 'rw3.example', 'retail'), // 4: its quote "closes" line 2's
        csvRow('rw-4', 'Also kept', 'rw4.example', 'retail', '1', '', '', '', ''), // 5
      ].join('\n'),
    );
    expect(parsed.rows.map((r) => r.fields.accountId)).toEqual(['rw-2', 'rw-4']);
    expect(parsed.rejected.map((r) => r.row)).toEqual([2, 4]);
  });
});
