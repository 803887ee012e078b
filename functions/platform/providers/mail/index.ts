/**
 * The configured print-and-mail provider (`config.providers.directMail`): Lob, PostGrid, or the
 * default that publishes `direct_mail.requested`. A provider adapter is built on first use from
 * its secret (Secrets Manager; local mode: the ABM_SECRETS file or the local double's key); a
 * failed build is not kept, so a secret fixed meanwhile is read on the next order.
 */
import { parseDirectMailSettings, type PrintAndMailSettings } from '../../../kernel/direct-mail-providers';
import type { Platform } from '../../compose';
import type { Providers } from '../index';
import { PROVIDER_SECRETS } from '../secrets';
import type { CancelOutcome, DirectMailOrder, DirectMailProvider } from '../direct-mail';
import { LobDirectMail } from './lob';
import { PostGridDirectMail } from './postgrid';
import { mailRequestCounts } from './metrics';
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

/**
 * The platform's providers with the configured direct-mail provider (Lob, PostGrid: its adapter
 * built on first use from its secret; the default: `base`'s, which publishes the request event).
 * What the engine uses; the functions that only end enrollments use `withMailCancel` (cancel.ts).
 */
export function withConfiguredMail(platform: Platform, base: Providers): Providers {
  const settings = parseDirectMailSettings(platform.config.directMailProvider);
  if (settings.provider === 'eventbridge') return base;
  const directMail = new LazyMailProvider(
    async () =>
      createMailAdapter(settings, await platform.port(PROVIDER_SECRETS).get(settings.secretName), {
        onRequest: (m) => {
          mailRequestCounts.record(settings.provider, m);
          if (m.throttled || m.status === 0 || m.status >= 500)
            platform.log.warn('direct mail provider request not answered', {
              provider: settings.provider,
              ...m,
            });
        },
      }),
    settings.provider,
    // Test keys never mail anything: say which kind this deployment uses, once per cold start.
    (adapter) =>
      platform.log.info(`direct mail provider ${adapter.name}: ${adapter.mode} key`, {
        provider: adapter.name,
        mode: adapter.mode,
      }),
  );
  return {
    get audiences() {
      return base.audiences;
    },
    directMail,
  };
}

export { MailRequestCounts, mailRequestCounts, MAIL_METRICS } from './metrics';
export { LobDirectMail } from './lob';
export { PostGridDirectMail } from './postgrid';
export { cancelPiece, LOB_API, POSTGRID_API, withMailCancel } from './cancel';
export { DirectMailError, idempotencyKeyOf, keyMode, type KeyMode, type MailAdapterDeps } from './shared';
