/**
 * The PostGrid adapter against its local double (lib/local/doubles/mail.ts): paths, `x-api-key`,
 * body shapes, and its idempotency mechanism (an `Idempotency-Key` plus a lookup by the key in the
 * piece's metadata before anything is sent again after an open outcome). The double is run both
 * honouring the header and ignoring it: either way one order makes one piece.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { idempotencyKeyOf, PostGridDirectMail } from '../../functions/platform/providers/mail';
import { startMailDoubles, type MailDoubles } from '../../lib/local/doubles/mail';
import {
  judge,
  MAIL_HANG_TIMEOUT_MS,
  mailOrder,
  mailSettings,
  sendUntilAnswered,
  wireMail,
} from '../support/mail';

describe.each([true, false])(
  'PostGrid letters and postcards (double honours Idempotency-Key: %s)',
  (honours) => {
    let doubles: MailDoubles;
    let clock = Date.parse('2026-11-23T09:00:00Z');
    beforeAll(async () => {
      doubles = await startMailDoubles({
        providers: ['postgrid'],
        postgridHonoursIdempotencyKey: honours,
        now: () => clock,
      });
    });
    afterAll(() => doubles.close());
    afterEach(() => doubles.faults.clear());

    it('sends the documented letter: path, x-api-key, Idempotency-Key, body with the key in its metadata', async () => {
      const { adapter } = wireMail(doubles, 'postgrid');
      const order = mailOrder(1);
      const before = doubles.details('postgrid').length;
      const { ref } = await adapter.request(order);
      expect(ref).toMatch(/^letter_/);
      const req = doubles.details('postgrid')[before]!;
      expect(req).toMatchObject({ method: 'POST', path: '/print-mail/v1/letters' });
      expect(req.headers['x-api-key']).toBe(doubles.secrets.postgrid.apiKey);
      expect(req.headers.authorization).toBeUndefined();
      expect(req.headers['idempotency-key']).toBe(idempotencyKeyOf(order.orderId));
      expect(JSON.parse(req.body)).toEqual({
        description: 'q1 roi-booklet',
        to: {
          firstName: 'Person 1',
          addressLine1: '101 Main St',
          city: 'Springfield',
          provinceOrState: 'IL',
          postalOrZip: '62701',
          countryCode: 'US',
        },
        from: 'contact_pxd7wnnD6ALWZ9Nqnxb6YQ',
        template: 'template_roi_booklet',
        color: true,
        doubleSided: true,
        addressPlacement: 'top_first_page',
        mergeVariables: { name: 'Person 1' },
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

    it('sends a postcard with PostGrid size names', async () => {
      const { adapter } = wireMail(doubles, 'postgrid');
      const { ref } = await adapter.request(mailOrder(2, { piece: 'thank-you', orderId: 'pg-postcard-2' }));
      expect(ref).toMatch(/^postcard_/);
      expect(JSON.parse(doubles.details('postgrid').at(-1)!.body)).toMatchObject({
        frontTemplate: 'template_front',
        backTemplate: 'template_back',
        size: '6x4',
      });
    });

    it('an order sent again (resend) finds its piece by the key and makes no second one', async () => {
      const { adapter } = wireMail(doubles, 'postgrid');
      const order = mailOrder(3);
      const first = await adapter.request(order);
      const again = await adapter.request({ ...order, resend: true });
      expect(again.ref).toBe(first.ref);
      expect(doubles.pieces('postgrid').filter((p) => p.metadata.touchId === order.orderId)).toHaveLength(1);
      const lookup = doubles.details('postgrid').at(-1)!;
      expect(lookup).toMatchObject({ method: 'GET', path: '/print-mail/v1/letters' });
      expect(JSON.parse(lookup.query.search!)).toEqual({
        metadata: { idempotencyKey: idempotencyKeyOf(order.orderId) },
      });
    });

    it('a timeout after the piece was made: the lookup before the retry finds it; one piece', async () => {
      const { adapter } = wireMail(doubles, 'postgrid', { policy: { timeoutMs: MAIL_HANG_TIMEOUT_MS } });
      doubles.faults.script('postgrid', 'hang');
      const order = mailOrder(4);
      const { ref } = await adapter.request(order);
      expect(
        doubles
          .pieces('postgrid')
          .filter((p) => p.metadata.touchId === order.orderId)
          .map((p) => p.id),
      ).toEqual([ref]);
      // The hung create, then the lookup that found it: no second create.
      const creates = doubles
        .details('postgrid')
        .filter(
          (d) => d.method === 'POST' && d.headers['idempotency-key'] === idempotencyKeyOf(order.orderId),
        );
      expect(creates.map((d) => d.status)).toEqual([0]);
    });

    it('a wrong key is refused (401, not retryable)', async () => {
      const wrong = new PostGridDirectMail(mailSettings('postgrid', doubles.baseUrlFor('postgrid')), {
        apiKey: 'live_sk_wrong',
      });
      expect(wrong.mode).toBe('live');
      await expect(wrong.request(mailOrder(5))).rejects.toMatchObject({ retryable: false, status: 401 });
    });

    it('with 5% 429s, 1% 500s and 2% timeouts, 300 orders make 300 pieces: none twice, none lost', async () => {
      doubles.faults.rate('postgrid', { throttle: 0.05, error: 0.01, hang: 0.02 }, 13);
      const { adapter } = wireMail(doubles, 'postgrid', { policy: { timeoutMs: MAIL_HANG_TIMEOUT_MS } });
      const orders = Array.from({ length: 300 }, (_, i) => mailOrder(1000 + i));
      const { refused } = await sendUntilAnswered(adapter, orders);
      expect(refused).toEqual([]);
      const result = judge(doubles, 'postgrid', orders);
      expect({ duplicates: result.duplicates, lost: result.lost }).toEqual({ duplicates: 0, lost: 0 });
    });

    it('cancels a piece while it is ready, and reports one past its send date as too late', async () => {
      const { adapter } = wireMail(doubles, 'postgrid');
      const { ref } = await adapter.request(mailOrder(8));
      expect(await adapter.cancel(ref)).toBe('cancelled');
      expect(doubles.details('postgrid').at(-1)).toMatchObject({
        method: 'DELETE',
        path: `/print-mail/v1/letters/${ref}`,
      });
      const late = await adapter.request(mailOrder(9));
      clock += 6 * 60_000;
      expect(await adapter.cancel(late.ref)).toBe('too_late');
    });

    it('a create that lands after the lookup (a slow request): the extra piece is cancelled before printing', async () => {
      const { adapter } = wireMail(doubles, 'postgrid');
      const order = mailOrder(10);
      const key = idempotencyKeyOf(order.orderId);
      // Two pieces with the key, as a late create and its retry would leave them (no header dedupe).
      const raw = (n: number) =>
        fetch(`${doubles.baseUrlFor('postgrid')}/print-mail/v1/letters`, {
          method: 'POST',
          headers: { 'x-api-key': doubles.secrets.postgrid.apiKey, 'content-type': 'application/json' },
          body: JSON.stringify({
            to: { firstName: 'P', addressLine1: '1 A St', city: 'X', postalOrZip: '1', countryCode: 'US' },
            from: 'contact_1',
            template: 'template_1',
            metadata: { touchId: order.orderId, idempotencyKey: key, n: String(n) },
          }),
        }).then((r) => r.json() as Promise<{ id: string }>);
      const first = await raw(1);
      clock += 1000;
      await raw(2);
      const { ref } = await adapter.request({ ...order, resend: true });
      expect(ref).toBe(first.id);
      const mine = doubles.pieces('postgrid').filter((p) => p.metadata.touchId === order.orderId);
      expect(mine.map((p) => [p.metadata.n, p.status])).toEqual([
        ['1', 'ready'],
        ['2', 'cancelled'],
      ]);
    });
  },
);
