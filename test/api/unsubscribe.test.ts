/**
 * The unsubscribe link (GET and POST /unsubscribe) answers a browser with small HTML pages that
 * carry security headers, and an API client (or a mail client's RFC 8058 one-click POST) with
 * JSON; the POST ignores its body whatever it is, as the OpenAPI document says.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { signUnsubscribeToken } from '../../functions/kernel/unsubscribe-token';
import { prefersHtml } from '../../functions/api/router';
import { account, expectErrorShape, SIGNING_KEY, startHarness } from '../support/api';
import { useHarness } from '../support/suite';

const h = useHarness(() => startHarness());
const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8';
const future = Date.parse('2026-12-31T00:00:00Z') / 1000;
const token = (i: number, exp = future) =>
  signUnsubscribeToken({ a: account(i).accountId, c: `${account(i).accountId}-eb`, exp }, SIGNING_KEY);
const contactOf = (i: number) =>
  h.store.accounts.getContact(account(i).accountId, `${account(i).accountId}-eb`);

beforeAll(async () => {
  const res = await h.call('POST', '/accounts/import', {
    body: { accounts: [1, 2, 3, 4].map((i) => account(i)) },
  });
  expect(res.json.imported).toBe(4);
});

/** An HTML answer with the security headers and nothing loaded from elsewhere. */
function expectSafePage(
  res: { status: number; headers: Record<string, string>; body: string },
  status: number,
) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^text\/html; charset=utf-8/);
  const csp = res.headers['content-security-policy'];
  expect(csp).toMatch(/default-src 'none'/);
  expect(csp).toMatch(/frame-ancestors 'none'/);
  expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/]+=*'/);
  expect(csp).not.toMatch(/unsafe-inline|script-src/);
  expect(res.headers['x-frame-options']).toBe('DENY');
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['referrer-policy']).toBe('no-referrer');
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.body).toMatch(/^<!doctype html>/);
  expect(res.body).not.toMatch(/<script|\ssrc=|<link|https?:\/\//i);
  expect(res.body.length).toBeLessThan(2048);
  return res.body;
}

describe('GET /unsubscribe', () => {
  it('a browser gets the confirmation page, with its headers; nothing changes', async () => {
    const res = await h.call('GET', '/unsubscribe', { query: { t: token(1) }, headers: { accept: BROWSER } });
    const body = expectSafePage(res, 200);
    expect(body).toMatch(/<form method="post" action="\?t=[^"]+">/);
    expect((await contactOf(1))?.unsubscribedAt).toBeUndefined();
  });

  it.each([undefined, 'application/json', '*/*', 'text/html;q=0.5, application/json'])(
    'an API client (Accept: %s) gets JSON',
    async (accept) => {
      const res = await h.call('GET', '/unsubscribe', {
        query: { t: token(1) },
        headers: accept ? { accept } : {},
      });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.json).toEqual({
        accountId: 'acct-00001',
        contactId: 'acct-00001-eb',
        unsubscribed: false,
        expiresAt: '2026-12-31T00:00:00.000Z',
      });
    },
  );

  it('a bad link: a page for a browser, the error shape for an API client', async () => {
    const expired = token(1, Date.parse('2026-11-01T00:00:00Z') / 1000);
    const page = await h.call('GET', '/unsubscribe', { query: { t: expired }, headers: { accept: BROWSER } });
    expect(expectSafePage(page, 400)).toMatch(/expired/);
    const missing = await h.call('GET', '/unsubscribe', { headers: { accept: BROWSER } });
    expectSafePage(missing, 400);
    const e = expectErrorShape(await h.call('GET', '/unsubscribe', { query: { t: expired } }), 400);
    expect(e.details).toEqual([{ path: 'query.t', message: expect.stringMatching(/expired/) }]);
    const gone = signUnsubscribeToken({ a: 'acct-00001', c: 'nobody', exp: future }, SIGNING_KEY);
    expect(
      expectSafePage(
        await h.call('GET', '/unsubscribe', { query: { t: gone }, headers: { accept: BROWSER } }),
        404,
      ),
    ).toMatch(/nobody to unsubscribe/);
  });
});

describe('POST /unsubscribe', () => {
  it('the confirmation form posted by a browser unsubscribes and answers with a page', async () => {
    const res = await h.call('POST', '/unsubscribe', {
      query: { t: token(2) },
      raw: 'List-Unsubscribe=One-Click',
      contentType: 'application/x-www-form-urlencoded',
      headers: { accept: BROWSER },
    });
    expect(expectSafePage(res, 200)).toMatch(/You are unsubscribed/);
    expect((await contactOf(2))?.unsubscribedAt).toBeDefined();
    const again = await h.call('GET', '/unsubscribe', {
      query: { t: token(2) },
      headers: { accept: BROWSER },
    });
    expect(expectSafePage(again, 200)).toMatch(/already unsubscribed/);
    expect((await h.call('GET', '/unsubscribe', { query: { t: token(2) } })).json.unsubscribed).toBe(true);
  });

  it.each([
    ['malformed JSON', 'application/json', '{"not json'],
    ['an image', 'image/png', '\u0089PNG\r\n'],
    ['a multipart form', 'multipart/form-data; boundary=x', '--x\r\n\r\n--x--'],
    ['no content type', '', 'whatever'],
    ['no body', 'text/plain', ''],
  ])('ignores the body (%s) and answers an API client with JSON', async (_name, contentType, raw) => {
    const res = await h.call('POST', '/unsubscribe', { query: { t: token(3) }, raw, contentType });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ unsubscribed: true, accountId: 'acct-00003', contactId: 'acct-00003-eb' });
  });

  it('a forged link: the error shape for an API client, a page for a browser', async () => {
    const forged = `${token(4).slice(0, -1)}${token(4).endsWith('A') ? 'B' : 'A'}`;
    expectErrorShape(await h.call('POST', '/unsubscribe', { query: { t: forged } }), 400);
    expectSafePage(
      await h.call('POST', '/unsubscribe', { query: { t: forged }, headers: { accept: BROWSER } }),
      400,
    );
    expect((await contactOf(4))?.unsubscribedAt).toBeUndefined();
  });
});

describe('the OpenAPI document', () => {
  it('documents both media types, and a POST body that is ignored', async () => {
    const doc = (await h.call('GET', '/openapi.json')).json;
    for (const method of ['get', 'post']) {
      const op = doc.paths['/unsubscribe'][method];
      for (const status of ['200', '400', '404'])
        expect(Object.keys(op.responses[status].content).sort()).toEqual(['application/json', 'text/html']);
    }
    expect(doc.paths['/unsubscribe'].get.responses['200'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/UnsubscribeStatus',
    });
    const body = doc.paths['/unsubscribe'].post.requestBody;
    expect(body.required).toBe(false);
    expect(body.description).toMatch(/ignored/);
    expect(Object.keys(body.content)).toEqual(['*/*']);
  });
});

describe('prefersHtml', () => {
  it.each([
    [BROWSER, true],
    ['text/html', true],
    ['application/xhtml+xml', true],
    ['text/*', true],
    [undefined, false],
    ['', false],
    ['*/*', false],
    ['application/json', false],
    ['application/json, text/html', false],
    ['text/html;q=0.5, application/json', false],
    ['text/html;q=0, */*', false],
    ['application/json;q=0.1, text/html', true],
  ])('%s -> %s', (accept, html) => {
    expect(prefersHtml(accept)).toBe(html);
  });
});
