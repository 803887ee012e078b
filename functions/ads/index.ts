/**
 * The ads feature's published port (docs/architecture.md "Ad audiences"): the audience sync that
 * consumes `ads.audience.changed` and keeps each configured provider's lists (LinkedIn, Google,
 * Meta) at the intended membership, through the adapter port (./port.ts).
 *
 * `adsSyncFeature(platform, options)` builds it from the platform's configuration
 * (`adsProviders`: cdk.json's `providers.ads`, validated again here), the table (accounts, the
 * membership ledger) and the provider secrets port. Each provider's adapter is built once, on first
 * use, from its settings and its secret; local mode points a provider without `baseUrl` at its
 * in-process test double, which needs no secret.
 */
import { AdsProvidersConfig, type AdsProvider, type AdsProviderSettings } from '../kernel/ads-providers';
import type { Platform } from '../platform/compose';
import { PROVIDER_SECRETS } from '../platform/providers/secrets';
import { AccountRepository } from '../platform/store/accounts';
import { AdsMembershipRepository } from '../platform/store/ads-memberships';
import { createAdapter as defaultFactory, type AdapterFactory } from './adapter-factory';
import { CountingAdsMetrics, type AdsMetrics } from './metrics';
import type { AudienceAdapter } from './port';
import { createAudienceSync, type AudienceSync } from './sync';

export interface AdsSyncOptions {
  /** Builds a provider's adapter (default: the provider adapters). */
  createAdapter?: AdapterFactory;
  /** Local mode: where a provider without `baseUrl` is served (its in-process test double). */
  doubles?: {
    baseUrlFor(provider: AdsProvider): string;
    /** The credentials each double accepts (no real secret is needed locally). */
    secrets?: Partial<Record<AdsProvider, unknown>>;
  };
  /** Default: counts in memory (the Lambda publishes them per batch). */
  metrics?: AdsMetrics;
}

export function adsSyncFeature(
  platform: Platform,
  options: AdsSyncOptions = {},
): AudienceSync & { providers: readonly AdsProviderSettings[]; metrics: AdsMetrics } {
  const providers = AdsProvidersConfig.parse(platform.config.adsProviders ?? []);
  const metrics = options.metrics ?? new CountingAdsMetrics();
  const factory = options.createAdapter ?? defaultFactory;
  const adapters = new Map<AdsProvider, Promise<AudienceAdapter>>();
  const build = async (settings: AdsProviderSettings): Promise<AudienceAdapter> => {
    if (settings.baseUrl === undefined && options.doubles)
      return factory(
        { ...settings, baseUrl: options.doubles.baseUrlFor(settings.provider) },
        options.doubles.secrets?.[settings.provider],
        { metrics },
      );
    const secret = await platform.port(PROVIDER_SECRETS).get(settings.secretName);
    return factory(settings, secret, { metrics });
  };
  const sync = createAudienceSync({
    providers,
    adapter: (settings) => {
      let adapter = adapters.get(settings.provider);
      if (!adapter) {
        // A failed build is not kept: the next batch tries again (a secret fixed meanwhile).
        adapter = build(settings).catch((err: unknown) => {
          adapters.delete(settings.provider);
          throw err;
        });
        adapters.set(settings.provider, adapter);
      }
      return adapter;
    },
    accounts: platform.repository(AccountRepository),
    ledger: platform.repository(AdsMembershipRepository),
    metrics,
    log: platform.log,
  });
  return { ...sync, providers, metrics };
}

export { ADS_METRICS, CountingAdsMetrics, type AdsMetricName, type AdsMetrics } from './metrics';
export type { AdapterDeps, AdapterFactory } from './adapter-factory';
export type { AudienceSync, SyncResult } from './sync';
export * from './port';
