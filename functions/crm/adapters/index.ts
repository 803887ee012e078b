/** The CRM adapters by provider. */
import type { CrmProviderSettings } from '../../kernel/crm-provider';
import { createHubSpotAdapter, type HubSpotAdapter } from './hubspot';
import { createSalesforceAdapter } from './salesforce';
import type { CrmAdapter } from '../port';
import type { CrmAdapterDeps } from './shared';

export function createCrmAdapter(
  settings: CrmProviderSettings,
  secret: unknown,
  deps: CrmAdapterDeps = {},
): CrmAdapter | HubSpotAdapter {
  return settings.provider === 'hubspot'
    ? createHubSpotAdapter(settings, secret, deps)
    : createSalesforceAdapter(settings, secret, deps);
}
