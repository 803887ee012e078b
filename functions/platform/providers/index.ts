/**
 * The channel providers of a platform (ad audiences, direct mail). Today both publish a request
 * event on the bus (`ads.audience.changed`, `direct_mail.requested`) for a team's own integration
 * to route; real provider adapters will sit behind the same ports.
 */
import { PUBLISHER } from '../bus';
import type { Platform } from '../compose';
import { EventBridgeAudienceProvider, type AudienceProvider } from './audience';
import { EventBridgeDirectMailProvider, type DirectMailProvider } from './direct-mail';

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
        return (directMail ??= new EventBridgeDirectMailProvider(platform.port(PUBLISHER)));
      },
    };
    built.set(platform, p);
  }
  return p;
}

export type { AudienceChange, AudienceProvider } from './audience';
export type { DirectMailOrder, DirectMailProvider } from './direct-mail';
