/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies are read loosely in tests */
/**
 * Ad audiences end to end in local mode (the real AccountSequence ASL, the local bus, the audience
 * sync queue and the sync Lambda's code), driven through the HTTP API: a tier-1 sequence's ads step
 * (target both) adds the consenting committee to LinkedIn, Meta and Google and the company to the
 * LinkedIn company list; an exit (the CRM moves the account to opportunity) removes them; an erasure
 * (DELETE /contacts/{id}) removes the person everywhere. The configuration comes from ABM_CONFIG
 * with no baseUrl, so every provider is served by the doubles given to local mode; here a trivial
 * in-test `ProviderDoubles` over fake adapters (the provider adapters and their doubles have their
 * own contract tests).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderDoubles, ProvidersSnapshot } from '../../lib/local/providers';
import type { LocalRuntime } from '../../lib/local/runtime';
import type { LocalSettings } from '../../lib/local/settings';
import { ADS_PROVIDERS_EXAMPLE, fakeAdapters } from '../support/ads-sync';
import { ALWAYS, committee, startLocalForTest, until, type ApiClient } from '../support/local';

const TOKEN = 'e2e-ads-token-0123456789';
const LISTS = { li: '123456', liCompanies: '654321', meta: '23851234567890', google: '8675309' };
const adapters = fakeAdapters(2);
const { fakes } = adapters;

/** What the fakes hold and were asked, in the GET /_local/providers shape. */
const doubles: ProviderDoubles & { baseUrls: string[] } = {
  baseUrls: [],
  baseUrlFor(provider) {
    const url = `http://127.0.0.1:1${['linkedin', 'google', 'meta'].indexOf(provider)}`;
    this.baseUrls.push(url);
    return url;
  },
  snapshot(): ProvidersSnapshot {
    return {
      providers: Object.values(fakes).map((fake) => {
        const audiences = new Map<string, { audience: string; added: string[]; removed: string[] }>();
        for (const call of fake.calls) {
          const a = audiences.get(call.listId) ?? { audience: call.listId, added: [], removed: [] };
          (call.action === 'add' ? a.added : a.removed).push(...call.memberIds);
          audiences.set(call.listId, a);
        }
        return {
          provider: fake.provider,
          requests: fake.calls.map((c) => ({
            at: '2026-01-01T00:00:00.000Z',
            method: 'POST',
            path: `/lists/${c.listId}/${c.action}`,
            status: 200,
          })),
          audiences: [...audiences.values()],
        };
      }),
    };
  },
};

let rt: LocalRuntime;
let api: ApiClient;
let stop: (() => Promise<void>) | undefined;

beforeAll(async () => {
  const config = {
    senderEmail: 'campaigns@example.com',
    providers: { ads: ADS_PROVIDERS_EXAMPLE },
  };
  let settings: LocalSettings;
  ({ rt, api, stop, settings } = await startLocalForTest('abm-ads-e2e-', TOKEN, 86_400, {
    config,
    options: { providerDoubles: doubles, createAdapter: adapters.createAdapter, adsFlushMs: 50 },
  }));
  expect(settings.adsProviders.map((p) => p.provider)).toEqual(['linkedin', 'meta', 'google']);
});

afterAll(async () => {
  await stop?.();
});

/** A tier-1 committee whose technical evaluator gave no ads consent. */
function account(accountId: string) {
  const a = committee(accountId, 1);
  a.contacts[2] = { ...a.contacts[2]!, consent: { email: true, ads: false, directMail: true } };
  return a;
}

const holds = (listId: string, ...members: string[]) => {
  const fake = listId === LISTS.meta ? fakes.meta : listId === LISTS.google ? fakes.google : fakes.linkedin;
  return members.every((m) => fake.members(listId).includes(m));
};
const holdsNone = (listId: string, ...members: string[]) => {
  const fake = listId === LISTS.meta ? fakes.meta : listId === LISTS.google ? fakes.google : fakes.linkedin;
  return members.every((m) => !fake.members(listId).includes(m));
};

