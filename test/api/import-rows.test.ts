/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies are read loosely in tests */
/**
 * Good rows always land (docs/api.md "Import rows"): one oversized or invalid row is rejected alone,
 * conflicting account values in later CSV rows are rejected by row, a row without an account id
 * joins the account that has its domain, and a quoted value over two lines survives a malformed
 * row elsewhere in the file.
 */
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../functions/api/csv';
import { keys, type PrimaryKey } from '../../functions/platform/store/keys';
import type { Item } from '../../functions/platform/store/table';
import { account, startHarness } from '../support/api';
import { useHarness } from '../support/suite';

const h = useHarness(() => startHarness());

const HEADER = 'accountId,name,domain,industry,tier,contactId,contactName,email,role';
const csvRow = (...cells: string[]) => cells.join(',');
const ONE_MB = 1024 * 1024;

/** Every account stored with this domain (the domain index). */
async function accountsWithDomain(domain: string): Promise<string[]> {
  const items = await h.table.queryAll({ index: 'gsi1', pk: `DOMAIN#${domain}` });
  return items.map((i) => String(i.accountId)).sort();
}

describe('an oversized or invalid row is rejected alone', () => {
  it('JSON: a 1 MB industry in one row rejects that row; the two valid rows land', async () => {
    const res = await h.call('POST', '/accounts/import', {
      body: {
        accounts: [account(101), account(102, { industry: 'x'.repeat(ONE_MB) }), account(103)],
      },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ imported: 2, updated: 0 });
    expect(res.json.rejected).toHaveLength(1);
    expect(res.json.rejected[0]).toMatchObject({ row: 2, accountId: 'acct-00102' });
    expect(res.json.rejected[0].errors[0].path).toBe('industry');
    expect(await h.store.accounts.get('acct-00101')).toBeDefined();
    expect(await h.store.accounts.get('acct-00103')).toBeDefined();
    expect(await h.store.accounts.get('acct-00102')).toBeUndefined();
  });

  it('JSON: a contact that would not fit in an item rejects its row only', async () => {
    const huge = {
      contactId: 'big',
      name: 'Big',
      role: 'champion',
      postalAddress: { line1: 'y'.repeat(450 * 1024), city: 'Chicago', postalCode: '60601', country: 'US' },
    };
    const res = await h.call('POST', '/accounts/import', {
      body: { accounts: [account(111), account(112, { contacts: [huge] }), account(113)] },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ imported: 2 });
    expect(res.json.rejected).toHaveLength(1);
    expect(res.json.rejected[0].row).toBe(2);
    expect(res.json.rejected[0].errors[0].path).toMatch(/^contacts\.0\./);
    expect(await h.store.accounts.get('acct-00112')).toBeUndefined();
  });

  it('JSON: an update that would grow the stored item past 400 KB rejects that row only', async () => {
    // The stored item is near the limit (an attribute the API does not show); the row fits on its
    // own, the merge does not: DynamoDB refuses the write and only this row is rejected.
    await h.call('POST', '/accounts/import', { body: { accounts: [account(121)] } });
    const stored = await h.table.get(keys.account('acct-00121'));
    await h.table.put({ ...(stored as Item & PrimaryKey), legacyNotes: 'n'.repeat(395 * 1024) });
    const res = await h.call('POST', '/accounts/import', {
      body: {
        accounts: [
          account(122),
          account(121, { name: 'Renamed', region: 'r'.repeat(8 * 1024) }),
          account(123),
        ],
      },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ imported: 2, updated: 0 });
    expect(res.json.rejected).toEqual([
      expect.objectContaining({ row: 2, accountId: 'acct-00121', errors: [expect.anything()] }),
    ]);
    expect((await h.store.accounts.get('acct-00121'))?.name).toBe('Account 121');
  });

  it('CSV: a 1 MB value in one row rejects that row; the other rows land', async () => {
    const csv = [
      HEADER,
      csvRow('big-1', 'One', 'one.example', 'retail', '1', 'o1', 'Ola', 'ola@one.example', 'champion'),
      csvRow(
        'big-2',
        'Two',
        'two.example',
        'x'.repeat(ONE_MB),
        '1',
        't1',
        'Tom',
        'tom@two.example',
        'champion',
      ),
      csvRow('big-3', 'Three', 'three.example', 'retail', '1', 'h1', 'Hal', 'hal@three.example', 'champion'),
    ].join('\n');
    const res = await h.call('POST', '/accounts/import', { raw: csv });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ imported: 2, contacts: 2 });
    expect(res.json.rejected).toEqual([
      expect.objectContaining({ row: 3, errors: [expect.objectContaining({ path: 'industry' })] }),
    ]);
    expect(await h.store.accounts.listContacts('big-3')).toHaveLength(1);
  });
});

