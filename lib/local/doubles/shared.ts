/**
 * What the provider test doubles share: an in-process HTTP server on 127.0.0.1 (ephemeral port),
 * each audience's membership, a request log, and injected faults (scripted, or by rate from a
 * seeded generator, the demo's mulberry32, so a run is repeatable).
 *
 * Faults, applied to a provider's member endpoints after the request passed the double's checks
 * (a provider validates before it acts):
 * - `throttle`: 429 with `Retry-After` (seconds, `retryAfterSeconds`), nothing applied;
 * - `error`: 500, nothing applied;
 * - `hang`: the change is applied, then no response is ever sent (the client times out: the
 *   worst case, since a retry repeats a change that already happened);
 * - `partial`: one member of the batch (the first) is refused the provider's way, the rest applied;
 * - `graphThrottle` (Meta): 400 with Graph error code 80003, nothing applied;
 * - `expireToken` (Google): every issued access token stops working (401) until refreshed.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Rng } from '../../demo/random';

export type ProviderName = 'linkedin' | 'google' | 'meta' | 'lob' | 'postgrid' | CrmDoubleName;
/** The CRM doubles (lib/local/doubles/hubspot.ts, salesforce.ts). */
export type CrmDoubleName = 'hubspot' | 'salesforce';
export type Fault = 'throttle' | 'error' | 'hang' | 'partial' | 'graphThrottle' | 'expireToken';
export type FaultRates = Partial<Record<'throttle' | 'error' | 'hang' | 'partial', number>>;

export interface RequestRecord {
  at: string;
  method: string;
  path: string;
  /** 0 for a request left hanging. */
  status: number;
}

/** The full record of one request, for contract tests (headers lower-cased, body as received). */
export interface RequestDetail extends RequestRecord {
  headers: http.IncomingHttpHeaders;
  query: Record<string, string>;
  body: string;
}

export interface AudienceSnapshot {
  audience: string;
  /** Identifiers the provider holds now (hashes; for LinkedIn companies the domain, else the name). */
  added: string[];
  /** Identifiers removed and not held now. */
  removed: string[];
}

export interface ProviderSnapshot {
  provider: ProviderName;
  requests: RequestRecord[];
  audiences: AudienceSnapshot[];
  /** The records a CRM double holds (tasks, contacts, companies...). */
  records?: { type: string; id: string; properties: Record<string, unknown> }[];
}

/** One audience as the provider holds it: idempotent adds and removes, counted. */
export class Membership {
  readonly held = new Set<string>();
  readonly removed = new Set<string>();
  /** Adds of an identifier already held (a retry after a lost response repeats an ADD). */
  repeatedAdds = 0;

  add(id: string): void {
    if (this.held.has(id)) this.repeatedAdds++;
    this.held.add(id);
    this.removed.delete(id);
  }

  remove(id: string): void {
    if (this.held.delete(id)) this.removed.add(id);
  }
}

export class Faults {
  private readonly scripts = new Map<ProviderName, Fault[]>();
  private readonly rates = new Map<ProviderName, FaultRates>();
  private rng: Rng;
  /** The Retry-After a `throttle` answers with, in seconds. */
  retryAfterSeconds = 1;

  constructor(seed = 1) {
    this.rng = new Rng(seed);
  }

  /** The next requests to `provider`'s member endpoints meet these faults, in order. */
  script(provider: ProviderName, ...faults: Fault[]): void {
    this.scripts.set(provider, [...(this.scripts.get(provider) ?? []), ...faults]);
  }

  /** Each request meets a fault with these probabilities (after any script is used up). */
  rate(provider: ProviderName, rates: FaultRates, seed?: number): void {
    this.rates.set(provider, rates);
    if (seed !== undefined) this.rng = new Rng(seed);
  }

  clear(): void {
    this.scripts.clear();
    this.rates.clear();
  }

  /** The fault the next request meets, if any. */
  next(provider: ProviderName): Fault | undefined {
    const script = this.scripts.get(provider);
    if (script && script.length > 0) return script.shift();
    const rates = this.rates.get(provider);
    if (!rates) return undefined;
    let point = this.rng.next();
    for (const fault of ['throttle', 'error', 'hang', 'partial'] as const) {
      const p = rates[fault] ?? 0;
      if (point < p) return fault;
      point -= p;
    }
    return undefined;
  }
}

export interface DoubleRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type DoubleResponse =
  { status: number; body?: unknown; headers?: Record<string, string> } | { hang: true };

export interface DoubleServer {
  provider: ProviderName;
  baseUrl: string;
  audiences: Map<string, Membership>;
  details: RequestDetail[];
  snapshot(names?: Record<string, string>): ProviderSnapshot;
  close(): Promise<void>;
}

export function audienceOf(audiences: Map<string, Membership>, listId: string): Membership {
  let m = audiences.get(listId);
  if (!m) audiences.set(listId, (m = new Membership()));
  return m;
}

/** Starts a double: `handle` answers each request; the server records it. */
export async function startDouble(
  provider: ProviderName,
  audiences: Map<string, Membership>,
  handle: (req: DoubleRequest) => DoubleResponse,
): Promise<DoubleServer> {
  const details: RequestDetail[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://double');
      const request: DoubleRequest = {
        method: req.method ?? 'GET',
        path: decodeURIComponent(url.pathname),
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      let response: DoubleResponse;
      try {
        response = handle(request);
      } catch (error) {
        response = { status: 500, body: { message: error instanceof Error ? error.message : String(error) } };
      }
      const status = 'hang' in response ? 0 : response.status;
      details.push({ at: new Date().toISOString(), status, ...request });
      if ('hang' in response) return; // the socket stays open until the client gives up or close()
      const text = response.body === undefined ? '' : JSON.stringify(response.body);
      res.writeHead(response.status, { 'content-type': 'application/json', ...response.headers });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    provider,
    baseUrl: `http://127.0.0.1:${port}`,
    audiences,
    details,
    snapshot(names = {}) {
      return {
        provider,
        requests: details.map(({ at, method, path, status }) => ({ at, method, path, status })),
        audiences: [...audiences].map(([listId, m]) => ({
          audience: names[listId] ?? listId,
          added: [...m.held].sort(),
          removed: [...m.removed].sort(),
        })),
      };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const HEX64 = /^[0-9a-f]{64}$/;

/** A form body or query value, whichever carries it. */
export function formValue(req: DoubleRequest, name: string): string | undefined {
  const type = String(req.headers['content-type'] ?? '');
  if (type.startsWith('application/x-www-form-urlencoded')) {
    const v = new URLSearchParams(req.body).get(name);
    if (v !== null) return v;
  }
  return req.query[name];
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function bearer(req: DoubleRequest): string | undefined {
  const m = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''));
  return m?.[1];
}
