/**
 * The part of the print-and-mail adapters every function that ends enrollments needs: the HTTP
 * client with the provider's authentication, and the cancellation of a piece. Kept apart from the
 * ordering adapters (lob.ts, postgrid.ts) so that the API router and the scorer, which cancel on a
 * stop or an exit but never order, carry only this (their bundles stay small).
 *
 * - Lob: HTTP Basic with the key as the user name, `DELETE /v1/letters/{ltr_...}` or
 *   `/v1/postcards/{psc_...}` (https://docs.lob.com/; refused past the piece's `send_date`).
 * - PostGrid: `x-api-key`, `DELETE /print-mail/v1/letters/{letter_...}` or `/postcards/{postcard_...}`
 *   (https://postgrid.readme.io/reference/overview; refused once the piece is printing).
 */
import { parseDirectMailSettings } from '../../../kernel/direct-mail-providers';
import type { Platform } from '../../compose';
import type { CancelOutcome, DirectMailProvider } from '../direct-mail';
import { ProviderHttpClient } from '../http';
import type { Providers } from '../index';
import { PROVIDER_SECRETS } from '../secrets';
import { apiKeySecret, asMailCall, cancelOutcomeOf, type MailAdapterDeps } from './shared';

export const LOB_API = 'https://api.lob.com';
export const POSTGRID_API = 'https://api.postgrid.com';
export const POSTGRID_BASE = '/print-mail/v1';

export type MailProviderName = 'lob' | 'postgrid';

/** The provider's HTTP client, authenticated with the API key as the provider documents. */
export function mailHttp(
  provider: MailProviderName,
  baseUrl: string | undefined,
  apiKey: string,
  deps: MailAdapterDeps = {},
): ProviderHttpClient {
  const headers: Record<string, string> =
    provider === 'lob'
      ? { authorization: `Basic ${Buffer.from(`${apiKey}:`).toString('base64')}` }
      : { 'x-api-key': apiKey };
  return new ProviderHttpClient({
    ...deps,
    provider,
    baseUrl: baseUrl ?? (provider === 'lob' ? LOB_API : POSTGRID_API),
    headers: () => headers,
  });
}

const PATHS: Record<MailProviderName, Record<string, string>> = {
  lob: { ltr_: '/v1/letters/', psc_: '/v1/postcards/' },
  postgrid: { letter_: `${POSTGRID_BASE}/letters/`, postcard_: `${POSTGRID_BASE}/postcards/` },
};

/** Cancels a piece by its id; the provider decides whether it still can. */
export async function cancelPiece(
  http: ProviderHttpClient,
  provider: MailProviderName,
  ref: string,
): Promise<CancelOutcome> {
  const prefix = Object.keys(PATHS[provider]).find((p) => ref.startsWith(p));
  if (!prefix) return 'unknown';
  const path = `${PATHS[provider][prefix]}${encodeURIComponent(ref)}`;
  const res = await asMailCall(provider, () => http.request({ method: 'DELETE', path }));
  return cancelOutcomeOf(provider, res);
}

/**
 * The platform's providers with a direct-mail provider that can cancel the configured provider's
 * pieces (and orders nothing): what the lifecycle of the functions that end enrollments uses.
 */
export function withMailCancel(platform: Platform, base: Providers): Providers {
  const settings = parseDirectMailSettings(platform.config.directMailProvider);
  if (settings.provider === 'eventbridge') return base;
  const { provider } = settings;
  let http: Promise<ProviderHttpClient> | undefined;
  const client = () =>
    (http ??= platform
      .port(PROVIDER_SECRETS)
      .get(settings.secretName)
      .then((secret) => mailHttp(provider, settings.baseUrl, apiKeySecret(provider, secret).apiKey))
      .catch((err: unknown) => {
        http = undefined;
        throw err;
      }));
  const directMail: DirectMailProvider = {
    name: provider,
    idempotent: true,
    request: () =>
      Promise.reject(new Error(`${provider}: this function cancels pieces, it does not order them`)),
    cancel: async (ref) => cancelPiece(await client(), provider, ref),
  };
  return {
    get audiences() {
      return base.audiences;
    },
    directMail,
  };
}
