/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies are read loosely in tests */
/**
 * ETag and If-Match (docs/api.md "Concurrent writes"): which routes send an ETag, what it is, and
 * what a conditional PUT does when its version is current, stale, absent or malformed.
 */
import { describe, expect, it } from 'vitest';
import { parseIfMatch } from '../../functions/api/preconditions';
import { SEQUENCE, TEMPLATE, expectErrorShape, startHarness } from '../support/api';
import { useHarness } from '../support/suite';

const h = useHarness(() => startHarness());

const ifMatch = (value: string) => ({ headers: { 'If-Match': value } });

describe('If-Match parsing', () => {
  it.each([
    ['"7"', { versions: [7] }],
    [' "3" , "4"', { versions: [3, 4] }],
    ['W/"7"', { versions: [] }],
    ['"abc", "2"', { versions: [2] }],
    ['*', { exists: true }],
  ])('%s', (value, expected) => expect(parseIfMatch(value)).toEqual(expected));

  it.each(['7', '"7', '"7" "8"', '"7",', '', Array(51).fill('"1"').join(',')])('%j is malformed', (value) =>
    expect(parseIfMatch(value)).toBeUndefined(),
  );
});

describe('templates', () => {
  it('GET and PUT send the version as ETag; a PUT with the current ETag is the next version', async () => {
    const created = await h.call('PUT', '/templates/intro', { body: TEMPLATE });
    expect(created.status).toBe(201);
    expect(created.headers.etag).toBe('"1"');
    const read = await h.call('GET', '/templates/intro');
    expect(read.headers.etag).toBe('"1"');
    const next = await h.call('PUT', '/templates/intro', {
      body: { ...TEMPLATE, subject: 'Second' },
      ...ifMatch(read.headers.etag),
    });
    expect(next.status).toBe(200);
    expect(next.headers.etag).toBe('"2"');
    expect(next.json.version).toBe(2);
  });

  it('a PUT with a stale ETag is a 409 in the error shape and changes nothing', async () => {
    const lost = await h.call('PUT', '/templates/intro', {
      body: { ...TEMPLATE, subject: 'Stale' },
      ...ifMatch('"1"'),
    });
    const e = expectErrorShape(lost, 409, 'conflict');
    expect(e.details).toEqual([{ path: 'headers.if-match', message: expect.stringMatching(/"2"/) }]);
    const read = await h.call('GET', '/templates/intro');
    expect(read.json).toMatchObject({ subject: 'Second', version: 2 });
  });

  it('a list of ETags matches any of them; a weak ETag never matches', async () => {
    const ok = await h.call('PUT', '/templates/intro', { body: TEMPLATE, ...ifMatch('"9", "2"') });
    expect(ok.status).toBe(200);
    expectErrorShape(await h.call('PUT', '/templates/intro', { body: TEMPLATE, ...ifMatch('W/"3"') }), 409);
  });

  it('If-Match: * writes only over an existing template', async () => {
    expectErrorShape(await h.call('PUT', '/templates/absent', { body: TEMPLATE, ...ifMatch('*') }), 409);
    expect((await h.call('GET', '/templates/absent')).status).toBe(404);
    expect((await h.call('PUT', '/templates/intro', { body: TEMPLATE, ...ifMatch('*') })).status).toBe(200);
  });

  it('a malformed If-Match is a 400 naming the header', async () => {
    const e = expectErrorShape(
      await h.call('PUT', '/templates/intro', { body: TEMPLATE, ...ifMatch('4') }),
      400,
      'bad_request',
    );
    expect(e.details[0].path).toBe('headers.if-match');
  });
});

describe('sequences', () => {
  it('the ETag is the version; If-Match names the latest version', async () => {
    const v1 = await h.call('PUT', '/sequences/seq', { body: SEQUENCE });
    expect(v1.headers.etag).toBe('"1"');
    const v2 = await h.call('PUT', '/sequences/seq', { body: SEQUENCE, ...ifMatch('"1"') });
    expect(v2.status).toBe(201);
    expect(v2.headers.etag).toBe('"2"');
    expect((await h.call('GET', '/sequences/seq')).headers.etag).toBe('"2"');
    expect((await h.call('GET', '/sequences/seq', { query: { version: '1' } })).headers.etag).toBe('"1"');
    const e = expectErrorShape(
      await h.call('PUT', '/sequences/seq', { body: SEQUENCE, ...ifMatch('"1"') }),
      409,
      'conflict',
    );
    expect(e.details[0]).toMatchObject({ path: 'headers.if-match', message: expect.stringMatching(/"2"/) });
    expectErrorShape(await h.call('PUT', '/sequences/none', { body: SEQUENCE, ...ifMatch('"1"') }), 409);
    expect((await h.call('GET', '/sequences/seq')).json.version).toBe(2);
  });
});

