/**
 * The channel providers of a platform (ad audiences, direct mail). Ad audiences publish
 * `ads.audience.changed` (the audience sync calls the ad platforms); direct mail goes to the
 * configured print-and-mail provider (`config.directMailProvider`: Lob, PostGrid), or is published
 * as `direct_mail.requested` by default.
 */
import { parseDirectMailSettings } from '../../kernel/direct-mail-providers';
import { PUBLISHER } from '../bus';
import type { Platform } from '../compose';
import { EventBridgeAudienceProvider, type AudienceProvider } from './audience';
import { EventBridgeDirectMailProvider, type DirectMailProvider } from './direct-mail';
import { createMailAdapter, LazyMailProvider } from './mail';
import { PROVIDER_SECRETS } from './secrets';

export interface Providers {
  audiences: AudienceProvider;
  directMail: DirectMailProvider;
}

const built = new WeakMap<Platform, Providers>();

/** The platform's providers, built once per platform, on first use. */
export function providers(platform: Platform): Providers {
  let p = built.get(platform);
  if (!p) {
    let audiences: AudienceProvider | undefined;
    let directMail: DirectMailProvider | undefined;
    p = {
      get audiences() {
        return (audiences ??= new EventBridgeAudienceProvider(platform.port(PUBLISHER)));
      },
      get directMail() {
        return (directMail ??= directMailProvider(platform));
      },
    };
    built.set(platform, p);
  }
  return p;
}

/** The configured direct-mail provider; its adapter is built on first use. */
function directMailProvider(platform: Platform): DirectMailProvider {
  const settings = parseDirectMailSettings(platform.config.directMailProvider);
  if (settings.provider === 'eventbridge') return new EventBridgeDirectMailProvider(platform.port(PUBLISHER));
  return new LazyMailProvider(
    async () =>
      createMailAdapter(settings, await platform.port(PROVIDER_SECRETS).get(settings.secretName), {
        onRequest: (m) => {
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
}

export type { AudienceChange, AudienceProvider } from './audience';
export type { CancelOutcome, DirectMailOrder, DirectMailProvider } from './direct-mail';
