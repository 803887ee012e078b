/**
 * Frequency caps across channels (docs/architecture.md "Sequences" `frequencyCap`): per contact and per account, over a
 * sliding window, counting touches that were sent by any sequence or may have been (`handing_over`:
 * in flight; `uncertain`: handed over, no answer after a crash or an ambiguous provider error).
 */
import { durationMillis } from '../../kernel/duration';
import type { Channel, FrequencyCap } from '../../kernel/model';

export interface SentTouch {
  contactId: string;
  channel: Channel;
  at: string;
  status: string;
  touchId: string;
}

/**
 * Channels that reach a person directly. Ad-audience membership is passive and is not capped
 * (counting it would starve every email in a sequence that also runs ads).
 */
export const CAPPED_CHANNELS: readonly Channel[] = ['email', 'sdr_task', 'direct_mail'];

/** Touch statuses that count against a cap: sent, and maybe sent. */
export const COUNTED_STATUSES: readonly string[] = ['sent', 'handing_over', 'uncertain'];

export type CapCheck = { capped: false } | { capped: true; scope: 'contact' | 'account'; until: Date };

/**
 * Whether one more touch to `contactId` at `now` would exceed the cap, and if so when the oldest
 * counted touch leaves the window (the earliest time a deferred touch may go).
 */
export function checkFrequencyCap(
  cap: FrequencyCap,
  touches: readonly SentTouch[],
  contactId: string,
  now: Date,
  options: { channels?: readonly Channel[]; excludeTouchId?: string } = {},
): CapCheck {
  const windowMs = durationMillis(cap.window);
  const from = now.getTime() - windowMs;
  const channels = new Set(options.channels ?? CAPPED_CHANNELS);
  const counted = touches
    .filter(
      (t) =>
        COUNTED_STATUSES.includes(t.status) &&
        channels.has(t.channel) &&
        t.touchId !== options.excludeTouchId &&
        new Date(t.at).getTime() > from &&
        new Date(t.at).getTime() <= now.getTime(),
    )
    .map((t) => ({ ...t, time: new Date(t.at).getTime() }))
    .sort((a, b) => a.time - b.time);
  const own = counted.filter((t) => t.contactId === contactId);
  if (own.length >= cap.perContact) {
    const oldest = own[own.length - cap.perContact];
    return { capped: true, scope: 'contact', until: new Date(oldest.time + windowMs + 1) };
  }
  if (cap.perAccount !== undefined && counted.length >= cap.perAccount) {
    const oldest = counted[counted.length - cap.perAccount];
    return { capped: true, scope: 'account', until: new Date(oldest.time + windowMs + 1) };
  }
  return { capped: false };
}
