/**
 * The channel providers of a platform (ad audiences, direct mail). Ad audiences publish
 * `ads.audience.changed` (the audience sync calls the ad platforms); direct mail is published as
 * `direct_mail.requested` here. A configured print-and-mail provider (Lob, PostGrid) replaces it
 * where it is used (functions/platform/providers/mail: `withConfiguredMail` for the engine,
 * `withMailCancel` for the functions that end enrollments), so that a bundle carries only the part
 * of the mail adapters it runs.
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
export type { CancelOutcome, DirectMailOrder, DirectMailProvider } from './direct-mail';
