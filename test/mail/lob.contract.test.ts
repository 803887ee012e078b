/**
 * The Lob adapter against its local double (lib/local/doubles/mail.ts), which checks what Lob's
 * documentation requires (paths, Basic auth with the key, Idempotency-Key, body shapes). Faults are
 * injected; the provider's final state must hold exactly one piece per order.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DirectMailError, idempotencyKeyOf, LobDirectMail } from '../../functions/platform/providers/mail';
import { startMailDoubles, type MailDoubles } from '../../lib/local/doubles/mail';
import {
  judge,
  MAIL_HANG_TIMEOUT_MS,
  mailOrder,
  mailSettings,
  sendUntilAnswered,
  wireMail,
} from '../support/mail';

let doubles: MailDoubles;
let clock = Date.parse('2026-11-23T09:00:00Z');
beforeAll(async () => {
  doubles = await startMailDoubles({ providers: ['lob'], now: () => clock, cancelWindowMs: 5 * 60_000 });
});
afterAll(() => doubles.close());
afterEach(() => doubles.faults.clear());

const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

describe('Lob letters and postcards', () => {
  it('sends the documented letter: path, Basic auth with the key, Idempotency-Key from the touch id, body', async () => {
    const { adapter } = wireMail(doubles, 'lob');
    const order = mailOrder(1);
    const before = doubles.details('lob').length;
    const { ref } = await adapter.request(order);
    expect(ref).toMatch(/^ltr_/);
    const req = doubles.details('lob')[before]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/v1/letters');
    expect(req.headers.authorization).toBe(basic(doubles.secrets.lob.apiKey));
    expect(req.headers['idempotency-key']).toBe(idempotencyKeyOf(order.orderId));
    expect(JSON.parse(req.body)).toEqual({
      description: 'q1 roi-booklet',
      to: {
        name: 'Person 1',
        address_line1: '101 Main St',
        address_city: 'Springfield',
        address_state: 'IL',
        address_zip: '62701',
        address_country: 'US',
      },
      from: 'adr_210a8d4b0b76d77b',
      file: 'tmpl_c94e83ca2cd5121',
      color: true,
      double_sided: true,
      use_type: 'marketing',
      merge_variables: { name: 'Person 1' },
      metadata: {
        accountId: order.accountId,
        campaignId: 'q1',
        contactId: order.contactId,
        touchId: order.orderId,
        idempotencyKey: idempotencyKeyOf(order.orderId),
      },
    });
    expect(adapter.mode).toBe('test');
  });

  it('sends a postcard with its front, back and size', async () => {
    const { adapter } = wireMail(doubles, 'lob');
    const { ref } = await adapter.request(mailOrder(2, { piece: 'thank-you', orderId: 'postcard-order-2' }));
    expect(ref).toMatch(/^psc_/);
    const req = doubles.details('lob').at(-1)!;
    expect(req.path).toBe('/v1/postcards');
    expect(JSON.parse(req.body)).toMatchObject({ front: 'tmpl_front01', back: 'tmpl_back01', size: '4x6' });
  });

  it('the same order twice is one piece: Lob answers a known Idempotency-Key with the piece it made', async () => {
    const { adapter } = wireMail(doubles, 'lob');
    const order = mailOrder(3);
    const first = await adapter.request(order);
    const second = await adapter.request({ ...order, resend: true });
    expect(second.ref).toBe(first.ref);
    expect(doubles.pieces('lob').filter((p) => p.metadata.touchId === order.orderId)).toHaveLength(1);
    expect(doubles.repeatedKeys('lob')).toBeGreaterThanOrEqual(1);
  });

  it('a refused order is not retryable: a wrong key (401), an incomplete address (422)', async () => {
    const wrong = new LobDirectMail(mailSettings('lob', doubles.baseUrlFor('lob')), { apiKey: 'live_wrong' });
    expect(wrong.mode).toBe('live');
    await expect(wrong.request(mailOrder(4))).rejects.toMatchObject({ retryable: false, status: 401 });
    const { adapter } = wireMail(doubles, 'lob');
    const noState = mailOrder(5, { address: { line1: '1 A St', city: 'X', postalCode: '1', country: 'US' } });
    const err = await adapter.request(noState).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DirectMailError);
    expect(err).toMatchObject({ retryable: false, status: 422 });
    expect(doubles.pieces('lob').some((p) => p.metadata.touchId === noState.orderId)).toBe(false);
  });

  it('429 (after Retry-After), 500 and a timeout: one piece, and the answer names it', async () => {
    const { adapter, sleeps } = wireMail(doubles, 'lob', { policy: { timeoutMs: MAIL_HANG_TIMEOUT_MS } });
    doubles.faults.script('lob', 'throttle', 'error', 'hang');
    const order = mailOrder(6);
    const { ref } = await adapter.request(order);
    const held = doubles.pieces('lob').filter((p) => p.metadata.touchId === order.orderId);
    expect(held.map((p) => p.id)).toEqual([ref]);
    expect(sleeps[0]).toBe(doubles.faults.retryAfterSeconds * 1000);
    const tries = doubles
      .details('lob')
      .filter((d) => d.headers['idempotency-key'] === idempotencyKeyOf(order.orderId));
    expect(tries.map((d) => d.status)).toEqual([429, 500, 0, 200]);
  });

  it('past the retry budget the error is retryable, and the order sent again later makes no second piece', async () => {
    const { adapter } = wireMail(doubles, 'lob', {
      policy: { maxAttempts: 2, timeoutMs: MAIL_HANG_TIMEOUT_MS },
    });
    doubles.faults.script('lob', 'hang', 'error');
    const order = mailOrder(7);
    await expect(adapter.request(order)).rejects.toMatchObject({ retryable: true });
    const { ref } = await adapter.request({ ...order, resend: true });
    expect(
      doubles
        .pieces('lob')
        .filter((p) => p.metadata.touchId === order.orderId)
        .map((p) => p.id),
    ).toEqual([ref]);
  });

  it('with 5% 429s, 1% 500s and 2% timeouts, 300 orders make 300 pieces: none twice, none lost', async () => {
    doubles.faults.rate('lob', { throttle: 0.05, error: 0.01, hang: 0.02 }, 11);
    const { adapter } = wireMail(doubles, 'lob', { policy: { timeoutMs: MAIL_HANG_TIMEOUT_MS } });
    const orders = Array.from({ length: 300 }, (_, i) => mailOrder(1000 + i));
    const { refused } = await sendUntilAnswered(adapter, orders);
    expect(refused).toEqual([]);
    const result = judge(doubles, 'lob', orders);
    expect({ duplicates: result.duplicates, lost: result.lost }).toEqual({ duplicates: 0, lost: 0 });
    expect(doubles.details('lob').some((d) => d.status === 429)).toBe(true);
  });

  it('cancels a piece inside its cancellation window (DELETE), and reports one past it as too late', async () => {
    const { adapter } = wireMail(doubles, 'lob');
    const { ref } = await adapter.request(mailOrder(8));
    expect(await adapter.cancel(ref)).toBe('cancelled');
    // The cancel is one DELETE of the piece (a request the previous test's timeouts left hanging at
    // the double can still land after it, so it is looked for rather than taken as the last).
    expect(
      doubles.details('lob').filter((d) => d.method === 'DELETE' && d.path === `/v1/letters/${ref}`),
    ).toHaveLength(1);
    expect(doubles.pieces('lob').find((p) => p.id === ref)?.status).toBe('cancelled');
    const late = await adapter.request(mailOrder(9));
    clock += 6 * 60_000;
    expect(await adapter.cancel(late.ref)).toBe('too_late');
    expect(doubles.pieces('lob').find((p) => p.id === late.ref)?.status).toBe('ready');
    expect(await adapter.cancel('ltr_nosuchpiece')).toBe('unknown');
  });
});
