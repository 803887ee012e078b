/**
 * The configured print-and-mail provider (`config.providers.directMail`): Lob, PostGrid, or the
 * default that publishes `direct_mail.requested`. A provider adapter is built on first use from
 * its secret (Secrets Manager; local mode: the ABM_SECRETS file or the local double's key); a
 * failed build is not kept, so a secret fixed meanwhile is read on the next order.
 */
import type { PrintAndMailSettings } from '../../../kernel/direct-mail-providers';
import type { CancelOutcome, DirectMailOrder, DirectMailProvider } from '../direct-mail';
import { LobDirectMail } from './lob';
import { PostGridDirectMail } from './postgrid';
import type { KeyMode, MailAdapterDeps } from './shared';

export type MailAdapter = DirectMailProvider & {
  readonly mode: KeyMode;
  cancel(ref: string): Promise<CancelOutcome>;
};

export function createMailAdapter(
  settings: PrintAndMailSettings,
  secret: unknown,
  deps: MailAdapterDeps = {},
): MailAdapter {
  return settings.provider === 'lob'
    ? new LobDirectMail(settings, secret, deps)
    : new PostGridDirectMail(settings, secret, deps);
}

/** A provider whose adapter is built on first use from its secret (read asynchronously). */
export class LazyMailProvider implements DirectMailProvider {
  readonly name: string;
  readonly idempotent = true;
  private adapter?: Promise<MailAdapter>;

  constructor(
    private readonly build: () => Promise<MailAdapter>,
    name: string,
    private readonly onBuilt: (adapter: MailAdapter) => void = () => undefined,
  ) {
    this.name = name;
  }

  /** The adapter, built once (a failed build is tried again on the next call). */
  ready(): Promise<MailAdapter> {
    this.adapter ??= this.build().then(
      (adapter) => {
        this.onBuilt(adapter);
        return adapter;
      },
      (err: unknown) => {
        this.adapter = undefined;
        throw err;
      },
    );
    return this.adapter;
  }

  async request(order: DirectMailOrder): Promise<{ ref: string }> {
    return (await this.ready()).request(order);
  }

  async cancel(ref: string): Promise<CancelOutcome> {
    return (await this.ready()).cancel(ref);
  }
}

export { LobDirectMail, LOB_API } from './lob';
export { PostGridDirectMail, POSTGRID_API } from './postgrid';
export { DirectMailError, idempotencyKeyOf, keyMode, type KeyMode, type MailAdapterDeps } from './shared';
