/**
 * The Google Customer Match adapter (Data Manager API) against its local double
 * (lib/local/doubles/google.ts): the OAuth refresh-token flow, the documented request, Gmail
 * normalisation, EEA consent, the 10,000-member limit and injected faults.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAdapter, GOOGLE_MAX_BATCH, normaliseEmailForGoogle } from '../../functions/ads/adapters';
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

const LIST: ProviderAudience = { audience: 'tier1-committee', kind: 'contact', listId: '8675309' };

let doubles: ProviderDoubles;
beforeAll(async () => {
  doubles = await startProviderDoubles({ providers: ['google'] });
});
afterAll(() => doubles.close());
afterEach(() => doubles.faults.clear());

const identified = (from: number, count: number) => identifiedContacts(doubles, 'google', from, count);
const sent = (from: number) => doubles.details('google').slice(from);

describe('Google Customer Match (Data Manager API)', () => {
  it('refreshes an access token, then sends the documented ingest request', async () => {
    const { adapter } = wire(doubles, 'google');
    const dana = adapter.identify(
      contact(0, {
        memberId: 'dana',
        email: ' Dana@Northwind.Example ',
        consent: { adUserData: 'granted', adPersonalization: 'denied' },
      }),
    )!;
    expect(dana.ids).toEqual({ emailAddress: DANA_SHA256 });
    const before = doubles.details('google').length;
    expect(await adapter.add(LIST, [dana])).toEqual({ done: ['dana'], failed: [] });
    const [token, ingest] = sent(before);
    expect(token).toMatchObject({ method: 'POST', path: '/token', status: 200 });
    expect(Object.fromEntries(new URLSearchParams(token!.body))).toEqual({
      grant_type: 'refresh_token',
      client_id: doubles.secrets.google.clientId,
      client_secret: doubles.secrets.google.clientSecret,
      refresh_token: doubles.secrets.google.refreshToken,
    });
    expect(ingest).toMatchObject({ method: 'POST', path: '/v1/audienceMembers:ingest', status: 200 });
    expect(ingest!.headers.authorization).toMatch(/^Bearer ya29\.double-\d+$/);
    expect(ingest!.headers['developer-token']).toBeUndefined(); // the Data Manager API takes none
    expect(JSON.parse(ingest!.body)).toEqual({
      destinations: [
        {
          operatingAccount: { accountType: 'GOOGLE_ADS', accountId: '1234567890' },
          productDestinationId: '8675309',
        },
      ],
      audienceMembers: [
        {
          userData: { userIdentifiers: [{ emailAddress: DANA_SHA256 }] },
          consent: { adUserData: 'CONSENT_GRANTED', adPersonalization: 'CONSENT_DENIED' },
        },
      ],
      encoding: 'HEX',
      termsOfService: { customerMatchTermsOfServiceStatus: 'ACCEPTED' },
    });
    expect(doubles.members('google', LIST.listId)).toEqual([DANA_SHA256]);

    // The token is reused until it expires; a remove goes to :remove, without consent or terms.
    await adapter.remove(LIST, [dana]);
    const [remove] = sent(before + 2);
    expect(remove!.path).toBe('/v1/audienceMembers:remove');
    expect(JSON.parse(remove!.body)).toEqual({
      destinations: [
        {
          operatingAccount: { accountType: 'GOOGLE_ADS', accountId: '1234567890' },
          productDestinationId: '8675309',
        },
      ],
      audienceMembers: [{ userData: { userIdentifiers: [{ emailAddress: DANA_SHA256 }] } }],
      encoding: 'HEX',
    });
    expect(doubles.members('google', LIST.listId)).toEqual([]);
  });

  it("normalises Gmail addresses by Google's rule, and no other domain", () => {
    expect(normaliseEmailForGoogle(' Jo.Doe+ads@GoogleMail.com ')).toBe('jodoe@googlemail.com');
    expect(normaliseEmailForGoogle('cloudy.sanfrancisco+shopping@gmail.com')).toBe(
      'cloudysanfrancisco@gmail.com',
    );
    expect(normaliseEmailForGoogle('user.name+NYC@Example.com')).toBe('user.name+nyc@example.com');
    const { adapter } = wire(doubles, 'google');
    // SHA-256 of the normalised addresses, computed with sha256sum.
    expect(adapter.identify(contact(1, { email: ' Jo.Doe+ads@GoogleMail.com ' }))!.ids.emailAddress).toBe(
      '264107f227104936070898f48d46e728a3d8f5f182b625fae04bf6e82ef27490',
    );
    expect(adapter.identify(contact(2, { email: 'user.name+NYC@Example.com' }))!.ids.emailAddress).toBe(
      'f109a2a632fbcea5fc82049f50beed3d8621bf9034399f437fb622222acccdac',
    );
  });

  it('leaves out unknown consent, and reaches the customer through a manager account when configured', async () => {
    const { adapter } = wire(doubles, 'google', {}, { loginCustomerId: '111-222-3333' });
    const m = adapter.identify(
      contact(3, { consent: { adUserData: 'unspecified', adPersonalization: 'granted' } }),
    )!;
    const before = doubles.details('google').length;
    await adapter.add(LIST, [m]);
    const body = JSON.parse(sent(before).at(-1)!.body);
    expect(body.destinations[0].loginAccount).toEqual({ accountType: 'GOOGLE_ADS', accountId: '1112223333' });
    expect(body.audienceMembers[0].consent).toEqual({ adPersonalization: 'CONSENT_GRANTED' });
  });

  it('splits limit + 1 members into two requests; the double refuses more than the limit', async () => {
    const { adapter } = wire(doubles, 'google');
    const members = identified(100_000, GOOGLE_MAX_BATCH + 1);
    const before = doubles.details('google').length;
    await settle(adapter, 'add', { ...LIST, listId: '777' }, members);
    const sizes = sent(before)
      .filter((d) => d.path.startsWith('/v1/'))
      .map((d) => JSON.parse(d.body).audienceMembers.length);
    expect(sizes).toEqual([GOOGLE_MAX_BATCH, 1]);
    expect(doubles.members('google', '777')).toEqual(keysOf(members, 'emailAddress'));

    const tooMany = await fetch(`${doubles.baseUrlFor('google')}/v1/audienceMembers:ingest`, {
      method: 'POST',
      headers: {
        authorization: sent(before).at(-1)!.headers.authorization!,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        destinations: [
          { operatingAccount: { accountType: 'GOOGLE_ADS', accountId: '1' }, productDestinationId: '1' },
        ],
        audienceMembers: Array.from({ length: GOOGLE_MAX_BATCH + 1 }, () => ({
          userData: { userIdentifiers: [{ emailAddress: DANA_SHA256 }] },
        })),
        encoding: 'HEX',
      }),
    });
    expect(tooMany.status).toBe(400);
  });

  it('429 with Retry-After, 500, a timeout, an expired token and a partial failure: every member ends in its intended state', async () => {
    const { adapter, sleeps } = wire(doubles, 'google', { policy: { timeoutMs: HANG_TIMEOUT_MS } });
    const list = { ...LIST, listId: '888' };
    const members = identified(200_000, 30);
    const before = doubles.details('google').length;
    // The refusal comes before the hang: Google refuses a member for its data, so the same member
    // is never first applied (a hang applies the batch) and then refused.
    doubles.faults.script('google', 'throttle', 'error', 'partial', 'hang', 'expireToken');
    const added = await settle(adapter, 'add', list, members);
    expect(sleeps[0]).toBe(1000);
    // The partial failure refused the batch's first member for good; everyone else is in.
    expect(added.refused).toEqual([expect.objectContaining({ memberId: members[0]!.memberId })]);
    expect(added.done.sort()).toEqual(
      members
        .slice(1)
        .map((m) => m.memberId)
        .sort(),
    );
    expect(added.reportedDone).toBe(members.length - 1);
    expect(doubles.members('google', list.listId)).toEqual(keysOf(members.slice(1), 'emailAddress'));
    expect(doubles.repeatedAdds('google', list.listId)).toBeGreaterThan(0); // the hang's batch was sent again
    expect(sent(before).filter((d) => d.path === '/token').length).toBeGreaterThanOrEqual(1); // refreshed after the 401

    const leaving = members.slice(1, 21);
    doubles.faults.script('google', 'hang', 'throttle');
    await settle(adapter, 'remove', list, leaving);
    expect(doubles.members('google', list.listId)).toEqual(keysOf(members.slice(21), 'emailAddress'));
  });

  it('a member Google refuses is dropped and the rest of the batch sent again', async () => {
    const { adapter } = wire(doubles, 'google');
    const good = identified(300_000, 2);
    const bad: IdentifiedMember = {
      memberId: 'bad',
      kind: 'contact',
      ids: { emailAddress: 'Dana@Northwind.Example' },
      consent: { adUserData: 'granted', adPersonalization: 'granted' },
    };
    const outcome = await adapter.add({ ...LIST, listId: '999' }, [good[0]!, bad, good[1]!]);
    expect(outcome.done).toEqual([good[0]!.memberId, good[1]!.memberId]);
    expect(outcome.failed).toEqual([
      expect.objectContaining({
        memberId: 'bad',
        retryable: false,
        reason: expect.stringContaining('INVALID_HEX_ENCODING'),
      }),
    ]);
    expect(doubles.members('google', '999')).toEqual(keysOf(good, 'emailAddress'));
  });

  it('a refused refresh token is a non-retryable ProviderError; the secret and customerId are checked up front', async () => {
    const adapter = createAdapter(
      { provider: 'google', baseUrl: doubles.baseUrlFor('google'), customerId: '1' },
      { ...doubles.secrets.google, refreshToken: 'revoked' },
      { sleep: async () => {} },
    );
    const err = await adapter.add(LIST, identified(400_000, 1)).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ProviderError', retryable: false });
    expect(() => createAdapter({ provider: 'google', customerId: '1' }, { clientId: 'x' })).toThrow(
      /"clientSecret", "refreshToken"/,
    );
    expect(() => createAdapter({ provider: 'google' }, doubles.secrets.google)).toThrow(/customerId/);
  });
});
