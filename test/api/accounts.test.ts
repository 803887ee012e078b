/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies are read loosely in tests */
import { describe, expect, it } from 'vitest';
import { account, expectErrorShape, startHarness } from '../support/api';
import { useHarness } from '../support/suite';

const h = useHarness(() => startHarness());

const HEADER =
  'accountId,name,domain,industry,employees,annualRevenueUsd,region,tier,cluster,ownerSdr,contactId,contactName,email,title,role,timeZone,phone';

describe('POST /accounts/import (JSON)', () => {
  it('imports accounts with contacts, computes fit and suggested tier, and reports bad rows by row and field', async () => {
    const { tier: _t, ...noTier } = account(1);
    const res = await h.call('POST', '/accounts/import', {
      body: {
        accounts: [
          noTier,
          account(2),
          account(3, { contacts: [{ contactId: 'x', name: 'X', email: 'not-an-email', role: 'champion' }] }),
          { name: 'No domain' },
        ],
      },
    });
    expect(res.status).toBe(200);
    expect(res.json.imported).toBe(2);
    expect(res.json.updated).toBe(0);
    expect(res.json.rejected).toEqual([
      { row: 3, accountId: 'acct-00003', errors: [expect.objectContaining({ path: 'contacts.0.email' })] },
      { row: 4, errors: expect.arrayContaining([expect.objectContaining({ path: 'domain' })]) },
    ]);
    const a1 = await h.store.accounts.get('acct-00001');
    expect(a1?.fit?.score).toBe(100);
    expect(a1?.tier).toBe(1); // suggested tier from the fit
    expect(await h.store.accounts.get('acct-00003')).toBeUndefined();
    expect(await h.store.accounts.listContacts('acct-00002')).toHaveLength(2);
  });

  it('upserts: by account id (updated, stage kept) and by domain when the id is left out', async () => {
    await h.store.accounts.update('acct-00002', (a) => ({ ...a, stage: 'engaged' }));
    const { accountId: _id, ...byDomain } = account(1, { name: 'Renamed by domain' });
    const res = await h.call('POST', '/accounts/import', {
      body: { accounts: [account(2, { name: 'Renamed' }), byDomain] },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ imported: 0, updated: 2, rejected: [] });
    const a2 = await h.store.accounts.get('acct-00002');
    expect(a2).toMatchObject({ name: 'Renamed', stage: 'engaged' });
    expect((await h.store.accounts.get('acct-00001'))?.name).toBe('Renamed by domain');
  });

  it('keeps an unsubscribe when a contact is re-imported', async () => {
    await h.store.accounts.markContactUnsubscribed('acct-00002', 'acct-00002-eb', '2026-11-01T00:00:00.000Z');
    await h.call('POST', '/accounts/import', { body: { accounts: [account(2)] } });
    expect((await h.store.accounts.getContact('acct-00002', 'acct-00002-eb'))?.unsubscribedAt).toBe(
      '2026-11-01T00:00:00.000Z',
    );
  });

  it.each([
    ['missing field', { nothing: true }, 'body.accounts'],
    ['wrong type', { accounts: 'many' }, 'body.accounts'],
    ['empty list', { accounts: [] }, 'body.accounts'],
  ])('answers 400 for %s', async (_name, body, path) => {
    const e = expectErrorShape(await h.call('POST', '/accounts/import', { body }), 400, 'bad_request');
    expect(e.details.map((d) => d.path)).toContain(path);
  });

  it('rejects an unknown enum value in a row with its path', async () => {
    const res = await h.call('POST', '/accounts/import', {
      body: { accounts: [account(9, { contacts: [{ contactId: 'c', name: 'C', role: 'janitor' }] })] },
    });
    expect(res.status).toBe(200);
    expect(res.json.rejected[0].errors[0].path).toBe('contacts.0.role');
  });

  it('answers 400 for malformed JSON, 415 for another media type, 413 for an oversized body', async () => {
    expectErrorShape(
      await h.call('POST', '/accounts/import', { raw: '{"accounts": [', contentType: 'application/json' }),
      400,
    );
    expectErrorShape(
      await h.call('POST', '/accounts/import', { raw: '<x/>', contentType: 'application/xml' }),
      415,
      'unsupported_media_type',
    );
    const big = 'x'.repeat(6 * 1024 * 1024);
    expectErrorShape(
      await h.call('POST', '/accounts/import', { raw: big, contentType: 'text/csv' }),
      413,
      'payload_too_large',
    );
  });
});

