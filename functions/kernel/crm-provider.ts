/**
 * The CRM an ABM team connects (`config.providers.crm`, README "Connect your CRM"): where SDR tasks
 * are created and where sales stages come from. One shape for `cdk deploy` and local mode, the
 * conventions of the ad providers (functions/kernel/ads-providers.ts): a secret *name*, an optional
 * `baseUrl` (`scheme://host[:port]` only; in local mode, absent means the in-process double).
 * Pure: validated at synth, at local start and at a Lambda's cold start.
 *
 * Every key is used:
 * - `secretName`: the API credentials (HubSpot `{ accessToken }`, a private app token; Salesforce
 *   `{ clientId, clientSecret, domain }`, an external client app's client-credentials flow);
 * - `owners`: this product's SDR (a task's `owner`) -> the CRM's owner id the task is assigned to;
 * - `webhookSecretName`: what verifies the CRM's webhooks (HubSpot `{ clientSecret }`: the app's
 *   client secret, v3 signature; Salesforce `{ sharedSecret }`: the header the Flow sends);
 * - `stages`: a CRM stage (HubSpot deal stage id or company lifecycle stage, Salesforce
 *   Opportunity StageName) -> this product's stage; a change to an unmapped stage is ignored.
 */
import * as z from 'zod';
import { SecretName, BaseUrl } from './ads-providers';
import { Stage } from './model/basics';

export const CRM_PROVIDERS = ['hubspot', 'salesforce'] as const;
export type CrmProvider = (typeof CRM_PROVIDERS)[number];

const SdrName = z.string().min(1).max(200);
const stages = z
  .record(z.string().min(1).max(200), Stage)
  .refine((m) => Object.keys(m).length > 0, { message: 'Map at least one CRM stage (stages: {})' });

const common = {
  secretName: SecretName,
  baseUrl: BaseUrl.optional(),
  webhookSecretName: SecretName,
  stages,
};

export const HubSpotCrmSettings = z
  .object({
    provider: z.literal('hubspot'),
    ...common,
    /** SDR -> HubSpot owner id (digits: the `hubspot_owner_id` of the Owners API). */
    owners: z.record(SdrName, z.string().regex(/^[0-9]{1,20}$/, 'Invalid HubSpot owner id (digits)')),
  })
  .strict();

export const SalesforceCrmSettings = z
  .object({
    provider: z.literal('salesforce'),
    ...common,
    /** SDR -> Salesforce User id (15 or 18 characters, prefix 005). */
    owners: z.record(
      SdrName,
      z
        .string()
        .regex(
          /^005[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$/,
          'Invalid Salesforce User id (005…, 15 or 18 characters)',
        ),
    ),
  })
  .strict();

export const CrmProviderSettings = z.discriminatedUnion(
  'provider',
  [HubSpotCrmSettings, SalesforceCrmSettings],
  {
    error: (iss) =>
      iss.code === 'invalid_union' ? `Unknown CRM provider (one of ${CRM_PROVIDERS.join(', ')})` : undefined,
  },
);
export type CrmProviderSettings = z.infer<typeof CrmProviderSettings>;

export const CRM_EXAMPLE =
  '{ "provider": "hubspot", "secretName": "abm/hubspot", "owners": { "sdr-ana": "12345678" }, "webhookSecretName": "abm/hubspot-webhook", "stages": { "appointmentscheduled": "opportunity" } }';
