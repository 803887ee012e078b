/**
 * `providers.crm` (functions/kernel/crm-provider.ts) as synth and local mode validate it: every key
 * is used or refused, nothing accepted and then ignored.
 */
import { describe, expect, it } from 'vitest';
import { CrmProviderSettings } from '../../functions/kernel/crm-provider';
import { ConfigError, parseConfig } from '../../lib/infra/config';

const HUBSPOT = {
  provider: 'hubspot',
  secretName: 'abm/hubspot',
  owners: { 'sdr-ana': '12345678' },
  webhookSecretName: 'abm/hubspot-webhook',
  stages: { appointmentscheduled: 'opportunity' },
};
const SALESFORCE = {
  provider: 'salesforce',
  secretName: 'abm/salesforce',
  baseUrl: 'https://northwind.my.salesforce.com',
  owners: { 'sdr-ana': '005000000000001AAA' },
  webhookSecretName: 'abm/salesforce-webhook',
  stages: { 'Needs Analysis': 'opportunity', 'Closed Won': 'customer' },
};
const issues = (crm: unknown): readonly string[] => {
  try {
    parseConfig({ stage: 'dev', config: { senderEmail: 'a@example.com', providers: { crm } } });
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
};

describe('providers.crm', () => {
  it('accepts HubSpot and Salesforce as the issue shows them, and none', () => {
    expect(
      parseConfig({ stage: 'dev', config: { senderEmail: 'a@example.com', providers: { crm: HUBSPOT } } })
        .providers.crm,
    ).toEqual(HUBSPOT);
    expect(CrmProviderSettings.parse(SALESFORCE)).toEqual(SALESFORCE);
    expect(
      parseConfig({ stage: 'dev', config: { senderEmail: 'a@example.com' } }).providers.crm,
    ).toBeUndefined();
  });

  it('refuses what it would otherwise ignore: unknown keys, an unknown provider, a base URL with a path', () => {
    expect(issues({ ...HUBSPOT, pollMinutes: 5 }).join()).toMatch(/pollMinutes/);
    expect(issues({ ...HUBSPOT, provider: 'pipedrive' }).join()).toMatch(/Unknown CRM provider/);
    expect(issues({ ...HUBSPOT, baseUrl: 'https://api.hubapi.com/crm/v3' }).join()).toMatch(
      /scheme:\/\/host/,
    );
  });

  it('checks the owner ids per CRM, the stages against this product, and needs the webhook secret', () => {
    expect(issues({ ...HUBSPOT, owners: { 'sdr-ana': '005000000000001AAA' } }).join()).toMatch(
      /HubSpot owner id/,
    );
    expect(issues({ ...SALESFORCE, owners: { 'sdr-ana': '12345678' } }).join()).toMatch(/Salesforce User id/);
    expect(issues({ ...HUBSPOT, stages: { appointmentscheduled: 'won' } }).join()).toMatch(/stages/);
    expect(issues({ ...HUBSPOT, stages: {} }).join()).toMatch(/at least one CRM stage/);
    const { webhookSecretName: _, ...noWebhook } = HUBSPOT;
    expect(issues(noWebhook).join()).toMatch(/webhookSecretName/);
    expect(issues({ ...HUBSPOT, secretName: '{"accessToken":"pat-123"}' }).join()).toMatch(/secret name/);
  });
});
