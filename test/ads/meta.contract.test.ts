/**
 * The Meta custom audience adapter against its local double (lib/local/doubles/meta.ts): the users
 * edge with its version, access token and payload, the 10,000-record limit, invalid entries and
 * injected faults (including Graph's own throttle, code 80003 with HTTP 400).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAdapter, META_MAX_BATCH, META_VERSION } from '../../functions/ads/adapters';
import { type IdentifiedMember, type ProviderAudience } from '../../functions/ads/port';
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

const LIST: ProviderAudience = { audience: 'tier1-committee', kind: 'contact', listId: '23851234567890' };

let doubles: ProviderDoubles;
beforeAll(async () => {
  doubles = await startProviderDoubles({ providers: ['meta'] });
});
afterAll(() => doubles.close());
afterEach(() => doubles.faults.clear());

const identified = (from: number, count: number) => identifiedContacts(doubles, 'meta', from, count);
const form = (body: string) => Object.fromEntries(new URLSearchParams(body));

describe('Meta custom audience users', () => {
  it('POSTs adds and DELETEs removes on the versioned users edge, token and payload in the form body', async () => {
    const { adapter } = wire(doubles, 'meta');
    const dana = adapter.identify(contact(0, { memberId: 'dana', email: ' Dana@Northwind.Example ' }))!;
    expect(dana.ids).toEqual({ EMAIL_SHA256: DANA_SHA256 });
    const before = doubles.details('meta').length;
    expect(await adapter.add(LIST, [dana])).toEqual({ done: ['dana'], failed: [] });
    const add = doubles.details('meta')[before]!;
    expect(add.method).toBe('POST');
    expect(add.path).toBe(`/${META_VERSION}/23851234567890/users`);
    expect(META_VERSION).toBe('v26.0');
    expect(add.query).toEqual({}); // no token in the URL
    expect(add.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const fields = form(add.body);
    expect(fields.access_token).toBe(doubles.secrets.meta.accessToken);
    expect(JSON.parse(fields.payload!)).toEqual({ schema: 'EMAIL_SHA256', data: [DANA_SHA256] });
    expect(doubles.members('meta', LIST.listId)).toEqual([DANA_SHA256]);

    await adapter.remove(LIST, [dana]);
    const remove = doubles.details('meta').at(-1)!;
    expect(remove.method).toBe('DELETE');
    expect(remove.path).toBe(`/${META_VERSION}/23851234567890/users`);
    expect(doubles.members('meta', LIST.listId)).toEqual([]);
  });

  it('splits limit + 1 members into two calls; the double refuses more than 10,000 in one', async () => {
    const { adapter } = wire(doubles, 'meta');
    const members = identified(100_000, META_MAX_BATCH + 1);
    const before = doubles.details('meta').length;
    await settle(adapter, 'add', { ...LIST, listId: '777' }, members);
    const sizes = doubles
      .details('meta')
      .slice(before)
      .map((d) => JSON.parse(form(d.body).payload!).data.length);
    expect(sizes).toEqual([META_MAX_BATCH, 1]);
    expect(doubles.members('meta', '777')).toEqual(keysOf(members, 'EMAIL_SHA256'));

    const tooMany = await fetch(`${doubles.baseUrlFor('meta')}/${META_VERSION}/777/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        access_token: doubles.secrets.meta.accessToken,
        payload: JSON.stringify({
          schema: 'EMAIL_SHA256',
          data: Array(META_MAX_BATCH + 1).fill(DANA_SHA256),
        }),
      }).toString(),
    });
    expect(tooMany.status).toBe(400);
    const oldVersion = await fetch(`${doubles.baseUrlFor('meta')}/v19.0/777/users`, { method: 'POST' });
    expect(oldVersion.status).toBe(400);
  });

  it('429 with Retry-After, Graph throttle 80003, 500, a timeout and a partial failure: every member ends in its intended state', async () => {
    const { adapter, sleeps, metrics } = wire(doubles, 'meta', { policy: { timeoutMs: HANG_TIMEOUT_MS } });
    const list = { ...LIST, listId: '888' };
    const members = identified(200_000, 30);
    // No hang before the refusal: Meta refuses an entry for its data, never one it already
    // applied (the hang is in the remove below and in the next test).
    doubles.faults.script('meta', 'throttle', 'graphThrottle', 'error', 'partial');
    const added = await settle(adapter, 'add', list, members);
    expect(sleeps[0]).toBe(1000);
    expect(metrics.filter((m) => m.throttled).map((m) => m.status)).toEqual([429, 400]);
    expect(added.refused).toEqual([expect.objectContaining({ memberId: members[0]!.memberId })]);
    expect(added.done.sort()).toEqual(
      members
        .slice(1)
        .map((m) => m.memberId)
        .sort(),
    );
    expect(added.reportedDone).toBe(members.length - 1);
    expect(doubles.members('meta', list.listId)).toEqual(keysOf(members.slice(1), 'EMAIL_SHA256'));
    expect(doubles.repeatedAdds('meta', list.listId)).toBe(0); // nothing applied before the partial call

    const leaving = members.slice(1, 11);
    doubles.faults.script('meta', 'hang', 'throttle', 'error');
    await settle(adapter, 'remove', list, leaving);
    expect(doubles.members('meta', list.listId)).toEqual(keysOf(members.slice(11), 'EMAIL_SHA256'));
  });

  it('a timeout after the provider applied an add: the retry repeats the idempotent add, the state is exact', async () => {
    const { adapter } = wire(doubles, 'meta', { policy: { timeoutMs: HANG_TIMEOUT_MS } });
    const members = identified(250_000, 5);
    doubles.faults.script('meta', 'hang');
    const added = await settle(adapter, 'add', { ...LIST, listId: '444' }, members);
    expect(added.reportedDone).toBe(5);
    expect(doubles.repeatedAdds('meta', '444')).toBe(5);
    expect(doubles.members('meta', '444')).toEqual(keysOf(members, 'EMAIL_SHA256'));
  });

  it('entries Meta names invalid are non-retryable failures, the rest done', async () => {
    const { adapter } = wire(doubles, 'meta');
    const good = identified(300_000, 2);
    const bad: IdentifiedMember = {
      memberId: 'bad',
      kind: 'contact',
      ids: { EMAIL_SHA256: 'dana@northwind.example' },
    };
    const outcome = await adapter.add({ ...LIST, listId: '999' }, [good[0]!, bad, good[1]!]);
    expect(outcome.done).toEqual([good[0]!.memberId, good[1]!.memberId]);
    expect(outcome.failed).toEqual([expect.objectContaining({ memberId: 'bad', retryable: false })]);
    expect(doubles.members('meta', '999')).toEqual(keysOf(good, 'EMAIL_SHA256'));
  });

  it('an invalid token (code 190) is a non-retryable ProviderError; companies are not Meta members', async () => {
    const adapter = createAdapter(
      { provider: 'meta', baseUrl: doubles.baseUrlFor('meta') },
      { accessToken: 'expired' },
      { sleep: async () => {} },
    );
    const err = await adapter.add(LIST, identified(400_000, 1)).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ProviderError', retryable: false, provider: 'meta' });
    expect(adapter.kinds).toEqual(['contact']);
    expect(adapter.identify({ kind: 'company', memberId: 'a', name: 'Northwind' })).toBeUndefined();
  });
});
