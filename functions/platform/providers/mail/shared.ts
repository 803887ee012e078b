/**
 * What the print-and-mail adapters (Lob, PostGrid) share: the error the engine's direct-mail
 * channel reads, the idempotency key derived from the touch id, the API-key secret and its mode,
 * and the translation of the shared HTTP client's error.
 */
import { createHash } from 'node:crypto';
import type { MailPiece } from '../../../kernel/direct-mail-providers';
import { ProviderHttpError, type HttpDeps } from '../http';

/**
 * A provider call that did not produce a piece.
 * - `retryable: false`: the provider refused the order and did not act (an invalid address, an
 *   unknown template): sending it again would be refused again.
 * - `retryable: true`: the provider did not answer in time (429s, 5xx, timeouts past the client's
 *   retry budget). It may have made the piece; the order is sent again later with the same
 *   idempotency key, and the provider answers with the piece it made, if it made one.
 */
export class DirectMailError extends Error {
  constructor(
    readonly provider: string,
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(`${provider}: ${message}`);
    this.name = 'DirectMailError';
  }
}

/** `test` or `live`, from the key's documented prefix; `unknown` when it has neither. */
export type KeyMode = 'test' | 'live' | 'unknown';

export function apiKeySecret(provider: string, secret: unknown): { apiKey: string } {
  const s = secret as { apiKey?: unknown } | undefined;
  if (!s || typeof s.apiKey !== 'string' || s.apiKey === '')
    throw new Error(`${provider}: the secret must be a JSON object with "apiKey"`);
  return { apiKey: s.apiKey };
}

export function keyMode(apiKey: string): KeyMode {
  return apiKey.startsWith('test_') ? 'test' : apiKey.startsWith('live_') ? 'live' : 'unknown';
}

/**
 * The idempotency key of an order: derived from the touch id (one per execution, step and
 * contact), so every attempt at one touch sends the same key, whoever sends it. Hashed: a touch id
 * can be longer than a provider takes, and holds account and contact ids.
 */
export function idempotencyKeyOf(orderId: string): string {
  return `abm-${createHash('sha256').update(orderId, 'utf8').digest('hex').slice(0, 48)}`;
}

/** Runs a provider call, turning the HTTP client's error into `DirectMailError`. */
export async function asMailCall<T>(provider: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ProviderHttpError)
      throw new DirectMailError(
        provider,
        error.message.replace(`${provider}: `, ''),
        error.retryable,
        error.status,
      );
    throw error;
  }
}

/** A refused request: not retryable, the body says why. */
export function refusedOrder(provider: string, what: string, status: number, body: unknown): DirectMailError {
  const detail = typeof body === 'string' ? body : JSON.stringify(body ?? null);
  return new DirectMailError(provider, `${what} refused (${status}): ${detail.slice(0, 500)}`, false, status);
}

/** What the adapter needs of the configuration (functions/kernel/direct-mail-providers.ts). */
export interface MailAdapterSettings {
  baseUrl?: string;
  from: string;
  useType: 'marketing' | 'operational';
  pieces: Record<string, MailPiece>;
}

/** Injected for tests and the bench; production passes nothing but `onRequest` (metrics). */
export type MailAdapterDeps = HttpDeps;

/** Metadata every piece carries, so a webhook finds its account, campaign and touch again. */
export function pieceMetadata(order: {
  accountId: string;
  campaignId: string;
  contactId: string;
  orderId: string;
}): Record<string, string> {
  return {
    accountId: order.accountId,
    campaignId: order.campaignId,
    contactId: order.contactId,
    touchId: order.orderId,
    idempotencyKey: idempotencyKeyOf(order.orderId),
  };
}
