/**
 * The webhook receivers a deployment can have, one factory per provider. A factory returns
 * `undefined` when its provider is not configured (its route then answers 404). The direct-mail
 * (Lob, PostGrid) and CRM (HubSpot, Salesforce) adapters register theirs here.
 */
import { crmReceiverFactories } from '../crm';
import { lobReceiver, postgridReceiver } from './mail';
import type { ReceiverFactory, WebhookProvider } from './port';

export const RECEIVER_FACTORIES: Partial<Record<WebhookProvider, ReceiverFactory>> = {
  lob: lobReceiver,
  postgrid: postgridReceiver,
  // Called late (not at module load): the CRM feature imports this feature's port in turn.
  hubspot: (platform) => crmReceiverFactories.hubspot(platform),
  salesforce: (platform) => crmReceiverFactories.salesforce(platform),
};