describe('ad audiences in local mode', () => {
  it('adds on the ads step, removes on exit and on erasure; GET /_local/providers shows it', async () => {
    expect(
      (await api.call('POST', '/accounts/import', { accounts: [account('northwind'), account('contoso')] }))
        .json,
    ).toMatchObject({ imported: 2, rejected: [] });
    // Once providers are configured, an audience no provider maps is refused with the step's path.
    const refused = await api.call('PUT', '/sequences/unmapped', {
      name: 'x',
      steps: [{ id: 'ads', channel: 'ads', audience: 'nobody-maps-this' }],
    });
    expect(refused.status).toBe(400);
    expect(refused.json.error.details[0].path).toBe('body.steps.0.audience');
    const put = await api.call('PUT', '/sequences/tier1-ads', {
      name: 'Tier 1 with ads',
      sendWindow: ALWAYS,
      steps: [
        { id: 'ads', channel: 'ads', after: 'P0D', audience: 'tier1-committee', target: 'both', to: 'all' },
        {
          id: 'wait',
          type: 'await_engagement',
          timeout: 'P365D',
          until: { minScore: 1000 },
          onTimeout: 'exit',
        },
      ],
    });
    expect(put.status).toBe(201);
    const launch = await api.call('POST', '/campaigns', {
      campaignId: 'q1-ads',
      name: 'Q1 ads',
      sequenceId: 'tier1-ads',
      audience: { tier: 1 },
    });
    expect(launch.status).toBeLessThan(300);

    const consenting = ['northwind-eb', 'northwind-ch', 'contoso-eb', 'contoso-ch'];
    await until(
      'the committees in all three providers and the companies in LinkedIn',
      async () =>
        [LISTS.li, LISTS.meta, LISTS.google].every((l) => holds(l, ...consenting)) &&
        holds(LISTS.liCompanies, 'northwind', 'contoso'),
    );
    // No ads consent: never sent anywhere; batches at the adapter's maximum (2).
    for (const fake of Object.values(fakes)) {
      expect(fake.calls.flatMap((c) => c.memberIds)).not.toContain('northwind-te');
      for (const c of fake.calls) expect(c.memberIds.length).toBeLessThanOrEqual(2);
    }
    // No baseUrl locally: each adapter was pointed at its double, with no secret.
    expect(adapters.settingsSeen).toHaveLength(3);
    for (const s of adapters.settingsSeen) {
      expect(s.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(s.secret).toBeUndefined();
    }

    // Erasure: the person leaves every list it was in.
    expect((await api.call('DELETE', '/contacts/northwind-eb')).status).toBe(200);
    await until('northwind-eb erased from every provider', async () =>
      [LISTS.li, LISTS.meta, LISTS.google].every((l) => holdsNone(l, 'northwind-eb')),
    );
    expect(holds(LISTS.meta, 'northwind-ch', 'contoso-eb', 'contoso-ch')).toBe(true);

    // Exit: the CRM moves contoso to opportunity; its enrollment ends and its audiences are left.
    const events = await api.call('POST', '/events', {
      events: [
        {
          eventId: 'crm-contoso-opp',
          type: 'crm.stage_changed',
          occurredAt: rt.clock.now().toISOString(),
          accountId: 'contoso',
          properties: { stage: 'opportunity' },
        },
      ],
    });
    expect(events.status).toBeLessThan(300);
    await until(
      'contoso removed from every list',
      async () =>
        [LISTS.li, LISTS.meta, LISTS.google].every((l) => holdsNone(l, 'contoso-eb', 'contoso-ch')) &&
        holdsNone(LISTS.liCompanies, 'contoso'),
    );
    expect(holds(LISTS.liCompanies, 'northwind')).toBe(true);
    expect(holds(LISTS.google, 'northwind-ch')).toBe(true);

    // What each provider received, behind the bearer token.
    expect((await api.call('GET', '/_local/providers', undefined, { token: null })).status).toBe(401);
    const seen = await api.call('GET', '/_local/providers');
    expect(seen.status).toBe(200);
    const linkedin = seen.json.providers.find((p: any) => p.provider === 'linkedin');
    expect(linkedin.requests[0]).toMatchObject({ method: 'POST', status: 200 });
    expect(linkedin.audiences).toEqual(
      expect.arrayContaining([
        {
          audience: LISTS.liCompanies,
          added: expect.arrayContaining(['northwind', 'contoso']),
          removed: ['contoso'],
        },
      ]),
    );
    expect(seen.json.providers.map((p: any) => p.provider).sort()).toEqual(['google', 'linkedin', 'meta']);
  });
});
