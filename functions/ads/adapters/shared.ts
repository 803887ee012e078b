/**
 * What the three ad-platform adapters share: their settings and dependencies, the hashing every
 * platform starts from, and the translation of the HTTP client's error into the port's.
 */
import { createHash } from 'node:crypto';
import { ProviderHttpError, type HttpDeps } from '../../platform/providers/http';
import { ProviderError, type AdsProviderName, type IdentifiedMember } from '../port';

/** One `providers.ads` entry, as far as the adapter needs it. */
export interface AdapterSettings {
  provider: AdsProviderName;
  /** `scheme://host[:port]`; absent means the provider's production API host. */
  baseUrl?: string;
  /** Google: the Google Ads customer id that owns the Customer Match lists (digits, dashes allowed). */
  customerId?: string;
  /** Google: the manager account the credentials reach the customer through, when not the customer itself. */
  loginCustomerId?: string;
}

/** Injected for tests and the bench; production passes nothing but `onRequest` (metrics). */
export type AdapterDeps = HttpDeps;

/** The secret of a provider that takes a bearer access token (LinkedIn, Meta): `{ "accessToken" }`. */
export function accessTokenSecret(provider: string, secret: unknown): { accessToken: string } {
  const s = secret as { accessToken?: unknown } | undefined;
  if (!s || typeof s.accessToken !== 'string' || s.accessToken === '')
    throw new Error(`${provider}: the secret must be a JSON object with "accessToken"`);
  return { accessToken: s.accessToken };
}

/** SHA-256, hex (lower case) of a string's UTF-8 bytes. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** The baseline every platform documents: leading and trailing whitespace trimmed, lower case. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Runs a provider call, turning the HTTP client's error into the port's `ProviderError`. */
export async function asProviderCall<T>(provider: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ProviderHttpError)
      throw new ProviderError(
        provider,
        error.message.replace(`${provider}: `, ''),
        error.retryable,
        error.status,
      );
    throw error;
  }
}

/** A refused request (4xx other than 401/429 after refresh): not retryable, the body says why. */
export function refused(provider: string, what: string, status: number, body: unknown): ProviderError {
  const detail = typeof body === 'string' ? body : JSON.stringify(body ?? null);
  return new ProviderError(provider, `${what} refused (${status}): ${detail.slice(0, 500)}`, false, status);
}

/** Members of a batch by a provider-side key (the identifier the provider echoes back). */
export function indexBy(members: IdentifiedMember[], key: (m: IdentifiedMember) => string | undefined) {
  const byKey = new Map<string, IdentifiedMember[]>();
  for (const m of members) {
    const k = key(m);
    if (k === undefined) continue;
    const list = byKey.get(k) ?? [];
    list.push(m);
    byKey.set(k, list);
  }
  return byKey;
}

/** Throws when a batch is larger than the provider takes (the sync service splits before). */
export function checkBatch(provider: string, members: IdentifiedMember[], maxBatch: number): void {
  if (members.length > maxBatch)
    throw new ProviderError(provider, `batch of ${members.length} is over the limit of ${maxBatch}`, false);
}
