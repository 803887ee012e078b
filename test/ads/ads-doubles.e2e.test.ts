/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies are read loosely in tests */
/**
 * Ad audiences end to end in local mode with the REAL provider adapters against the in-process
 * provider doubles that local mode starts itself (no baseUrl configured, no secret needed): a
 * tier-1 sequence's ads step adds the consenting committee to LinkedIn, Meta and Google (each
 * double checks the documented request and keeps the hashed emails) and the company to the
 * LinkedIn company list; an erasure removes the person everywhere; an exit removes the account.
 * What the doubles hold is read through `GET /_local/providers`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashEmailForAudience } from '../../functions/kernel/hash';
import type { LocalRuntime } from '../../lib/local/runtime';
import { committeeMember } from '../support/accounts';
import { ADS_PROVIDERS_EXAMPLE } from '../support/ads-sync';
import { ALWAYS, committee, startLocalForTest, until, type ApiClient } from '../support/local';

const TOKEN = 'e2e-ads-doubles-token-0123456789';
const LISTS = { li: '123456', liCompanies: '654321', meta: '23851234567890', google: '8675309' };

let rt: LocalRuntime;
let api: ApiClient;
let stop: (() => Promise<void>) | undefined;

beforeAll(async () => {
  const config = {
    senderEmail: 'campaigns@example.com',
    providers: { ads: ADS_PROVIDERS_EXAMPLE },
  };
  ({ rt, api, stop } = await startLocalForTest('abm-ads-doubles-', TOKEN, 86_400, {
    config,
    options: { adsFlushMs: 50 },
  }));
});

afterAll(async () => {
  await stop?.();
});

const hash = (accountId: string, role: 'economic_buyer' | 'champion' | 'technical_evaluator') =>
  hashEmailForAudience(committeeMember(accountId, role).email);

/** The identifiers each list holds now, as the doubles report them. */
async function held(): Promise<Map<string, string[]>> {
  const res = await api.call('GET', '/_local/providers');
  expect(res.status).toBe(200);
  const out = new Map<string, string[]>();
  for (const p of res.json.providers) for (const a of p.audiences) out.set(a.audience, a.added);
  return out;
}

describe('ad audiences in local mode, real adapters against the provider doubles', () => {
  it('adds, erases and exits through the documented requests of each provider', async () => {
    const account = (id: string) => {
      const a = committee(id, 1);
      a.contacts[2] = { ...a.contacts[2]!, consent: { email: true, ads: false, directMail: true } };
      return a;
    };
    expect(
      (await api.call('POST', '/accounts/import', { accounts: [account('northwind'), account('contoso')] }))
        .json,
    ).toMatchObject({ imported: 2, rejected: [] });
    expect(
      (
        await api.call('PUT', '/sequences/tier1-ads', {
          name: 'Tier 1 with ads',
          sendWindow: ALWAYS,
          steps: [
            {
              id: 'ads',
              channel: 'ads',
              after: 'P0D',
              audience: 'tier1-committee',
              target: 'both',
              to: 'all',
            },
            {
              id: 'wait',
              type: 'await_engagement',
              timeout: 'P365D',
              until: { minScore: 1000 },
              onTimeout: 'exit',
            },
          ],
        })
      ).status,
    ).toBe(201);
    const launch = await api.call('POST', '/campaigns', {
      campaignId: 'q1-ads-doubles',
      name: 'Q1 ads',
      sequenceId: 'tier1-ads',
      audience: { tier: 1 },
    });
    expect(launch.status).toBeLessThan(300);

    const consenting = ['northwind', 'contoso'].flatMap((a) => [
      hash(a, 'economic_buyer'),
      hash(a, 'champion'),
    ]);
    await until('the committees in all three doubles and the companies in LinkedIn', async () => {
      const h = await held();
      return (
        [LISTS.li, LISTS.meta, LISTS.google].every((l) => consenting.every((m) => h.get(l)?.includes(m))) &&
        (h.get(LISTS.liCompanies)?.length ?? 0) === 2
      );
    });
    let h = await held();
    for (const l of [LISTS.li, LISTS.meta, LISTS.google]) {
      expect(h.get(l)).not.toContain(hash('northwind', 'technical_evaluator')); // no ads consent
      expect(h.get(l)).toHaveLength(4);
    }
    expect(h.get(LISTS.liCompanies)).toEqual(['contoso.example', 'northwind.example']);

    // Erasure: the person leaves every list, by the identifiers the add sent.
    expect((await api.call('DELETE', '/contacts/northwind-eb')).status).toBe(200);
    await until('northwind-eb erased from every double', async () => {
      const now = await held();
      return [LISTS.li, LISTS.meta, LISTS.google].every(
        (l) => !now.get(l)?.includes(hash('northwind', 'economic_buyer')),
      );
    });

    // Exit: contoso becomes an opportunity; its people and its company leave the lists.
    await api.call('POST', '/events', {
      events: [
        {
          eventId: 'crm-contoso-opp-doubles',
          type: 'crm.stage_changed',
          occurredAt: rt.clock.now().toISOString(),
          accountId: 'contoso',
          properties: { stage: 'opportunity' },
        },
      ],
    });
    await until('contoso removed from every list', async () => {
      const now = await held();
      return (
        [LISTS.li, LISTS.meta, LISTS.google].every(
          (l) =>
            !now.get(l)?.includes(hash('contoso', 'economic_buyer')) &&
            !now.get(l)?.includes(hash('contoso', 'champion')),
        ) && !now.get(LISTS.liCompanies)?.includes('contoso.example')
      );
    });
    h = await held();
    for (const l of [LISTS.li, LISTS.meta, LISTS.google])
      expect(h.get(l)).toEqual([hash('northwind', 'champion')]);
    expect(h.get(LISTS.liCompanies)).toEqual(['northwind.example']);
    const res = await api.call('GET', '/_local/providers');
    for (const p of res.json.providers) {
      expect(p.requests.length).toBeGreaterThan(0);
      expect(p.requests.every((r: any) => r.status < 300)).toBe(true);
    }
  });
});
