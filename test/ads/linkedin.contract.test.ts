/**
 * The LinkedIn adapter against its local double (lib/local/doubles/linkedin.ts), which checks what
 * LinkedIn's DMP segment users/companies documentation requires. Faults are injected; the
 * provider's final membership must equal the intended set.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LINKEDIN_MAX_BATCH, LINKEDIN_VERSION } from '../../functions/ads/adapters';
import { ProviderError, type IdentifiedMember, type ProviderAudience } from '../../functions/ads/port';
import { startProviderDoubles, type ProviderDoubles } from '../../lib/local/doubles';
import {
  contact,
  DANA_SHA256,
  HANG_TIMEOUT_MS,
  identifiedContacts,
  keysOf,
  settle,
  wire,
} from '../support/ads';

const USERS: ProviderAudience = { audience: 'tier1-committee', kind: 'contact', listId: '123456' };
const COMPANIES: ProviderAudience = { audience: 'tier1-committee', kind: 'company', listId: '654321' };

let doubles: ProviderDoubles;
beforeAll(async () => {
  doubles = await startProviderDoubles({ providers: ['linkedin'] });
});
afterAll(() => doubles.close());
afterEach(() => doubles.faults.clear());

const identified = (from: number, count: number) => identifiedContacts(doubles, 'linkedin', from, count);

describe('LinkedIn DMP segment users', () => {
  it('sends the documented request: path, version and protocol headers, bearer token, body, SHA-256 of the normalised email', async () => {
    const { adapter } = wire(doubles, 'linkedin');
    const dana = adapter.identify(contact(0, { memberId: 'dana', email: ' Dana@Northwind.Example ' }))!;
    expect(dana.ids).toEqual({ SHA256_EMAIL: DANA_SHA256 });
    const before = doubles.details('linkedin').length;
    const outcome = await adapter.add(USERS, [dana]);
    expect(outcome).toEqual({ done: ['dana'], failed: [] });
    const req = doubles.details('linkedin')[before]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/rest/dmpSegments/123456/users');
    expect(req.headers['linkedin-version']).toBe(LINKEDIN_VERSION);
    expect(req.headers['x-restli-protocol-version']).toBe('2.0.0');
    expect(req.headers['x-restli-method']).toBe('BATCH_CREATE');
    expect(req.headers.authorization).toBe(`Bearer ${doubles.secrets.linkedin.accessToken}`);
    expect(JSON.parse(req.body)).toEqual({
      elements: [{ action: 'ADD', userIds: [{ idType: 'SHA256_EMAIL', idValue: DANA_SHA256 }] }],
    });
    expect(doubles.members('linkedin', USERS.listId)).toContain(DANA_SHA256);
    await adapter.remove(USERS, [dana]);
    expect(JSON.parse(doubles.details('linkedin').at(-1)!.body).elements[0].action).toBe('REMOVE');
    expect(doubles.members('linkedin', USERS.listId)).not.toContain(DANA_SHA256);
  });

  it('splits limit + 1 members into two requests, each within the limit', async () => {
    const { adapter } = wire(doubles, 'linkedin');
    const members = identified(1000, LINKEDIN_MAX_BATCH + 1);
    const before = doubles.details('linkedin').length;
    const result = await settle(adapter, 'add', { ...USERS, listId: '777' }, members);
    const sent = doubles
      .details('linkedin')
      .slice(before)
      .map((d) => JSON.parse(d.body).elements.length);
    expect(sent).toEqual([LINKEDIN_MAX_BATCH, 1]);
    expect(result.done).toHaveLength(LINKEDIN_MAX_BATCH + 1);
    expect(doubles.members('linkedin', '777')).toEqual(keysOf(members, 'SHA256_EMAIL'));
  });

  it('the double refuses a batch over the limit with 400, as LinkedIn does', async () => {
    const elements = Array.from({ length: LINKEDIN_MAX_BATCH + 1 }, () => ({
      action: 'ADD',
      userIds: [{ idType: 'SHA256_EMAIL', idValue: DANA_SHA256 }],
    }));
    const res = await fetch(`${doubles.baseUrlFor('linkedin')}/rest/dmpSegments/1/users`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${doubles.secrets.linkedin.accessToken}`,
        'linkedin-version': LINKEDIN_VERSION,
        'x-restli-protocol-version': '2.0.0',
        'x-restli-method': 'BATCH_CREATE',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ elements }),
    });
    expect(res.status).toBe(400);
    const missingVersion = await fetch(`${doubles.baseUrlFor('linkedin')}/rest/dmpSegments/1/users`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${doubles.secrets.linkedin.accessToken}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ elements: elements.slice(0, 1) }),
    });
    expect(missingVersion.status).toBe(400);
  });

  it('429 with Retry-After, 500, a timeout and a partial failure: every member ends in its intended state', async () => {
    const { adapter, sleeps, metrics } = wire(doubles, 'linkedin', {
      policy: { timeoutMs: HANG_TIMEOUT_MS },
    });
    const list = { ...USERS, listId: '888' };
    const members = identified(20_000, 40);
    doubles.faults.retryAfterSeconds = 1;
    doubles.faults.script('linkedin', 'throttle', 'error', 'hang', 'partial');
    const added = await settle(adapter, 'add', list, members);
    expect(sleeps[0]).toBe(1000); // the Retry-After
    expect(metrics.some((m) => m.throttled)).toBe(true);
    expect(metrics.some((m) => m.status === 0)).toBe(true); // the timeout
    expect(added.refused).toEqual([]);
    expect(added.done.sort()).toEqual(members.map((m) => m.memberId).sort());
    expect(added.reportedDone).toBe(members.length); // each member counted once
    expect(doubles.members('linkedin', list.listId)).toEqual(keysOf(members, 'SHA256_EMAIL'));
    // The hang applied the batch before the response was lost: the retry repeated an idempotent ADD.
    expect(doubles.repeatedAdds('linkedin', list.listId)).toBeGreaterThan(0);

    const leaving = members.slice(0, 15);
    doubles.faults.script('linkedin', 'partial', 'hang');
    const removed = await settle(adapter, 'remove', list, leaving);
    expect(removed.done.sort()).toEqual(leaving.map((m) => m.memberId).sort());
    expect(doubles.members('linkedin', list.listId)).toEqual(keysOf(members.slice(15), 'SHA256_EMAIL'));
  });

  it('reports a member the provider refuses as a non-retryable failure, the rest done', async () => {
    const { adapter } = wire(doubles, 'linkedin');
    const good = identified(30_000, 2);
    const bad: IdentifiedMember = { memberId: 'bad', kind: 'contact', ids: { SHA256_EMAIL: 'not-a-hash' } };
    const outcome = await adapter.add({ ...USERS, listId: '999' }, [good[0]!, bad, good[1]!]);
    expect(outcome.done).toEqual([good[0]!.memberId, good[1]!.memberId]);
    expect(outcome.failed).toEqual([expect.objectContaining({ memberId: 'bad', retryable: false })]);
  });

  it('past the retry budget it throws a retryable ProviderError and changes nothing', async () => {
    const { adapter } = wire(doubles, 'linkedin', { policy: { budgetMs: 5_000 } });
    doubles.faults.retryAfterSeconds = 60;
    doubles.faults.script('linkedin', 'throttle');
    const err = await adapter
      .add({ ...USERS, listId: '555' }, identified(40_000, 3))
      .catch((e: unknown) => e);
    doubles.faults.retryAfterSeconds = 1;
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ retryable: true, status: 429, provider: 'linkedin' });
    expect(doubles.members('linkedin', '555')).toEqual([]);
  });

  it('a refused token is a non-retryable ProviderError', async () => {
    const { createAdapter } = await import('../../functions/ads/adapters');
    const adapter = createAdapter(
      { provider: 'linkedin', baseUrl: doubles.baseUrlFor('linkedin') },
      { accessToken: 'wrong' },
      { sleep: async () => {} },
    );
    const err = await adapter.add(USERS, identified(50_000, 1)).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ProviderError', retryable: false, status: 401 });
  });
});

describe('LinkedIn DMP segment companies (account-level targeting)', () => {
  it('adds and removes companies by name and domain', async () => {
    const { adapter } = wire(doubles, 'linkedin');
    const northwind = adapter.identify({
      kind: 'company',
      memberId: 'acct-1',
      name: ' Northwind ',
      domain: 'NorthWind.example',
    })!;
    const contoso = adapter.identify({ kind: 'company', memberId: 'acct-2', name: 'Contoso Ltd' })!;
    expect(northwind.ids).toEqual({ companyName: 'Northwind', companyWebsiteDomain: 'northwind.example' });
    const before = doubles.details('linkedin').length;
    const outcome = await adapter.add(COMPANIES, [northwind, contoso]);
    expect(outcome.done).toEqual(['acct-1', 'acct-2']);
    const req = doubles.details('linkedin')[before]!;
    expect(req.path).toBe('/rest/dmpSegments/654321/companies');
    expect(req.headers['x-restli-method']).toBe('BATCH_CREATE');
    expect(JSON.parse(req.body)).toEqual({
      elements: [
        { action: 'ADD', companyName: 'Northwind', companyWebsiteDomain: 'northwind.example' },
        { action: 'ADD', companyName: 'Contoso Ltd' },
      ],
    });
    expect(doubles.members('linkedin', COMPANIES.listId)).toEqual(['Contoso Ltd', 'northwind.example']);
    doubles.faults.script('linkedin', 'throttle', 'partial');
    await settle(adapter, 'remove', COMPANIES, [northwind]);
    expect(doubles.members('linkedin', COMPANIES.listId)).toEqual(['Contoso Ltd']);
  });

  it('contacts and companies are the only kinds, and a nameless company is not identified', () => {
    const { adapter } = wire(doubles, 'linkedin');
    expect(adapter.kinds).toEqual(['contact', 'company']);
    expect(adapter.identify({ kind: 'company', memberId: 'x', name: '  ' })).toBeUndefined();
  });
});

describe('the doubles snapshot', () => {
  it('lists requests and audiences, by list id or by the name map', async () => {
    const named = await startProviderDoubles({
      providers: ['linkedin'],
      names: { linkedin: { '123456': 'tier1-committee' } },
    });
    try {
      const { adapter } = wire(named, 'linkedin');
      await adapter.add(USERS, [adapter.identify(contact(0, { email: 'dana@northwind.example' }))!]);
      const snap = named.snapshot();
      expect(snap.providers).toHaveLength(1);
      expect(snap.providers[0]).toMatchObject({
        provider: 'linkedin',
        requests: [{ method: 'POST', path: '/rest/dmpSegments/123456/users', status: 200 }],
        audiences: [{ audience: 'tier1-committee', added: [DANA_SHA256], removed: [] }],
      });
      expect(Date.parse(snap.providers[0]!.requests[0]!.at)).not.toBeNaN();
    } finally {
      await named.close();
    }
  });
});
