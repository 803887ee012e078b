/**
 * What the ordering adapters (Lob, PostGrid) share: the API key read from the secret, its kind
 * (test or live), the authenticated HTTP client, and the cancellation (cancel.ts).
 */
import type { CancelOutcome, DirectMailOrder, DirectMailProvider } from '../direct-mail';
import type { ProviderHttpClient } from '../http';
import { cancelPiece, mailHttp, type MailProviderName } from './cancel';
import {
  apiKeySecret,
  keyMode,
  type KeyMode,
  type MailAdapterDeps,
  type MailAdapterSettings,
} from './shared';

export abstract class PrintAndMailAdapter implements DirectMailProvider {
  readonly idempotent = true;
  readonly mode: KeyMode;
  protected readonly http: ProviderHttpClient;

  constructor(
    readonly name: MailProviderName,
    protected readonly settings: MailAdapterSettings,
    secret: unknown,
    deps: MailAdapterDeps = {},
  ) {
    const { apiKey } = apiKeySecret(name, secret);
    this.mode = keyMode(apiKey);
    this.http = mailHttp(name, settings.baseUrl, apiKey, deps);
  }

  abstract request(order: DirectMailOrder): Promise<{ ref: string }>;

  /** Lob refuses past the piece's `send_date`; PostGrid once the piece is printing. */
  cancel(ref: string): Promise<CancelOutcome> {
    return cancelPiece(this.http, this.name, ref);
  }
}
