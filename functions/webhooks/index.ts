/**
 * Inbound provider webhooks, the feature's published port: the receivers of the configured
 * providers and the service that verifies a request and applies each event once
 * (functions/webhooks/service.ts). The caller hands in the two paths effects take (the ingestion of
 * `POST /events`, the task completion of `POST /tasks/{taskId}/complete`): they belong to other
 * features.
 */
import type { Platform } from '../platform/compose';
import { PROVIDER_SECRETS } from '../platform/providers/secrets';
import { WebhookReceiptRepository } from '../platform/store/webhook-receipts';
import type { WebhookProvider, WebhookReceiver } from './port';
import { RECEIVER_FACTORIES } from './receivers';
import { createWebhookService, type WebhookServiceDeps } from './service';

/** The receivers of the providers this platform's configuration names. */
export function configuredReceivers(platform: Platform): Map<WebhookProvider, WebhookReceiver> {
  const receivers = new Map<WebhookProvider, WebhookReceiver>();
  for (const [provider, factory] of Object.entries(RECEIVER_FACTORIES)) {
    const receiver = factory?.(platform);
    if (receiver) receivers.set(provider as WebhookProvider, receiver);
  }
  return receivers;
}

export function webhooksFeature(
  platform: Platform,
  paths: Pick<WebhookServiceDeps, 'ingest' | 'completeTask'>,
  receivers: ReadonlyMap<WebhookProvider, WebhookReceiver> = configuredReceivers(platform),
) {
  return createWebhookService({
    receivers,
    secrets: platform.port(PROVIDER_SECRETS),
    receipts: platform.repository(WebhookReceiptRepository),
    clock: platform.clock,
    log: platform.log,
    ...paths,
  });
}

export {
  WEBHOOK_PROVIDERS,
  WebhookRefused,
  type ReceiverFactory,
  type WebhookDelivery,
  type WebhookEffect,
  type WebhookProvider,
  type WebhookReceiver,
  type WebhookRequest,
} from './port';
export {
  createWebhookService,
  WEBHOOK_CLAIM_LEASE_MS,
  type WebhookResult,
  type WebhookService,
  type WebhookServiceDeps,
} from './service';
