/**
 * Where the audience sync gets a provider's adapter: `createAdapter(settings, secret, deps)`. The
 * provider adapters (functions/ads/adapters, LinkedIn, Google, Meta) are written beside this
 * feature; until they are wired here, every provider reports that it has no adapter (a
 * non-retryable ProviderError: the sync fails the change, which ends in the dead-letter queue and
 * its alarm, never silently dropped).
 */
import type { AdsProviderSettings } from '../kernel/ads-providers';
import type { AdsMetrics } from './metrics';
import { ProviderError, type AudienceAdapter } from './port';

export interface AdapterDeps {
  /** The adapter counts its requests and throttles here (per provider). */
  metrics: AdsMetrics;
}

export type AdapterFactory = (
  settings: AdsProviderSettings,
  /** The provider's secret (parsed JSON), or undefined for local mode's in-process test double. */
  secret: unknown,
  deps: AdapterDeps,
) => AudienceAdapter;

export const createAdapter: AdapterFactory = (settings) => {
  throw new ProviderError(settings.provider, 'no adapter is wired for this provider', false);
};
