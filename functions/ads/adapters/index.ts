/**
 * The ad-platform adapters behind the audience port (functions/ads/port.ts), one per provider:
 * `createAdapter({ provider, baseUrl?, customerId?, loginCustomerId? }, secret, deps)`.
 * No `baseUrl` means the provider's production API host; the adapters append the documented path
 * with its version. The secret is the provider's JSON object (docs/providers.md).
 */
import type { AudienceAdapter } from '../port';
import { createGoogleAdapter } from './google';
import { createLinkedInAdapter } from './linkedin';
import { createMetaAdapter } from './meta';
import type { AdapterDeps, AdapterSettings } from './shared';

export function createAdapter(
  settings: AdapterSettings,
  secret: unknown,
  deps: AdapterDeps = {},
): AudienceAdapter {
  switch (settings.provider) {
    case 'linkedin':
      return createLinkedInAdapter(settings, secret, deps);
    case 'google':
      return createGoogleAdapter(settings, secret, deps);
    case 'meta':
      return createMetaAdapter(settings, secret, deps);
    default:
      throw new Error(`unknown ads provider ${JSON.stringify((settings as { provider: unknown }).provider)}`);
  }
}

export type { AdapterDeps, AdapterSettings } from './shared';
export { GOOGLE_MAX_BATCH, normaliseEmailForGoogle } from './google';
export { LINKEDIN_MAX_BATCH, LINKEDIN_VERSION } from './linkedin';
export { META_MAX_BATCH, META_VERSION } from './meta';
