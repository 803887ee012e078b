/**
 * Where the audience sync gets a provider's adapter: `createAdapter(settings, secret, deps)` builds
 * the provider adapter (functions/ads/adapters: LinkedIn, Google, Meta) from the configured
 * settings and the provider's secret, and counts its requests and throttles in the sync's metrics.
 */
import type { AdsProviderSettings } from '../kernel/ads-providers';
import { createAdapter as createProviderAdapter } from './adapters';
import type { AdsMetrics } from './metrics';
import type { AudienceAdapter } from './port';

export interface AdapterDeps {
  /** The adapter counts its requests and throttles here (per provider). */
  metrics: AdsMetrics;
}

export type AdapterFactory = (
  settings: AdsProviderSettings,
  /** The provider's secret (parsed JSON): from Secrets Manager, ABM_SECRETS, or a local double's. */
  secret: unknown,
  deps: AdapterDeps,
) => AudienceAdapter;

export const createAdapter: AdapterFactory = (settings, secret, deps) =>
  createProviderAdapter(
    {
      provider: settings.provider,
      baseUrl: settings.baseUrl,
      ...(settings.provider === 'google'
        ? { customerId: settings.customerId, loginCustomerId: settings.loginCustomerId }
        : {}),
    },
    secret,
    {
      onRequest: (m) => {
        deps.metrics.count(settings.provider, 'requests');
        if (m.throttled) deps.metrics.count(settings.provider, 'throttles');
      },
    },
  );