describe('contacts', () => {
  it('PUT and GET send the ETag; a stale If-Match is a 409; unknown contact 404', async () => {
    await h.call('POST', '/accounts/import', {
      body: { accounts: [{ accountId: 'etag-acct', name: 'Etag', domain: 'etag.example', tier: 1 }] },
    });
    const first = await h.call('PUT', '/accounts/etag-acct/contacts/dana', {
      body: { name: 'Dana', role: 'champion', email: 'dana@etag.example', title: 'CFO' },
    });
    expect(first.status).toBe(200);
    expect(first.headers.etag).toBe('"1"');
    const read = await h.call('GET', '/accounts/etag-acct/contacts/dana');
    expect(read.status).toBe(200);
    expect(read.headers.etag).toBe('"1"');
    expect(read.json).toMatchObject({ contactId: 'dana', accountId: 'etag-acct', title: 'CFO' });
    // A replace: the title left out is removed, the email index follows the new address.
    const second = await h.call('PUT', '/accounts/etag-acct/contacts/dana', {
      body: { name: 'Dana Cole', role: 'champion', email: 'dana.cole@etag.example' },
      ...ifMatch('"1"'),
    });
    expect(second.status).toBe(200);
    expect(second.headers.etag).toBe('"2"');
    expect(second.json).not.toHaveProperty('title');
    expect(await h.store.accounts.findContactsByEmail('dana@etag.example')).toEqual([]);
    expect((await h.store.accounts.findContactsByEmail('dana.cole@etag.example'))[0]?.contactId).toBe('dana');
    expectErrorShape(
      await h.call('PUT', '/accounts/etag-acct/contacts/dana', {
        body: { name: 'Stale', role: 'champion' },
        ...ifMatch('"1"'),
      }),
      409,
      'conflict',
    );
    expectErrorShape(
      await h.call('PUT', '/accounts/etag-acct/contacts/nobody', {
        body: { name: 'New', role: 'champion' },
        ...ifMatch('"1"'),
      }),
      409,
    );
    expectErrorShape(await h.call('GET', '/accounts/etag-acct/contacts/nobody'), 404, 'not_found');
  });

  it('a contact written before contacts had versions has ETag "0", and If-Match "0" works on it', async () => {
    await h.store.accounts.putContacts('etag-acct', [
      { accountId: 'etag-acct', contactId: 'old', name: 'Old', role: 'end_user' },
    ]);
    const read = await h.call('GET', '/accounts/etag-acct/contacts/old');
    expect(read.headers.etag).toBe('"0"');
    const next = await h.call('PUT', '/accounts/etag-acct/contacts/old', {
      body: { name: 'Old', role: 'blocker' },
      ...ifMatch('"0"'),
    });
    expect(next.status).toBe(200);
    expect(next.headers.etag).toBe('"1"');
  });

  it('an unsubscribe survives a PUT of the contact', async () => {
    await h.store.accounts.markContactUnsubscribed('etag-acct', 'dana', '2026-11-01T00:00:00.000Z');
    const put = await h.call('PUT', '/accounts/etag-acct/contacts/dana', {
      body: { name: 'Dana', role: 'champion' },
    });
    expect(put.json.unsubscribedAt).toBe('2026-11-01T00:00:00.000Z');
  });
});

describe('a PUT too large to store', () => {
  /** A client's mistake: 413 from the store's limit (or 400 should a field bound catch it first), never 500. */
  const tooLarge = (res: { status: number; json: any }) => {
    expect([400, 413]).toContain(res.status);
    expectErrorShape(res, res.status);
  };

  it('is a 4xx in the error shape, not a 500, and stores nothing', async () => {
    const big = 'x'.repeat(450 * 1024);
    tooLarge(await h.call('PUT', '/templates/huge', { body: { ...TEMPLATE, html: `<p>${big}</p>` } }));
    expect((await h.call('GET', '/templates/huge')).status).toBe(404);
    tooLarge(
      await h.call('PUT', '/accounts/etag-acct/contacts/huge', {
        body: {
          name: 'Huge',
          role: 'champion',
          postalAddress: { line1: big, city: 'Chicago', postalCode: '60601', country: 'US' },
        },
      }),
    );
    expect((await h.call('GET', '/accounts/etag-acct/contacts/huge')).status).toBe(404);
    const before = (await h.call('GET', '/sequences/seq')).json.version;
    tooLarge(await h.call('PUT', '/sequences/seq', { body: { ...SEQUENCE, description: big } }));
    // Nothing stored and no version number used up: the next save is the next version.
    const next = await h.call('PUT', '/sequences/seq', { body: SEQUENCE });
    expect(next.json.version).toBe(before + 1);
  });
});

describe('OpenAPI', () => {
  it('documents If-Match on the conditional PUTs and the ETag on their responses', async () => {
    const doc = (await h.call('GET', '/openapi.json')).json as any;
    for (const path of [
      '/templates/{templateId}',
      '/sequences/{sequenceId}',
      '/accounts/{accountId}/contacts/{contactId}',
    ]) {
      const put = doc.paths[path].put;
      expect(put.parameters).toContainEqual(
        expect.objectContaining({
          name: 'If-Match',
          in: 'header',
          required: false,
          schema: { type: 'string', maxLength: 1024 },
        }),
      );
      const ok = put.responses['200'] ?? put.responses['201'];
      expect(ok.headers.ETag).toMatchObject({ schema: { type: 'string' } });
      expect(put.responses['409'].content['application/json'].schema.$ref).toBe('#/components/schemas/Error');
      expect(doc.paths[path].get.responses['200'].headers.ETag).toBeDefined();
    }
  });
});
