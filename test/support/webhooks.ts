/**
 * A webhook provider for tests of the shared webhook path (functions/webhooks): it signs the body
 * with HMAC-SHA256 (`x-signature`, hex) and sends one event per request, `{ id, accountId }` as web
 * engagement or `{ id, taskId }` as a task outcome. The real providers' receivers are tested against
 * their own documented signatures.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  WebhookRefused,
  type WebhookDelivery,
  type WebhookProvider,
  type WebhookReceiver,
  type WebhookRequest,
} from '../../functions/webhooks';

export const TEST_WEBHOOK_SECRET_NAME = 'abm/test-webhook';
export const TEST_WEBHOOK_KEY = 'whsec-test';

export const signWebhook = (body: string, key = TEST_WEBHOOK_KEY) =>
  createHmac('sha256', key).update(body).digest('hex');

export class HmacTestReceiver implements WebhookReceiver {
  readonly secretName = TEST_WEBHOOK_SECRET_NAME;
  readonly seen: WebhookRequest[] = [];
  constructor(readonly provider: WebhookProvider = 'lob') {}

  async receive(req: WebhookRequest, context: { secret: unknown; now: Date }): Promise<WebhookDelivery[]> {
    this.seen.push(req);
    const key = (context.secret as { key: string }).key;
    const expected = createHmac('sha256', key).update(req.rawBody).digest();
    const given = Buffer.from(req.headers['x-signature'] ?? '', 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      throw new WebhookRefused('bad signature');
    const body = JSON.parse(req.rawBody) as { id: string; accountId?: string; taskId?: string };
    return [
      {
        eventId: body.id,
        effects: body.taskId
          ? [{ kind: 'task_outcome', taskId: body.taskId, outcome: 'connected' }]
          : [
              {
                kind: 'engagement',
                event: {
                  eventId: `${this.provider}-${body.id}`,
                  type: 'web.visit',
                  accountId: body.accountId,
                  occurredAt: context.now.toISOString(),
                },
              },
            ],
      },
    ];
  }
}
