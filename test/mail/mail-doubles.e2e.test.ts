/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies are read loosely in tests */
/**
 * Direct mail end to end in local mode (real ASL, real engine, the real Lob adapter against the
 * Lob double local mode points it at; no baseUrl configured, no secret needed): a tier-1 sequence
 * orders a Lob letter once per contact with direct-mail consent and a postal address; the double
 * then sends a signed delivery webhook to `POST /webhooks/lob`, which becomes
 * `direct_mail.delivered` engagement on the account (scored). What the double holds and the key's
 * kind (test) are read through `GET /_local/providers`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DETAIL_TYPES } from '../../functions/kernel/events';
import { AccountRepository } from '../../functions/platform/store/accounts';
import { startMailDoubles, type MailDoubles } from '../../lib/local/doubles/mail';
import { LOCAL_MAIL_WEBHOOK_SECRET } from '../../lib/local/mail';
import type { LocalRuntime } from '../../lib/local/runtime';
import { ALWAYS, committee, startLocalForTest, until, type ApiClient } from '../support/local';
import { mailSettings } from '../support/mail';

const TOKEN = 'e2e-mail-doubles-token-0123456789';
let rt: LocalRuntime;
let api: ApiClient;
let doubles: MailDoubles;
let stop: (() => Promise<void>) | undefined;
const logs: string[] = [];

beforeAll(async () => {
  const { baseUrl: _none, ...lob } = mailSettings('lob');
  const config = { senderEmail: 'campaigns@example.com', providers: { directMail: lob } };
  // The test brings the double (to send webhooks from it); local mode points Lob at it.
  doubles = await startMailDoubles({ providers: ['lob'] });
  ({ rt, api, stop } = await startLocalForTest('abm-mail-doubles-', TOKEN, 1, {
    config,
    options: { mailDoubles: doubles, log: (message) => logs.push(message) },
  }));
});

afterAll(async () => {
  await stop?.();
  await doubles?.close();
});

const address = { line1: '1 Main St', city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' };
const noMail = { email: true, ads: true, directMail: false };

describe('direct mail in local mode, the real Lob adapter against the Lob double', () => {
  it('says at start that the key is a test key', async () => {
    expect(logs).toContain('direct mail provider lob: test key');
    const res = await api.call('GET', '/_local/providers');
    expect(res.json.providers.map((p: any) => [p.provider, p.mode])).toEqual([['lob', 'test']]);
  });

  it('orders one letter per consenting contact with an address; a delivery webhook becomes engagement', async () => {
    const northwind = committee('northwind', 1);
    northwind.contacts[0] = { ...northwind.contacts[0]!, postalAddress: address } as any;
    northwind.contacts[1] = { ...northwind.contacts[1]!, postalAddress: address, consent: noMail } as any;
    const contoso = committee('contoso', 1);
    contoso.contacts[0] = { ...contoso.contacts[0]!, postalAddress: address } as any;
    contoso.contacts[1] = { ...contoso.contacts[1]!, postalAddress: address } as any;
    contoso.contacts[2] = { ...contoso.contacts[2]!, postalAddress: address, consent: noMail } as any;
    expect(
      (await api.call('POST', '/accounts/import', { accounts: [northwind, contoso] })).json,
    ).toMatchObject({
      imported: 2,
      rejected: [],
    });
    expect(
      (
        await api.call('PUT', '/sequences/tier1-mail', {
          name: 'Tier 1 with a booklet',
          sendWindow: ALWAYS,
          steps: [
            {
              id: 'gift',
              channel: 'direct_mail',
              after: 'P0D',
              to: 'all',
              piece: 'roi-booklet',
              maxCostCents: 5000,
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
      campaignId: 'q1-mail',
      name: 'Q1 mail',
      sequenceId: 'tier1-mail',
      audience: { tier: 1 },
    });
    expect(launch.status).toBeLessThan(300);

    const held = async () =>
      ((await api.call('GET', '/_local/providers')).json.providers[0].pieces as any[]).filter(
        (p) => p.metadata.campaignId === 'q1-mail',
      );
    await until('three letters at the Lob double', async () => (await held()).length >= 3);
    const pieces = await held();
    expect(pieces.map((p) => p.metadata.contactId).sort()).toEqual([
      'contoso-ch',
      'contoso-eb',
      'northwind-eb',
    ]);
    expect(pieces.every((p) => p.kind === 'letter' && p.status === 'ready')).toBe(true);
    // One piece per touch, each with its own idempotency key.
    expect(new Set(pieces.map((p) => p.idempotencyKey)).size).toBe(3);
    // The budget counted the piece's price, once per piece.
    expect((await rt.platform.repository(AccountRepository).get('contoso'))!.directMailSpentCents).toBe(360);

    // The delivery webhook, signed by the double as Lob signs, at local mode's clock.
    const piece = pieces.find((p) => p.metadata.contactId === 'northwind-eb')!;
    const hook = doubles.deliveredWebhook('lob', piece.id, LOCAL_MAIL_WEBHOOK_SECRET, {
      timestamp: rt.clock.now().getTime(),
    });
    const res = await fetch(`${rt.url}/webhooks/lob`, {
      method: 'POST',
      headers: hook.headers,
      body: hook.body,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: 1, applied: 1, duplicates: 0, refused: 0 });
    const delivered = rt.bus.recent.filter(
      (e) =>
        e.detailType === DETAIL_TYPES.engagementRecorded &&
        (e.detail as any).type === 'direct_mail.delivered',
    );
    expect(delivered.map((e) => [(e.detail as any).accountId, (e.detail as any).contactId])).toEqual([
      ['northwind', 'northwind-eb'],
    ]);
    await until('the delivery scored on northwind', async () => {
      const view = (await api.call('GET', '/accounts/northwind')).json;
      return view.score !== null && view.score.value > 0;
    });
  });
});
