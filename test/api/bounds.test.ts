/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies are read loosely in tests */
/**
 * Field limits (docs/api.md "Field limits"): every value that storage would refuse is a 400 (or a
 * rejected row or event) with its field path, never a 500; and the largest valid account, contact,
 * template, sequence and event each fit in their DynamoDB items, stored here in dynalite.
 */
import { describe, expect, it } from 'vitest';
import {
  AUDIENCE_ACCOUNT_IDS_MAX,
  DOCUMENT_MAX_BYTES,
  DOMAIN_MAX,
  DYNAMODB_ITEM_MAX_BYTES,
  EMAIL_MAX,
  EVENT_PROPERTIES_MAX_BYTES,
  ID_MAX,
  jsonBytes,
  LABEL_MAX,
  NAME_MAX,
  POSTAL_CODE_MAX,
  REVENUE_MAX,
  SEQUENCE_MAX_BYTES,
  SEQUENCE_STEPS_MAX,
  TECH_STACK_MAX,
  TEMPLATE_ACCOUNT_OVERRIDES_MAX,
  TEMPLATE_BODY_MAX,
} from '../../functions/kernel/model';
import * as keys from '../../functions/platform/store/keys';
import { encodeCursor } from '../../functions/platform/store/table';
import { account, expectErrorShape, SEQUENCE, startHarness, TEMPLATE } from '../support/api';
import { itemSize } from '../support/item-size';
import { largestSequence, sequenceBytes } from '../support/sequences';
import { useHarness } from '../support/suite';

const h = useHarness(() => startHarness());

/** A string of `n` characters of 3 UTF-8 bytes each (the most a UTF-16 unit costs). */
const wide = (n: number, seed = '') => (seed + '€'.repeat(n)).slice(0, n);
const id = (prefix: string) => (prefix + '-' + 'x'.repeat(ID_MAX)).slice(0, ID_MAX);
const paths = (e: { details: { path: string }[] }) => e.details.map((d) => d.path);

async function importOne(row: Record<string, unknown>) {
  const res = await h.call('POST', '/accounts/import', { body: { accounts: [row] } });
  expect(res.status).toBe(200);
  return res.json;
}

describe('numbers storage would refuse', () => {
  it('an annual revenue of 1e308 (or 1e-200) is a rejected row naming the field, not a 500', async () => {
    for (const annualRevenueUsd of [1e308, 1e-200, REVENUE_MAX * 10]) {
      const out = await importOne(account(1, { annualRevenueUsd }));
      expect(out.imported).toBe(0);
      expect(out.rejected[0].errors.map((e: any) => e.path)).toEqual(['annualRevenueUsd']);
    }
    const ok = await importOne(account(1, { annualRevenueUsd: REVENUE_MAX }));
    expect(ok.imported).toBe(1);
  });

  it('a minScore of 1e308 in a sequence is a 400 with its path', async () => {
    expect((await h.call('PUT', '/templates/intro', { body: TEMPLATE })).status).toBe(201);
    const wait = { id: 'w', type: 'await_engagement', timeout: 'P1D', until: { minScore: 1e308 } };
    for (const until of [{ minScore: 1e308 }, { maxScore: -1e308 }, { minScore: 1e-200 }]) {
      const e = expectErrorShape(
        await h.call('PUT', '/sequences/s-big', {
          body: { ...SEQUENCE, steps: [...SEQUENCE.steps, { ...wait, until }] },
        }),
        400,
      );
      expect(paths(e)).toEqual([`body.steps.2.until.${Object.keys(until)[0]}`]);
    }
  });

  it('a split weight or a holdout of 1e-200 is a 400, not a storage error', async () => {
    const split = {
      id: 'sp',
      type: 'split',
      variants: [
        { name: 'a', weight: 1e-200, goto: 'intro' },
        { name: 'b', weight: 1, goto: 'call-1' },
      ],
    };
    const e = expectErrorShape(
      await h.call('PUT', '/sequences/s-split', { body: { ...SEQUENCE, steps: [split, ...SEQUENCE.steps] } }),
      400,
    );
    expect(paths(e)).toContain('body.steps.0.variants.0.weight');
    const launch = expectErrorShape(
      await h.call('POST', '/campaigns', {
        body: { name: 'c', sequenceId: 's', audience: { tier: 1 }, holdoutPercent: 1e-200 },
      }),
      400,
    );
    expect(paths(launch)).toEqual(['body.holdoutPercent']);
  });

  it('a wait longer than a Standard execution can last (one year) is a 400', async () => {
    const steps = [{ ...SEQUENCE.steps[0], after: 'P366D' }, SEQUENCE.steps[1]];
    const e = expectErrorShape(
      await h.call('PUT', '/sequences/s-long', { body: { ...SEQUENCE, steps } }),
      400,
    );
    expect(paths(e)).toEqual(['body.steps.0.after']);
    expect(e.details[0].message).toMatch(/365 days/);
  });
});

