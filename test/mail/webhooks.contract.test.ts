/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies are read loosely in tests */
/**
 * Lob's and PostGrid's tracking webhooks through `POST /webhooks/{provider}` with the receivers the
 * configuration selects (functions/webhooks/mail.ts): a delivered piece, signed by the double the
 * way the provider signs, becomes `direct_mail.delivered` engagement on the account its metadata
 * names; a forged signature, a stale timestamp (a captured request replayed later) and a replay of
 * the same event are refused or applied once.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DETAIL_TYPES } from '../../functions/kernel/events';
import { startMailDoubles, type MailDoubles, type MailProviderName } from '../../lib/local/doubles/mail';
import { account, startHarness, type Harness } from '../support/api';
import { MAIL_WEBHOOK_SECRET, mailOrder, mailSettings, wireMail } from '../support/mail';

describe.each(['lob', 'postgrid'] as MailProviderName[])('%s tracking webhooks', (provider) => {
  let h: Harness;
  let doubles: MailDoubles;
  beforeAll(async () => {
    h = await startHarness({
      directMailProvider: mailSettings(provider),
      providerSecrets: { [`abm/${provider}-webhook`]: { secret: MAIL_WEBHOOK_SECRET } },
    });
    doubles = await startMailDoubles({ providers: [provider], now: () => h.clock.now().getTime() });
    expect(
      (await h.call('POST', '/accounts/import', { body: { accounts: [account(1)] } })).status,
    ).toBeLessThan(300);
  });
  afterAll(async () => {
    await doubles?.close();
    await h?.stop();
  });
  beforeEach(() => {
    h.publisher.events.length = 0;
  });

  const recorded = () => h.publisher.ofType(DETAIL_TYPES.engagementRecorded);
  const post = (hook: { body: string; headers: Record<string, string> }) =>
    h.call('POST', `/webhooks/${provider}`, {
      raw: hook.body,
      contentType: 'application/json',
      headers: { ...hook.headers, host: 'abm.example', 'x-forwarded-proto': 'https' },
    });
  /** A piece the double made for account acct-00001's contact. */
  async function piece(i: number): Promise<string> {
    const { adapter } = wireMail(doubles, provider);
    const { ref } = await adapter.request(
      mailOrder(i, {
        accountId: 'acct-00001',
        contactId: 'acct-00001-c1',
        orderId: `${provider}-touch-${i}`,
      }),
    );
    return ref;
  }

  it('a verified delivery becomes direct_mail.delivered on the account, once; the replay is a duplicate', async () => {
    const ref = await piece(1);
    const hook = doubles.deliveredWebhook(provider, ref, MAIL_WEBHOOK_SECRET);
    const first = await post(hook);
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ received: 1, applied: 1, duplicates: 0, refused: 0 });
    const events = recorded().map((e: any) => e.detail);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'direct_mail.delivered',
      accountId: 'acct-00001',
      properties: { provider, pieceId: ref, campaignId: 'q1', touchId: `${provider}-touch-1` },
    });
    const replay = await post(hook);
    expect(replay.json).toEqual({ received: 1, applied: 0, duplicates: 1, refused: 0 });
    expect(recorded()).toHaveLength(1);
  });

  it('refuses a forged signature with 401 and applies nothing', async () => {
    const ref = await piece(2);
    const forged = doubles.deliveredWebhook(provider, ref, 'not-the-secret');
    const res = await post(forged);
    expect(res.status).toBe(401);
    expect(res.json.error.message).toContain('bad signature');
    // A body changed after signing does not verify either.
    const genuine = doubles.deliveredWebhook(provider, ref, MAIL_WEBHOOK_SECRET);
    const tampered = { ...genuine, body: genuine.body.replace('acct-00001', 'acct-00002') };
    expect((await post(tampered)).status).toBe(401);
    expect(recorded()).toHaveLength(0);
  });

  it('refuses a captured request replayed after the timestamp window, and one with no signature', async () => {
    const ref = await piece(3);
    const stale = doubles.deliveredWebhook(provider, ref, MAIL_WEBHOOK_SECRET, {
      timestamp: h.clock.now().getTime() - 10 * 60_000,
    });
    const res = await post(stale);
    expect(res.status).toBe(401);
    expect(res.json.error.message).toContain('window');
    const unsigned = doubles.deliveredWebhook(provider, ref, MAIL_WEBHOOK_SECRET);
    expect(
      (await post({ body: unsigned.body, headers: { 'content-type': 'application/json' } })).status,
    ).toBe(401);
    expect(recorded()).toHaveLength(0);
  });

  it('acknowledges an event that is not a delivery without engagement', async () => {
    const ref = await piece(4);
    const hook = doubles.deliveredWebhook(provider, ref, MAIL_WEBHOOK_SECRET);
    const body = hook.body
      .replace(/"(letter|postcard)\.delivered"/, '"$1.in_transit"')
      .replace('"imbStatus":"delivered"', '"imbStatus":"in_transit"');
    const resigned = doubles.deliveredWebhook(provider, ref, MAIL_WEBHOOK_SECRET);
    // Sign the changed body as the provider would.
    const { createHmac } = await import('node:crypto');
    const ts =
      provider === 'lob'
        ? resigned.headers['lob-signature-timestamp']!
        : /t=(\d+)/.exec(resigned.headers['postgrid-signature']!)![1]!;
    const mac = createHmac('sha256', MAIL_WEBHOOK_SECRET).update(`${ts}.${body}`).digest('hex');
    const headers: Record<string, string> =
      provider === 'lob'
        ? { 'lob-signature': mac, 'lob-signature-timestamp': ts }
        : { 'postgrid-signature': `t=${ts},v1=${mac}` };
    const res = await post({ body, headers });
    expect(res.json).toEqual({ received: 1, applied: 1, duplicates: 0, refused: 0 });
    expect(recorded()).toHaveLength(0);
  });

  it('the other provider is not served (404)', async () => {
    const other = provider === 'lob' ? 'postgrid' : 'lob';
    expect(
      (await h.call('POST', `/webhooks/${other}`, { raw: '{}', contentType: 'application/json' })).status,
    ).toBe(404);
  });
});
