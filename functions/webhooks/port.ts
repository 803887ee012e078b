/**
 * Inbound provider webhooks (`POST /webhooks/{provider}`): what a provider's receiver is given and
 * what it returns. The route is public (no bearer token, no IAM): each request is trusted only
 * after its receiver has verified it with the provider's signature or shared secret, and only once
 * (functions/webhooks/service.ts refuses an event id it has applied before).
 *
 * A receiver (Lob, PostGrid, HubSpot, Salesforce) lives beside its provider's adapter and:
 * 1. verifies the request with the secret named in its configuration (`webhookSecretName`),
 *    including the provider's timestamp window where it signs one (replay by time), and throws
 *    `WebhookRefused` otherwise;
 * 2. turns what the request delivers into `WebhookDelivery` items, each with the provider's own
 *    event id (replay by id) and the effects the product applies for it.
 * It may call its provider to enrich a delivery (a CRM deal id to its company's domain).
 */
import type { SdrOutcome } from '../kernel/model';
import type { Platform } from '../platform/compose';

export const WEBHOOK_PROVIDERS = ['lob', 'postgrid', 'hubspot', 'salesforce'] as const;
export type WebhookProvider = (typeof WEBHOOK_PROVIDERS)[number];

export interface WebhookRequest {
  method: string;
  /**
   * The URL the provider called, as it signed it: `https://<host><path>[?query]` from the request's
   * Host header (API Gateway passes it; local mode: the loopback host).
   */
  url: string;
  /** Header names lower case. */
  headers: Record<string, string>;
  /** The body exactly as received (signatures are over these bytes). */
  rawBody: string;
  /** Media type without parameters, lower case. */
  contentType: string;
}

/** What the product does for one delivered provider event. */
export type WebhookEffect =
  /**
   * An engagement event, ingested exactly as `POST /events` ingests it (validated, the account
   * resolved by accountId, contact email or domain, published as `engagement.recorded`). Its
   * `eventId` should derive from the provider's event id, so a replay is a duplicate downstream too.
   */
  | { kind: 'engagement'; event: Record<string, unknown> }
  /** An SDR task completed in the CRM: the task's outcome, as `POST /tasks/{taskId}/complete`. */
  | { kind: 'task_outcome'; taskId: string; outcome: SdrOutcome; notes?: string };

export interface WebhookDelivery {
  /** The provider's id of the event (unique per provider): a second delivery of it is ignored. */
  eventId: string;
  effects: WebhookEffect[];
}

export interface WebhookReceiver {
  readonly provider: WebhookProvider;
  /** The secret (Secrets Manager name; locally a key of the ABM_SECRETS file) it verifies with. */
  readonly secretName: string;
  /**
   * Verifies the request with the secret's value and returns its deliveries (possibly none: a test
   * ping). Throws `WebhookRefused` when the signature, the shared secret or the timestamp fails.
   */
  receive(req: WebhookRequest, context: { secret: unknown; now: Date }): Promise<WebhookDelivery[]>;
}

/** A request that did not verify: answered 401 with the reason, nothing applied. */
export class WebhookRefused extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'WebhookRefused';
  }
}

/**
 * Builds a provider's receiver from the platform (its configuration: `config.directMailProvider`,
 * `config.crmProvider`; its ports: secrets, HTTP), or `undefined` when that provider is not
 * configured (its route then answers 404). Registered in functions/webhooks/receivers.ts.
 */
export type ReceiverFactory = (platform: Platform) => WebhookReceiver | undefined;
