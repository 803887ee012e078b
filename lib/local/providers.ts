/**
 * `GET /_local/providers`, local mode only (not in the deployed API, not in its OpenAPI), bearer
 * token like every /_local route: what each provider received, as the in-process test doubles saw
 * it: `{ providers: [{ provider, requests: [{ at, method, path, status }], audiences: [{ audience,
 * added: [...], removed: [...] }] }] }`; a print-and-mail provider adds `mode` (test or live key)
 * and `pieces: [{ id, kind, status, idempotencyKey, metadata }]`.
 *
 * Built on an interface: `ProviderDoubles` is what the doubles' start function returns (the doubles
 * listen on 127.0.0.1; `baseUrlFor` is where a provider configured without `baseUrl` is pointed).
 * Without doubles (no provider configured, or every one with its own `baseUrl`) the list is empty.
 */
import * as z from 'zod';
import { route, type Route } from '../../functions/api/router';
import type { AdsProvider } from '../../functions/kernel/ads-providers';

export const LOCAL_PROVIDERS_PATH = '/_local/providers';

export const ProvidersSnapshot = z.object({
  providers: z.array(
    z.object({
      provider: z.string(),
      requests: z.array(
        z.object({ at: z.string(), method: z.string(), path: z.string(), status: z.number().int() }),
      ),
      audiences: z.array(
        z.object({ audience: z.string(), added: z.array(z.string()), removed: z.array(z.string()) }),
      ),
      /** A CRM double's records (HubSpot tasks, contacts, companies, deals; Salesforce sObjects). */
      records: z
        .array(z.object({ type: z.string(), id: z.string(), properties: z.record(z.string(), z.unknown()) }))
        .optional(),
      /** Print-and-mail providers: the key's kind (test keys never mail) and the pieces held. */
      mode: z.enum(['test', 'live', 'unknown']).optional(),
      pieces: z
        .array(
          z.object({
            id: z.string(),
            kind: z.string(),
            status: z.string(),
            idempotencyKey: z.string().optional(),
            metadata: z.record(z.string(), z.string()),
          }),
        )
        .optional(),
    }),
  ),
});
export type ProvidersSnapshot = z.infer<typeof ProvidersSnapshot>;

export interface ProviderDoubles {
  /** `scheme://host:port` of a provider's double (the adapter appends the documented path). */
  baseUrlFor(provider: AdsProvider): string;
  /** What each double received so far. */
  snapshot(): ProvidersSnapshot | Promise<ProvidersSnapshot>;
  /** The credentials each double accepts. */
  secrets?: Partial<Record<AdsProvider, unknown>>;
  close?(): Promise<void>;
}

export function localProvidersRoute(doubles: Pick<ProviderDoubles, 'snapshot'> | undefined): Route {
  return route({
    method: 'GET',
    path: LOCAL_PROVIDERS_PATH,
    operationId: 'localProviders',
    summary: 'Local mode: what each provider test double received (requests, audience members)',
    tags: ['local'],
    auth: 'iam',
    responses: { 200: { description: 'the providers and what they received', schema: ProvidersSnapshot } },
    handler: async () => ({
      status: 200,
      body: doubles ? ProvidersSnapshot.parse(await doubles.snapshot()) : { providers: [] },
    }),
  });
}