describe('CSV: the rows of one account', () => {
  it('rejects later rows whose account values conflict with an earlier row, by row number', async () => {
    const csv = [
      HEADER,
      csvRow(
        'cf-1',
        'Northwind',
        'northwind-cf.example',
        'retail',
        '1',
        'a',
        'Ann',
        'ann@nw.example',
        'champion',
      ),
      csvRow(
        'cf-1',
        'Northwind Corp',
        'northwind-cf.example',
        'retail',
        '1',
        'b',
        'Bo',
        'bo@nw.example',
        'champion',
      ),
      csvRow('cf-1', 'Northwind', 'northwind-cf.example', '', '', 'c', 'Cy', 'cy@nw.example', 'end_user'),
      csvRow(
        'cf-1',
        'Northwind',
        'northwind-cf.example',
        'retail',
        '2',
        'd',
        'Di',
        'di@nw.example',
        'end_user',
      ),
    ].join('\n');
    const res = await h.call('POST', '/accounts/import', { raw: csv });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ imported: 1, contacts: 2 });
    expect(res.json.rejected).toEqual([
      {
        row: 3,
        accountId: 'cf-1',
        errors: [{ path: 'name', message: expect.stringMatching(/row 2/) }],
      },
      {
        row: 5,
        accountId: 'cf-1',
        errors: [{ path: 'tier', message: expect.stringMatching(/row 2/) }],
      },
    ]);
    expect(await h.store.accounts.get('cf-1')).toMatchObject({ name: 'Northwind', tier: 1 });
    const contacts = await h.store.accounts.listContacts('cf-1');
    expect(contacts.map((c) => c.contactId)).toEqual(['a', 'c']);
  });

  it('a row without accountId joins the account that has its domain in the file', async () => {
    const csv = [
      HEADER,
      csvRow(
        'fab',
        'Fabrikam',
        'fabrikam-join.example',
        'retail',
        '2',
        'f1',
        'Fay',
        'fay@fab.example',
        'champion',
      ),
      csvRow('', 'Fabrikam', 'Fabrikam-Join.example', '', '', 'f2', 'Fox', 'fox@fab.example', 'end_user'),
    ].join('\n');
    const res = await h.call('POST', '/accounts/import', { raw: csv });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ imported: 1, contacts: 2, rejected: [] });
    expect(await accountsWithDomain('fabrikam-join.example')).toEqual(['fab']);
    expect((await h.store.accounts.listContacts('fab')).map((c) => c.contactId)).toEqual(['f1', 'f2']);
  });

  it('a row without accountId updates the stored account that has its domain; never a second account', async () => {
    await h.call('POST', '/accounts/import', {
      body: {
        accounts: [{ accountId: 'stored-nw', name: 'Stored', domain: 'stored-domain.example', tier: 2 }],
      },
    });
    const csv = [
      HEADER,
      csvRow(
        '',
        'Stored',
        'stored-domain.example',
        'logistics',
        '',
        's1',
        'Sam',
        'sam@sd.example',
        'champion',
      ),
      csvRow('', 'Stored', 'stored-domain.example', '', '', 's2', 'Sue', 'sue@sd.example', 'end_user'),
    ].join('\n');
    const res = await h.call('POST', '/accounts/import', { raw: csv });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ imported: 0, updated: 1, contacts: 2, rejected: [] });
    expect(await accountsWithDomain('stored-domain.example')).toEqual(['stored-nw']);
    expect(await h.store.accounts.get('stored-nw')).toMatchObject({ industry: 'logistics', tier: 2 });
    expect((await h.store.accounts.listContacts('stored-nw')).map((c) => c.contactId)).toEqual(['s1', 's2']);
  });

  it('rows without accountId for a new domain make one account with one generated id', async () => {
    const csv = [
      HEADER,
      csvRow(
        '',
        'Contoso',
        'contoso-gen.example',
        'freight',
        '3',
        'k1',
        'Kim',
        'kim@contoso.example',
        'champion',
      ),
      csvRow('', 'Contoso', 'contoso-gen.example', '', '', 'k2', 'Kai', 'kai@contoso.example', 'end_user'),
      csvRow('', 'Contoso', 'contoso-gen.example', '', '', 'k3', 'Kit', 'kit@contoso.example', 'blocker'),
    ].join('\n');
    const res = await h.call('POST', '/accounts/import', { raw: csv });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ imported: 1, contacts: 3, rejected: [] });
    const ids = await accountsWithDomain('contoso-gen.example');
    expect(ids).toHaveLength(1);
    expect((await h.store.accounts.listContacts(ids[0])).map((c) => c.contactId)).toEqual(['k1', 'k2', 'k3']);
    // Imported again: the same account is updated.
    const again = await h.call('POST', '/accounts/import', { raw: csv });
    expect(again.json).toMatchObject({ imported: 0, updated: 1 });
    expect(await accountsWithDomain('contoso-gen.example')).toEqual(ids);
  });

  it('a generated id already taken by an account of another domain is not reused', async () => {
    await h.call('POST', '/accounts/import', {
      body: {
        accounts: [{ accountId: 'taken-example', name: 'Other', domain: 'other-owner.example', tier: 3 }],
      },
    });
    const res = await h.call('POST', '/accounts/import', {
      raw: [HEADER, csvRow('', 'Taken', 'taken.example', '', '1', '', '', '', '')].join('\n'),
    });
    expect(res.json).toMatchObject({ imported: 1, updated: 0, rejected: [] });
    expect(await h.store.accounts.get('taken-example')).toMatchObject({ name: 'Other' });
    const ids = await accountsWithDomain('taken.example');
    expect(ids).toHaveLength(1);
    expect(ids[0]).not.toBe('taken-example');
  });
});

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
