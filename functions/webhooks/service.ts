/**
 * `POST /webhooks/{provider}`: verifies a provider's request with its receiver, then applies each
 * delivered event once.
 *
 * - Not configured: 404 (the provider has no receiver in this deployment).
 * - Not verified (signature, shared secret, timestamp window): 401, nothing applied.
 * - Verified: each delivery is claimed by its event id (functions/platform/store/webhook-receipts.ts);
 *   a delivery seen before is counted as a duplicate and skipped (a replayed request, or the
 *   provider's own redelivery). Effects go through the product's own paths: engagement through
 *   the same ingestion as `POST /events`, task outcomes through the task completion of
 *   `POST /tasks/{taskId}/complete`. A failure releases the claim and answers 500, so the
 *   provider's retry applies the event; an effect the product refuses for good (an invalid event,
 *   an unknown task) is logged and counted, and not retried.
 */
import { NotFound, Unauthorized } from '../kernel/errors';
import type { Clock } from '../kernel/clock';
import type { SdrOutcome } from '../kernel/model';
import type { Log } from '../platform/compose';
import type { ProviderSecrets } from '../platform/providers/secrets';
import type { WebhookReceiptRepository } from '../platform/store/webhook-receipts';
import {
  WebhookRefused,
  type WebhookEffect,
  type WebhookProvider,
  type WebhookReceiver,
  type WebhookRequest,
} from './port';

/** How long one request holds an event before another may apply it (a crashed request's claim). */
export const WEBHOOK_CLAIM_LEASE_MS = 60_000;

export interface WebhookResult {
  /** Deliveries in the request. */
  received: number;
  /** Applied now. */
  applied: number;
  /** Seen before (or being applied by another request): skipped. */
  duplicates: number;
  /** Effects the product refused for good (invalid engagement, unknown task): logged, not retried. */
  refused: number;
}

export interface WebhookServiceDeps {
  receivers: ReadonlyMap<WebhookProvider, WebhookReceiver>;
  secrets: ProviderSecrets;
  receipts: Pick<WebhookReceiptRepository, 'claim' | 'markApplied' | 'release'>;
  /** `POST /events`'s ingestion. */
  ingest: (body: { events: unknown[] }) => Promise<{ rejected: unknown[] }>;
  /** `POST /tasks/{taskId}/complete`'s completion (idempotent for the same outcome). */
  completeTask: (taskId: string, body: { outcome: SdrOutcome; notes?: string }) => Promise<unknown>;
  clock: Clock;
  log: Log;
}

export type WebhookService = ReturnType<typeof createWebhookService>;

export function createWebhookService(deps: WebhookServiceDeps) {
  /** True when applied; false when refused for good. Throws when it may succeed on a retry. */
  async function apply(provider: WebhookProvider, eventId: string, effect: WebhookEffect): Promise<boolean> {
    if (effect.kind === 'engagement') {
      const out = await deps.ingest({ events: [effect.event] });
      if (out.rejected.length > 0) {
        deps.log.warn('webhook engagement refused', { provider, eventId, rejected: out.rejected });
        return false;
      }
      return true;
    }
    try {
      await deps.completeTask(effect.taskId, { outcome: effect.outcome, notes: effect.notes });
      return true;
    } catch (err) {
      const status = (err as { status?: number }).status;
      if (status === 404 || status === 409) {
        deps.log.warn('webhook task outcome refused', {
          provider,
          eventId,
          taskId: effect.taskId,
          error: String(err),
        });
        return false;
      }
      throw err;
    }
  }

  async function receive(provider: WebhookProvider, req: WebhookRequest): Promise<WebhookResult> {
    const receiver = deps.receivers.get(provider);
    if (!receiver) throw new NotFound(`no ${provider} webhook is configured in this deployment`);
    const now = deps.clock.now();
    const secret = await deps.secrets.get(receiver.secretName);
    let deliveries;
    try {
      deliveries = await receiver.receive(req, { secret, now });
    } catch (err) {
      if (err instanceof WebhookRefused) {
        deps.log.warn('webhook refused', { provider, reason: err.message });
        throw new Unauthorized(`the ${provider} webhook did not verify: ${err.message}`);
      }
      throw err;
    }
    const result: WebhookResult = { received: deliveries.length, applied: 0, duplicates: 0, refused: 0 };
    for (const d of deliveries) {
      if (!(await deps.receipts.claim(provider, d.eventId, now, WEBHOOK_CLAIM_LEASE_MS))) {
        result.duplicates++;
        continue;
      }
      try {
        for (const effect of d.effects) if (!(await apply(provider, d.eventId, effect))) result.refused++;
      } catch (err) {
        await deps.receipts.release(provider, d.eventId).catch(() => undefined);
        throw err;
      }
      await deps.receipts.markApplied(provider, d.eventId, now);
      result.applied++;
    }
    return result;
  }

  return { receive, providers: () => [...deps.receivers.keys()] };
}
