/**
 * The webhook receivers a deployment can have, one factory per provider. A factory returns
 * `undefined` when its provider is not configured (its route then answers 404). The direct-mail
 * (Lob, PostGrid) and CRM (HubSpot, Salesforce) adapters register theirs here.
 */
import type { ReceiverFactory, WebhookProvider } from './port';

export const RECEIVER_FACTORIES: Partial<Record<WebhookProvider, ReceiverFactory>> = {};
