/**
 * The in-process test doubles of the ad platforms (local mode, contract tests, the audiences
 * bench): one HTTP server per provider on 127.0.0.1 with an ephemeral port.
 *
 *   const doubles = await startProviderDoubles();
 *   createAdapter({ provider: 'meta', baseUrl: doubles.baseUrlFor('meta') }, doubles.secrets.meta);
 *   doubles.faults.script('meta', 'throttle', 'hang');
 *   doubles.snapshot(); // what GET /_local/providers returns
 *   await doubles.close();
 *
 * `snapshot().providers[].audiences[].audience` is the provider's list id, or the name `names` maps
 * it to (`{ linkedin: { '123456': 'tier1-committee' } }`). Each double accepts the credentials in
 * `secrets` (by default `LOCAL_DOUBLE_SECRETS`), so a local-mode adapter needs no real secret.
 */
import { startGoogleDouble, type GoogleDoubleCredentials } from './google';
import { startLinkedInDouble } from './linkedin';
import { startMetaDouble } from './meta';
import {
  Faults,
  type DoubleServer,
  type CrmDoubleName,
  type ProviderName,
  type ProviderSnapshot,
  type RequestDetail,
} from './shared';

export interface DoubleSecrets {
  linkedin: { accessToken: string };
  meta: { accessToken: string };
  google: GoogleDoubleCredentials;
}

export const LOCAL_DOUBLE_SECRETS: DoubleSecrets = {
  linkedin: { accessToken: 'local-linkedin-token' },
  meta: { accessToken: 'local-meta-token' },
  google: { clientId: 'local-client', clientSecret: 'local-secret', refreshToken: 'local-refresh-token' },
};

export interface ProviderDoublesOptions {
  /** Which doubles to start (default all three). */
  providers?: Exclude<ProviderName, CrmDoubleName>[];
  secrets?: Partial<DoubleSecrets>;
  /** Display names of list ids in `snapshot()`, per provider. */
  names?: Partial<Record<ProviderName, Record<string, string>>>;
  /** Seed of the fault rates' generator. */
  seed?: number;
}

export interface ProviderDoubles {
  baseUrlFor(provider: ProviderName): string;
  snapshot(): { providers: ProviderSnapshot[] };
  faults: Faults;
  secrets: DoubleSecrets;
  /** The identifiers an audience holds now (sorted). */
  members(provider: ProviderName, listId: string): string[];
  /** Adds of an identifier already held, per audience (retries after lost responses). */
  repeatedAdds(provider: ProviderName, listId: string): number;
  /** Every request with headers and body, for contract tests. */
  details(provider: ProviderName): RequestDetail[];
  close(): Promise<void>;
}

export async function startProviderDoubles(opts: ProviderDoublesOptions = {}): Promise<ProviderDoubles> {
  const faults = new Faults(opts.seed ?? 1);
  const secrets: DoubleSecrets = { ...LOCAL_DOUBLE_SECRETS, ...opts.secrets };
  const wanted = opts.providers ?? ['linkedin', 'google', 'meta'];
  const servers = new Map<ProviderName, DoubleServer>();
  for (const provider of wanted) {
    const server =
      provider === 'linkedin'
        ? await startLinkedInDouble(faults, secrets.linkedin.accessToken)
        : provider === 'meta'
          ? await startMetaDouble(faults, secrets.meta.accessToken)
          : await startGoogleDouble(faults, secrets.google);
    servers.set(provider, server);
  }
  const server = (provider: ProviderName) => {
    const s = servers.get(provider);
    if (!s) throw new Error(`no ${provider} double was started`);
    return s;
  };
  return {
    baseUrlFor: (provider) => server(provider).baseUrl,
    snapshot: () => ({ providers: [...servers.values()].map((s) => s.snapshot(opts.names?.[s.provider])) }),
    faults,
    secrets,
    members: (provider, listId) => [...(server(provider).audiences.get(listId)?.held ?? [])].sort(),
    repeatedAdds: (provider, listId) => server(provider).audiences.get(listId)?.repeatedAdds ?? 0,
    details: (provider) => server(provider).details,
    close: async () => {
      await Promise.all([...servers.values()].map((s) => s.close()));
    },
  };
}

export type {
  Fault,
  FaultRates,
  ProviderName,
  ProviderSnapshot,
  RequestDetail,
  RequestRecord,
} from './shared';
export { Faults } from './shared';
export { LOCAL_CRM_SECRETS, startCrmDouble, type CrmDouble } from './crm';
export type { HubSpotDouble, HubSpotWebhookEvent } from './hubspot';
export type { SalesforceDouble } from './salesforce';