describe('strings storage would refuse', () => {
  it('a 300 KB template body is a 400 naming the part', async () => {
    const e = expectErrorShape(
      await h.call('PUT', '/templates/big', {
        body: { ...TEMPLATE, html: 'x'.repeat(300_000), text: 'y'.repeat(300_000) },
      }),
      400,
    );
    expect(paths(e)).toEqual(expect.arrayContaining(['body.html', 'body.text']));
    expectErrorShape(await h.call('GET', '/templates/big'), 404);
  });

  it('parts within their own limits but too large together are a 400 on the body', async () => {
    const byAccount = Object.fromEntries(
      Array.from({ length: 10 }, (_, i) => [`acct-${i}`, { html: wide(TEMPLATE_BODY_MAX) }]),
    );
    const e = expectErrorShape(
      await h.call('PUT', '/templates/big', { body: { ...TEMPLATE, byAccount } }),
      400,
    );
    expect(paths(e)).toEqual(['body']);
    expect(e.details[0].message).toMatch(/bytes as JSON/);
  });

  it('a 5,000-character contactId is rejected per event, in a path, and as a path parameter', async () => {
    await importOne(account(2));
    const res = await h.call('POST', '/events', {
      body: {
        events: [
          {
            eventId: 'e-long',
            type: 'web.visit',
            occurredAt: '2026-11-22T10:00:00Z',
            accountId: 'acct-00002',
            contactId: 'c'.repeat(5000),
          },
        ],
      },
    });
    expect(res.status).toBe(202);
    expect(res.json.rejected[0].errors.map((e: any) => e.path)).toEqual(['contactId']);
    const put = expectErrorShape(
      await h.call('PUT', `/accounts/acct-00002/contacts/${'c'.repeat(5000)}`, {
        body: { name: 'n', role: 'champion' },
      }),
      400,
    );
    expect(paths(put)).toEqual(['params.contactId']);
  });

  it('event properties too large, too deep or with numbers storage refuses are rejected per event', async () => {
    const event = (properties: unknown) => ({
      eventId: `e-${Math.random()}`,
      type: 'web.visit',
      occurredAt: '2026-11-22T10:00:00Z',
      domain: 'nobody-knows-this.example', // unresolved: kept in an item as given
      properties,
    });
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = { d: deep };
    const res = await h.call('POST', '/events', {
      body: {
        events: [
          event({ blob: 'x'.repeat(EVENT_PROPERTIES_MAX_BYTES) }),
          event({ deep }),
          event({ n: 1e308 }),
          event({ list: [1, 2, 1e-200] }),
        ],
      },
    });
    expect(res.status).toBe(202);
    expect(res.json.rejected.map((r: any) => r.errors.map((e: any) => e.path).join())).toEqual([
      'properties',
      'properties.deep.d.d.d.d.d.d.d.d',
      'properties.n',
      'properties.list.2',
    ]);
    expect(res.json.unresolved).toEqual([]);
  });

  it('properties nested deeper than a call stack goes are rejected per event, not a 500', async () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const raw = `{"events":[{"eventId":"e-deep","type":"web.visit","occurredAt":"2026-11-22T10:00:00Z","domain":"u.example","properties":{"a":${deep}}}]}`;
    const res = await h.call('POST', '/events', { raw, contentType: 'application/json' });
    expect(res.status).toBe(202);
    expect(res.json.rejected[0].errors).toEqual([
      { path: 'properties.a.0.0.0.0.0.0.0.0', message: 'nested deeper than 8 levels' },
    ]);
  });

  it('an audience of more account ids than a campaign item holds is a 400', async () => {
    const accountIds = Array.from({ length: AUDIENCE_ACCOUNT_IDS_MAX + 1 }, (_, i) => id(`a${i}`));
    const e = expectErrorShape(
      await h.call('POST', '/campaigns', { body: { name: 'c', sequenceId: 's', audience: { accountIds } } }),
      400,
    );
    expect(paths(e)).toEqual(['body.audience.accountIds']);
  });
});

