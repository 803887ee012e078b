/**
 * `providers.crm` (functions/kernel/crm-provider.ts) as synth and local mode validate it: every key
 * is used or refused, nothing accepted and then ignored.
 */
import { describe, expect, it } from 'vitest';
import { CrmProviderSettings } from '../../functions/kernel/crm-provider';
import { ConfigError, parseConfig } from '../../lib/infra/config';
import { CRM_CONFIG_EXAMPLES } from '../support/crm';

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
      parseConfig({
        stage: 'dev',
        config: { senderEmail: 'a@example.com', providers: { crm: CRM_CONFIG_EXAMPLES.hubspot } },
      }).providers.crm,
    ).toEqual(CRM_CONFIG_EXAMPLES.hubspot);
    expect(CrmProviderSettings.parse(CRM_CONFIG_EXAMPLES.salesforce)).toEqual(CRM_CONFIG_EXAMPLES.salesforce);
    expect(
      parseConfig({ stage: 'dev', config: { senderEmail: 'a@example.com' } }).providers.crm,
    ).toBeUndefined();
  });

  it('refuses what it would otherwise ignore: unknown keys, an unknown provider, a base URL with a path', () => {
    expect(issues({ ...CRM_CONFIG_EXAMPLES.hubspot, pollMinutes: 5 }).join()).toMatch(/pollMinutes/);
    expect(issues({ ...CRM_CONFIG_EXAMPLES.hubspot, provider: 'pipedrive' }).join()).toMatch(
      /Unknown CRM provider/,
    );
    expect(
      issues({ ...CRM_CONFIG_EXAMPLES.hubspot, baseUrl: 'https://api.hubapi.com/crm/v3' }).join(),
    ).toMatch(/scheme:\/\/host/);
  });

  it('checks the owner ids per CRM, the stages against this product, and needs the webhook secret', () => {
    expect(
      issues({ ...CRM_CONFIG_EXAMPLES.hubspot, owners: { 'sdr-ana': '005000000000001AAA' } }).join(),
    ).toMatch(/HubSpot owner id/);
    expect(issues({ ...CRM_CONFIG_EXAMPLES.salesforce, owners: { 'sdr-ana': '12345678' } }).join()).toMatch(
      /Salesforce User id/,
    );
    expect(
      issues({ ...CRM_CONFIG_EXAMPLES.hubspot, stages: { appointmentscheduled: 'won' } }).join(),
    ).toMatch(/stages/);
    expect(issues({ ...CRM_CONFIG_EXAMPLES.hubspot, stages: {} }).join()).toMatch(/at least one CRM stage/);
    const { webhookSecretName: _, ...noWebhook } = CRM_CONFIG_EXAMPLES.hubspot;
    expect(issues(noWebhook).join()).toMatch(/webhookSecretName/);
    expect(
      issues({ ...CRM_CONFIG_EXAMPLES.hubspot, secretName: '{"accessToken":"pat-123"}' }).join(),
    ).toMatch(/secret name/);
  });
});
