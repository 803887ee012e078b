/**
 * When a touch step reaches each of its contacts, and what the frequency cap makes of one touch:
 * the decisions the channel registry (channels/index.ts) takes for every touch, as pure functions,
 * so the launch forecast (domain/forecast.ts) takes the very same ones.
 */
import type { ClosedDay } from '../../kernel/holidays';
import type { Channel, Contact, FrequencyCap, SendWindow } from '../../kernel/model';
import { nextInWindow } from './business-hours';
import { checkFrequencyCap, type SentTouch } from './frequency';

/**
 * Whether a channel's touches land inside each contact's send window (an inbox, a phone) or
 * whenever due (an ad audience, a piece of mail): each executor's `windowed`.
 */
export const WINDOWED: Readonly<Record<Channel, boolean>> = {
  email: true,
  sdr_task: true,
  ads: false,
  direct_mail: false,
};

/** A time moved into the contact's send window when the channel is windowed. */
export function windowedTime(
  at: Date,
  windowed: boolean,
  timeZone: string,
  window: SendWindow,
  closed?: ClosedDay,
): Date {
  return windowed ? nextInWindow(at, timeZone, window, closed) : at;
}

/**
 * The targets whose time has come at `now` (within `toleranceMs`), and the others with their time:
 * each is reached at `from` (the step's due time or now, whichever is later), inside its own send
 * window for a windowed channel.
 */
export function timeTargets<C extends Pick<Contact, 'contactId' | 'timeZone'>>(
  targets: readonly C[],
  o: {
    from: Date;
    now: Date;
    windowed: boolean;
    window: SendWindow;
    toleranceMs: number;
    /** A contact's closed days (holidays, closed dates) under the window. */
    closedDay?: (contact: C) => ClosedDay | undefined;
  },
): { ready: C[]; remaining: { contactId: string; at: Date }[] } {
  const horizon = o.now.getTime() + o.toleranceMs;
  const ready: C[] = [];
  const remaining: { contactId: string; at: Date }[] = [];
  for (const contact of targets) {
    const at = windowedTime(o.from, o.windowed, contact.timeZone, o.window, o.closedDay?.(contact));
    if (at.getTime() <= horizon) ready.push(contact);
    else remaining.push({ contactId: contact.contactId, at });
  }
  return { ready, remaining };
}

export type CapOutcome =
  | { status: 'skipped'; reason: string; scope: 'contact' | 'account' }
  | { status: 'deferred'; reason: string; scope: 'contact' | 'account'; until: Date };

/**
 * The frequency cap on one touch at `now`: nothing when it may go; else skipped, or deferred to
 * when the cap allows it (the next window opening from then, for a windowed channel).
 */
export function capOutcome(
  cap: FrequencyCap,
  counted: readonly SentTouch[],
  contact: Pick<Contact, 'contactId' | 'timeZone'>,
  now: Date,
  o: { touchId: string; windowed: boolean; window: SendWindow; closed?: ClosedDay },
): CapOutcome | undefined {
  const check = checkFrequencyCap(cap, counted, contact.contactId, now, { excludeTouchId: o.touchId });
  if (!check.capped) return undefined;
  const reason = `frequency_capped:${check.scope}`;
  if (cap.onCapped === 'skip') return { status: 'skipped', reason, scope: check.scope };
  return {
    status: 'deferred',
    reason,
    scope: check.scope,
    until: windowedTime(check.until, o.windowed, contact.timeZone, o.window, o.closed),
  };
}
