/**
 * The CRM doubles (local mode, contract tests, the CRM bench): one HubSpot or Salesforce double on
 * 127.0.0.1, the credentials it accepts, and the secrets a configured CRM needs to reach it (under
 * its `secretName` and `webhookSecretName`), so local mode needs no real secret.
 *
 *   const crm = await startCrmDouble('hubspot');
 *   crm.secretsFor({ secretName: 'abm/hubspot', webhookSecretName: 'abm/hubspot-webhook' });
 *   crm.faults.rate('hubspot', { throttle: 0.05, error: 0.01 });
 */
import { startHubSpotDouble, type HubSpotDouble } from './hubspot';
import { startSalesforceDouble, type SalesforceDouble } from './salesforce';
import { Faults, type CrmDoubleName } from './shared';

export const LOCAL_CRM_SECRETS = {
  hubspot: { accessToken: 'local-hubspot-token', clientSecret: 'local-hubspot-client-secret' },
  salesforce: {
    clientId: 'local-sf-client',
    clientSecret: 'local-sf-secret',
    domain: 'https://local.my.salesforce.com',
    sharedSecret: 'local-sf-webhook-secret',
  },
} as const;

export type CrmDouble<P extends CrmDoubleName = CrmDoubleName> = (P extends 'hubspot'
  ? HubSpotDouble
  : SalesforceDouble) & {
  faults: Faults;
  /** The secret values a configured CRM reads: the API credentials and the webhook secret. */
  secretsFor(names: { secretName: string; webhookSecretName: string }): Record<string, unknown>;
};

export async function startCrmDouble<P extends CrmDoubleName>(
  provider: P,
  opts: { faults?: Faults; seed?: number } = {},
): Promise<CrmDouble<P>> {
  const faults = opts.faults ?? new Faults(opts.seed ?? 1);
  if (provider === 'hubspot') {
    const s = LOCAL_CRM_SECRETS.hubspot;
    const double = await startHubSpotDouble(faults, s);
    return Object.assign(double, {
      faults,
      secretsFor: (n: { secretName: string; webhookSecretName: string }) => ({
        [n.secretName]: { accessToken: s.accessToken },
        [n.webhookSecretName]: { clientSecret: s.clientSecret },
      }),
    }) as unknown as CrmDouble<P>;
  }
  const s = LOCAL_CRM_SECRETS.salesforce;
  const double = await startSalesforceDouble(faults, s);
  return Object.assign(double, {
    faults,
    secretsFor: (n: { secretName: string; webhookSecretName: string }) => ({
      [n.secretName]: { clientId: s.clientId, clientSecret: s.clientSecret, domain: s.domain },
      [n.webhookSecretName]: { sharedSecret: s.sharedSecret },
    }),
  }) as unknown as CrmDouble<P>;
}