describe('POST /accounts/import (CSV)', () => {
  it('parses quoted fields, a BOM and CRLF; groups contact rows by account; rejects a malformed row by line', async () => {
    const csv =
      '\uFEFF' +
      [
        HEADER,
        'csv-1,"Northwind, Retail",northwind.example,retail,42000,9000000000,NA,1,,sdr-ana,nw-dana,Dana Cole,dana@northwind.example,"VP ""Ops""",economic_buyer,America/Chicago,+13125550100',
        'csv-1,"Northwind, Retail",northwind.example,retail,42000,9000000000,NA,1,,sdr-ana,nw-eli,Eli Park,eli@northwind.example,CTO,technical_evaluator,America/Chicago,',
        'csv-2,Contoso,contoso.example,freight,300,50000000,EU,,,,ct-1,Ann,ann@contoso.example,CFO,wizard,Europe/Berlin,',
        'csv-3,Short,short.example',
        'csv-4,Fabrikam,fabrikam.example,manufacturing,abc,1,EU,2,,,,,,,,,',
      ].join('\r\n') +
      '\r\n';
    const res = await h.call('POST', '/accounts/import', { raw: csv });
    expect(res.status).toBe(200);
    expect(res.json.imported).toBe(2); // csv-1 (two contacts) and csv-2 (its only contact rejected)
    const rows = Object.fromEntries(res.json.rejected.map((r: any) => [r.row, r.errors]));
    expect(rows[4][0].path).toBe('contact.role');
    expect(rows[5][0].message).toMatch(/fields/);
    expect(rows[6][0].path).toBe('employees');
    const nw = await h.store.accounts.get('csv-1');
    expect(nw?.name).toBe('Northwind, Retail');
    const contacts = await h.store.accounts.listContacts('csv-1');
    expect(contacts.map((c) => c.contactId)).toEqual(['nw-dana', 'nw-eli']);
    expect(contacts[0].title).toBe('VP "Ops"');
  });

  it('rejects the bad line of a file with an unbalanced quote and lands the others', async () => {
    const csv = [
      HEADER,
      'q-1,Good,good.example,retail,10,10,NA,3,,,,,,,,,',
      'q-2,"Bad,bad.example,retail,10,10,NA,3,,,,,,,,,',
      'q-3,Fine,fine.example,retail,10,10,NA,3,,,,,,,,,',
    ].join('\n');
    const res = await h.call('POST', '/accounts/import', { raw: csv });
    expect(res.status).toBe(200);
    expect(res.json.imported).toBe(2);
    expect(res.json.rejected).toEqual([
      { row: 3, errors: [expect.objectContaining({ message: expect.stringMatching(/malformed CSV/) })] },
    ]);
  });

  it('reports a row that is bad as an account and as a contact once, with every error', async () => {
    const csv =
      'accountId,name,domain,tier,contactId,contactName,email,role\n' +
      'good,Good,good.example,1,g1,Gail,gail@good.example,champion\n' +
      'bad,Bad,not a domain,7,b1,Bo,not-an-email,cfo\n';
    const res = await h.call('POST', '/accounts/import', { raw: csv });
    expect(res.status).toBe(200);
    expect(res.json.imported).toBe(1);
    expect(res.json.rejected).toHaveLength(1);
    expect(res.json.rejected[0].row).toBe(3);
    expect(res.json.rejected[0].errors.map((e: { path: string }) => e.path).sort()).toEqual(
      ['contact.email', 'contact.role', 'domain', 'tier'].sort(),
    );
  });

  it('answers 400 for a CSV with an unknown column', async () => {
    const res = await h.call('POST', '/accounts/import', { raw: 'name,domain,shoeSize\nA,a.example,9\n' });
    expect(res.status).toBe(200);
    expect(res.json.rejected[0]).toMatchObject({ row: 1, errors: [{ path: 'shoeSize' }] });
  });

  // How fast: `npm run bench -- import` (speed targets are not asserted in unit tests).
  it('imports 10,000 rows in one request', async () => {
    const lines = [HEADER];
    for (let i = 0; i < 10_000; i++) {
      const id = `bulk-${i}`;
      lines.push(
        `${id},Bulk ${i},${id}.example,logistics,${i},1000000,NA,${(i % 3) + 1},,,${id}-c,Person ${i},p${i}@${id}.example,,champion,UTC,`,
      );
    }
    const raw = lines.join('\n');
    expect(Buffer.byteLength(raw)).toBeLessThan(6 * 1024 * 1024);
    const res = await h.call('POST', '/accounts/import', { raw });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ imported: 10_000, updated: 0, contacts: 10_000, rejected: [] });
    expect(await h.store.accounts.get('bulk-9999')).toBeDefined();
  }, 120_000);
});