describe('forged list cursors', () => {
  const forged = {
    'keys of the base table only': { pk: 'TEMPLATE#x', sk: 'TEMPLATE' },
    'keys of another index': { pk: 'a', sk: 'b', gsi2pk: 'TIER#1', gsi2sk: 'ACCOUNT#x' },
    'a number where a key is': { pk: 'a', sk: 'b', gsi1pk: 'TEMPLATES', gsi1sk: 7 },
    'an empty key': { pk: '', sk: 'b', gsi1pk: 'TEMPLATES', gsi1sk: 'TEMPLATE#x' },
    'another list’s partition': { pk: 'a', sk: 'b', gsi1pk: 'CAMPAIGNS', gsi1sk: 'CAMPAIGN#x' },
    'a sort key too long for DynamoDB': { pk: 'a', sk: 'b', gsi1pk: 'TEMPLATES', gsi1sk: 'T'.repeat(1100) },
    'an extra attribute': { pk: 'a', sk: 'b', gsi1pk: 'TEMPLATES', gsi1sk: 'TEMPLATE#x', x: 'y' },
  };
  const cursorOf = (key: Record<string, unknown>) =>
    Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');

  it.each(Object.entries(forged))('%s: 400 on /templates, /sequences and /tasks', async (_n, key) => {
    const cursor = cursorOf(key);
    for (const [path, query] of [
      ['/templates', {}],
      ['/sequences', {}],
      ['/tasks', { owner: 'sdr-ana' }],
    ] as const) {
      const e = expectErrorShape(await h.call('GET', path, { query: { ...query, cursor } }), 400);
      expect(paths(e)).toEqual(['query.cursor']);
    }
  });

  it('a forged key inside a well-formed /accounts cursor is a 400 too', async () => {
    const cursor = cursorOf({ t: 1, c: cursorOf({ pk: 'x', sk: 'y' }) });
    const e = expectErrorShape(await h.call('GET', '/accounts', { query: { cursor } }), 400);
    expect(paths(e)).toEqual(['query.cursor']);
  });

  it('the cursors the API hands out still page through every list', async () => {
    for (let i = 0; i < 3; i++) await h.call('PUT', `/templates/page-${i}`, { body: TEMPLATE });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const res = await h.call('GET', '/templates', { query: { limit: '1', ...(cursor ? { cursor } : {}) } });
      expect(res.status).toBe(200);
      seen.push(...res.json.items.map((t: any) => t.templateId));
      cursor = res.json.cursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(expect.arrayContaining(['page-0', 'page-1', 'page-2']));
    expect(encodeCursor({ pk: 'a' })).toMatch(/^[A-Za-z0-9_-]+$/);
  });
});

