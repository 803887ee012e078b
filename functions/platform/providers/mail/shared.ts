/**
 * What the print-and-mail adapters (Lob, PostGrid) share: the error the engine's direct-mail
 * channel reads, the idempotency key derived from the touch id, the API-key secret and its mode,
 * and the translation of the shared HTTP client's error.
 */
import { createHash } from 'node:crypto';
import type { MailPiece } from '../../../kernel/direct-mail-providers';
import type { CancelOutcome } from '../direct-mail';
import { ProviderHttpError, type HttpDeps, type HttpResponse } from '../http';

/**
 * A provider call that did not produce a piece.
 * - `retryable: false`: the provider refused the order and did not act (an invalid address, an
 *   unknown template): sending it again would be refused again.
 * - `retryable: true`: the provider did not answer in time (429s, 5xx, timeouts past the client's
 *   retry budget). It may have made the piece; the order is sent again later with the same
 *   idempotency key, and the provider answers with the piece it made, if it made one.
 */
export class DirectMailError extends ProviderHttpError {
  constructor(provider: string, message: string, retryable: boolean, status?: number) {
    super(provider, message, retryable, status);
    this.name = 'DirectMailError';
  }
}

/** `test` or `live`, from the key's documented prefix (Lob `test_`/`live_`, PostGrid `test_sk_`/`live_sk_`); `unknown` otherwise. */
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

/** The configured piece an order names (a step naming another is skipped before it gets here). */
export function pieceOf(provider: string, pieces: Record<string, MailPiece>, name: string): MailPiece {
  const piece = pieces[name];
  if (!piece) throw new DirectMailError(provider, `no piece "${name}" is configured`, false);
  return piece;
}

/** The piece id of a create's answer; a refusal (not retryable) otherwise. */
export function createdPieceId(provider: string, path: string, res: HttpResponse): string {
  if (res.status === 401)
    throw new DirectMailError(provider, 'API key refused (401): check the secret', false, 401);
  if (res.status < 200 || res.status >= 300)
    throw refusedOrder(provider, `POST ${path}`, res.status, res.body);
  const id = (res.body as { id?: unknown } | undefined)?.id;
  if (typeof id !== 'string') throw new DirectMailError(provider, `POST ${path}: no id in the answer`, true);
  return id;
}

/**
 * What a cancellation's answer means: cancelled (2xx), no such piece (404), or too late (another
 * refusal: the piece is in production, past its window).
 */
export function cancelOutcomeOf(provider: string, res: HttpResponse): CancelOutcome {
  if (res.status >= 200 && res.status < 300) return 'cancelled';
  if (res.status === 404) return 'unknown';
  if (res.status === 401)
    throw new DirectMailError(provider, 'API key refused (401): check the secret', false, 401);
  return 'too_late';
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