describe('accounts: read, list, contacts, erasure', () => {
  it('GET /accounts/{id} returns the account with contacts, enrollments and touches; unknown id -> 404', async () => {
    const res = await h.call('GET', '/accounts/acct-00002');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      accountId: 'acct-00002',
      stage: 'engaged',
      score: null,
      enrollments: [],
      touches: [],
    });
    expect(res.json.contacts).toHaveLength(2);
    expectErrorShape(await h.call('GET', '/accounts/nope'), 404, 'not_found');
    expectErrorShape(await h.call('GET', '/accounts/bad%20id'), 400, 'bad_request');
  });

  it('GET /accounts lists by tier and stage with an opaque cursor', async () => {
    const first = await h.call('GET', '/accounts', { query: { tier: '1', limit: '2' } });
    expect(first.status).toBe(200);
    expect(first.json.items).toHaveLength(2);
    expect(typeof first.json.cursor).toBe('string');
    const second = await h.call('GET', '/accounts', {
      query: { tier: '1', limit: '2', cursor: first.json.cursor },
    });
    expect(second.json.items[0].accountId).not.toBe(first.json.items[0].accountId);
    const engaged = await h.call('GET', '/accounts', { query: { stage: 'engaged', limit: '100' } });
    expect(engaged.json.items.every((a: any) => a.stage === 'engaged')).toBe(true);
    expectErrorShape(await h.call('GET', '/accounts', { query: { tier: '7' } }), 400);
    expectErrorShape(await h.call('GET', '/accounts', { query: { stage: 'asleep' } }), 400);
    expectErrorShape(await h.call('GET', '/accounts', { query: { cursor: 'garbage' } }), 400);
  });

  it('PUT a contact; bad role -> 400; unknown account -> 404', async () => {
    const ok = await h.call('PUT', '/accounts/acct-00002/contacts/new-one', {
      body: { name: 'New One', email: 'NEW@acct-00002.example', role: 'end_user', timeZone: 'Europe/Berlin' },
    });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ contactId: 'new-one', email: 'new@acct-00002.example' });
    const bad = expectErrorShape(
      await h.call('PUT', '/accounts/acct-00002/contacts/x', { body: { name: 'X', role: 'king' } }),
      400,
    );
    expect(bad.details[0].path).toBe('body.role');
    expectErrorShape(
      await h.call('PUT', '/accounts/ghost/contacts/x', { body: { name: 'X', role: 'champion' } }),
      404,
    );
    expectErrorShape(
      await h.call('PUT', '/accounts/acct-00002/contacts/x', {
        body: { name: 'X', role: 'champion', timeZone: 'Mars/Base' },
      }),
      400,
    );
  });

  it('DELETE /contacts/{id} erases the person and removes them from ad audiences', async () => {
    const res = await h.call('DELETE', '/contacts/new-one');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ contactId: 'new-one', erased: 1, accounts: ['acct-00002'] });
    expect(await h.store.accounts.getContact('acct-00002', 'new-one')).toBeUndefined();
    expect(h.publisher.ofType('ads.audience.changed')).toHaveLength(1);
    expectErrorShape(await h.call('DELETE', '/contacts/new-one'), 404);
  });

  it('unknown route -> 404 and wrong method -> 405, in the error shape', async () => {
    expectErrorShape(await h.call('GET', '/nowhere'), 404);
    expectErrorShape(await h.call('PATCH', '/accounts'), 405, 'method_not_allowed');
  });
});