describe('the largest valid items fit in DynamoDB', () => {
  const expectFits = (item: Record<string, unknown> | undefined) => {
    expect(item).toBeDefined();
    const size = itemSize(item!);
    expect(size).toBeLessThan(DYNAMODB_ITEM_MAX_BYTES);
    return size;
  };

  it('an account profile and a contact with every field at its limit', async () => {
    const accountId = id('big');
    const domainTail = '.example';
    const domain = 'd'.repeat(DOMAIN_MAX - domainTail.length) + domainTail;
    const mailDomain = 'm'.repeat(60) + '.example';
    const email = 'e'.repeat(EMAIL_MAX - mailDomain.length - 1) + '@' + mailDomain;
    const row = {
      accountId,
      name: wide(NAME_MAX),
      domain,
      industry: wide(LABEL_MAX),
      employees: Number.MAX_SAFE_INTEGER,
      annualRevenueUsd: REVENUE_MAX,
      region: wide(LABEL_MAX),
      techStack: Array.from({ length: TECH_STACK_MAX }, (_, i) => wide(LABEL_MAX, `t${i}`)),
      tier: 1,
      cluster: wide(LABEL_MAX),
      ownerSdr: id('sdr'),
      directMailBudgetCents: Number.MAX_SAFE_INTEGER,
      contacts: [
        {
          contactId: id('contact'),
          name: wide(NAME_MAX),
          email,
          title: wide(NAME_MAX),
          role: 'economic_buyer',
          timeZone: 'America/Argentina/ComodRivadavia',
          phone: '+123456789012345',
          consent: { email: true, ads: true, directMail: true },
          postalAddress: {
            line1: wide(NAME_MAX),
            line2: wide(NAME_MAX),
            city: wide(LABEL_MAX),
            region: wide(LABEL_MAX),
            postalCode: wide(POSTAL_CODE_MAX),
            country: 'US',
          },
        },
      ],
    };
    expect(email).toHaveLength(EMAIL_MAX);
    const out = await importOne(row);
    expect(out).toMatchObject({ imported: 1, contacts: 1, rejected: [] });
    expectFits(await h.table.get(keys.account(accountId)));
    expectFits(await h.table.get(keys.contact(accountId, row.contacts[0].contactId)));
    // One character more anywhere is a rejected row with that field's path.
    const over = await importOne({ ...row, region: wide(LABEL_MAX + 1) });
    expect(over.rejected[0].errors.map((e: any) => e.path)).toEqual(['region']);
  });

  it(`a template of ${DOCUMENT_MAX_BYTES} bytes (the most) is stored; one byte more is a 400`, async () => {
    const byAccount = Object.fromEntries(
      Array.from({ length: TEMPLATE_ACCOUNT_OVERRIDES_MAX }, (_, i) => [id(`a${i}`), { subject: wide(50) }]),
    );
    const base = { subject: wide(998), html: wide(40_000), text: 'x', byRole: {}, byAccount };
    const text = 'x'.repeat(DOCUMENT_MAX_BYTES - jsonBytes(base) + 1);
    expect(text.length).toBeLessThanOrEqual(TEMPLATE_BODY_MAX);
    const largest = { ...base, text };
    expect(jsonBytes(largest)).toBe(DOCUMENT_MAX_BYTES);
    expect((await h.call('PUT', '/templates/largest', { body: largest })).status).toBe(201);
    const size = expectFits(await h.table.get(keys.template('largest')));
    expect(size).toBeGreaterThan(DOCUMENT_MAX_BYTES * 0.9);
    const e = expectErrorShape(
      await h.call('PUT', '/templates/largest', { body: { ...largest, text: text + 'x' } }),
      400,
    );
    expect(paths(e)).toEqual(['body']);
  });

  it(`a sequence of ${SEQUENCE_MAX_BYTES} bytes (the most) is stored; more is a 400`, async () => {
    await h.call('PUT', '/templates/intro', { body: TEMPLATE });
    const { largest, oneMore } = largestSequence();
    expect((largest as { steps: unknown[] }).steps.length).toBeLessThanOrEqual(SEQUENCE_STEPS_MAX);
    expect(sequenceBytes(largest)).toBe(SEQUENCE_MAX_BYTES);
    const res = await h.call('PUT', '/sequences/largest', { body: largest });
    expect(res.status).toBe(201);
    expectFits(await h.table.get(keys.sequenceVersion('largest', 1)));
    const e = expectErrorShape(await h.call('PUT', '/sequences/largest', { body: oneMore }), 400);
    expect(paths(e)).toEqual(['body.steps']);
    expect(e.details[0].message).toMatch(/execution input/);
  });

  it('an unresolved event with the most properties is kept in its item', async () => {
    const properties = { page: 'x' };
    const blob = 'x'.repeat(EVENT_PROPERTIES_MAX_BYTES - jsonBytes({ ...properties, blob: '' }));
    const res = await h.call('POST', '/events', {
      body: {
        events: [
          {
            eventId: id('ev'),
            type: 'web.visit',
            occurredAt: '2026-11-22T10:00:00Z',
            domain: 'still-unknown.example',
            properties: { ...properties, blob },
          },
        ],
      },
    });
    expect(res.status).toBe(202);
    expect(res.json.unresolved).toHaveLength(1);
    expectFits(await h.table.get(keys.unresolvedEvent(h.clock.now().toISOString(), id('ev'))));
  });
});
