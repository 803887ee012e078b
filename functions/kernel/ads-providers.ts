/**
 * The ad platforms an ABM team connects (`config.providers.ads`, README "Connect your ad accounts"):
 * one shape for `cdk deploy` (cdk.json context) and local mode (cdk.json or `ABM_CONFIG`). Each
 * entry names its provider, the secret holding its credentials, an optional `baseUrl`
 * (`scheme://host[:port]` only: the adapter appends the documented path with its version) and the
 * provider's list behind each of this product's audience names (`contacts`, and for LinkedIn
 * `companies`: account-level targeting). Pure: validated at synth, at local start and at a Lambda's
 * cold start (the functions get it as JSON in their environment).
 */
import * as z from 'zod';
import { ADS_PROVIDERS, Id, type AdsTarget } from './model/basics';

// In the model's basics, so the sequence and event schemas that name them do not pull the
// provider settings' schemas below into every bundle.
export { ADS_PROVIDERS, ADS_TARGETS, type AdsProvider, type AdsTarget } from './model/basics';

/** A Secrets Manager secret *name* (never the secret value itself). */
export const SecretName = z
  .string()
  .regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/, 'Invalid secret name (use the Secrets Manager name, not a value)');

/** `scheme://host[:port]`, nothing else: the adapter appends the provider's documented path. */
export const BaseUrl = z.string().superRefine((text, ctx) => {
  const bad = (message: string) => ctx.addIssue({ code: 'custom', message });
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return bad('Invalid baseUrl (scheme://host[:port])');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return bad('Invalid baseUrl: http or https only');
  if (url.username || url.password) return bad('Invalid baseUrl: no credentials in the URL');
  if (!/^https?:\/\/[^/?#]+\/?$/.test(text))
    return bad('Invalid baseUrl: scheme://host[:port] only, no path, query or fragment');
});

/** A provider's list id: LinkedIn DMP segment, Meta custom audience, Google user list (digits). */
const ListId = z.string().regex(/^[0-9]{1,32}$/, 'Invalid list id (the provider list id: digits)');

const contactsOnly = z.object({ contacts: ListId }).strict();
const contactsAndCompanies = z
  .object({ contacts: ListId.optional(), companies: ListId.optional() })
  .strict()
  .refine((a) => a.contacts !== undefined || a.companies !== undefined, {
    message: 'Map the audience to a contacts list, a companies list or both',
  });

const common = {
  /** The Secrets Manager secret (locally: the key in the ABM_SECRETS file) with the credentials. */
  secretName: SecretName,
  baseUrl: BaseUrl.optional(),
};

export const LinkedInAdsSettings = z
  .object({
    provider: z.literal('linkedin'),
    ...common,
    audiences: z.record(Id, contactsAndCompanies),
  })
  .strict();

export const MetaAdsSettings = z
  .object({ provider: z.literal('meta'), ...common, audiences: z.record(Id, contactsOnly) })
  .strict();

export const GoogleAdsSettings = z
  .object({
    provider: z.literal('google'),
    ...common,
    audiences: z.record(Id, contactsOnly),
    /** The Google Ads customer id that owns the user lists (10 digits, no dashes). */
    customerId: z.string().regex(/^[0-9]{10}$/, 'Invalid customerId (10 digits, no dashes)'),
    /** The manager (MCC) account the credentials reach the customer through, when not the customer itself. */
    loginCustomerId: z
      .string()
      .regex(/^[0-9]{10}$/, 'Invalid loginCustomerId (10 digits, no dashes)')
      .optional(),
  })
  .strict();

export const AdsProviderSettings = z.discriminatedUnion(
  'provider',
  [LinkedInAdsSettings, GoogleAdsSettings, MetaAdsSettings],
  {
    error: (iss) =>
      iss.code === 'invalid_union' ? `Unknown provider (one of ${ADS_PROVIDERS.join(', ')})` : undefined,
  },
);
export type AdsProviderSettings = z.infer<typeof AdsProviderSettings>;

export const ADS_ARRAY_EXAMPLE =
  '[{ "provider": "linkedin", "secretName": "abm/linkedin", "audiences": { "tier1-committee": { "contacts": "123456", "companies": "654321" } } }]';

/** `providers.ads`: an array (default none); the object form of older configs is refused with the new form shown. */
export const AdsProvidersConfig = z
  .array(AdsProviderSettings, {
    error: (iss) =>
      iss.code === 'invalid_type'
        ? `Expected an array of ad providers, e.g. "ads": ${ADS_ARRAY_EXAMPLE}`
        : undefined,
  })
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((p, i) => {
      if (seen.has(p.provider))
        ctx.addIssue({ code: 'custom', path: [i, 'provider'], message: `${p.provider} is configured twice` });
      seen.add(p.provider);
    });
  });

/** Which member kinds some provider maps each audience name to (what an ads step may target). */
export type AudienceKinds = Record<string, ('contact' | 'company')[]>;

export function audienceKinds(providers: readonly AdsProviderSettings[]): AudienceKinds {
  const out: AudienceKinds = {};
  for (const p of providers)
    for (const [name, lists] of Object.entries(p.audiences)) {
      const kinds = (out[name] ??= []);
      if (lists.contacts !== undefined && !kinds.includes('contact')) kinds.push('contact');
      if ('companies' in lists && lists.companies !== undefined && !kinds.includes('company'))
        kinds.push('company');
    }
  return out;
}

/** The member kinds a step target reaches. */
export function kindsOfTarget(target: AdsTarget): ('contact' | 'company')[] {
  return target === 'both' ? ['contact', 'company'] : target === 'companies' ? ['company'] : ['contact'];
}

/** `AudienceKinds` as the router reads it from its environment (validated at cold start). */
export const AudienceKindsSchema = z.record(Id, z.array(z.enum(['contact', 'company'])));

/**
 * The ads steps of a sequence whose audience no configured provider maps (or whose target needs a
 * list kind no provider maps for it), with the path of each. With no ads provider configured
 * (`kinds` empty) every audience name is accepted: ads steps then only publish the change event.
 */
export function unmappedAdsSteps(
  steps: readonly object[],
  kinds: AudienceKinds,
): { path: string; message: string }[] {
  const names = Object.keys(kinds);
  if (names.length === 0) return [];
  const out: { path: string; message: string }[] = [];
  steps.forEach((s, i) => {
    const step = s as { channel?: string; audience?: string; target?: AdsTarget };
    if (step.channel !== 'ads' || step.audience === undefined) return;
    const mapped = kinds[step.audience];
    if (!mapped) {
      out.push({
        path: `steps.${i}.audience`,
        message: `no ads provider maps audience "${step.audience}" (providers.ads[].audiences has ${names.join(', ')})`,
      });
      return;
    }
    const missing = kindsOfTarget(step.target ?? 'contacts').filter((k) => !mapped.includes(k));
    if (missing.length > 0)
      out.push({
        path: `steps.${i}.target`,
        message: `no ads provider maps a ${missing[0] === 'company' ? 'companies' : 'contacts'} list for audience "${step.audience}"`,
      });
  });
  return out;
}
