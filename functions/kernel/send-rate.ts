/**
 * Pacing email to the SES account's maximum sending rate (docs/architecture.md "Email pacing").
 * Pure: the rule that turns a rate into slots and a ticket into a time; the tickets are counted in
 * the table (functions/platform/store/send-rate.ts), the email channel asks for them.
 *
 * SES accepts at most `MaxSendRate` messages per second per account and Region, counted per
 * recipient; past it, SendEmail fails with `ThrottlingException` ("Maximum sending rate exceeded")
 * and the message is dropped, not queued
 * (https://docs.aws.amazon.com/ses/latest/dg/manage-sending-quotas-errors.html; the sandbox rate
 * is 1 per second: https://docs.aws.amazon.com/ses/latest/dg/quotas.html).
 *
 * The rule: time is cut into slots of `1000 / rate` ms (rounded up, so never faster than the rate)
 * and each slot admits one send. A send asks for a ticket of the slot it falls in: the first ticket
 * goes; ticket n (n > 1) is the (n-1)-th in line behind it, so it comes back n-1 slots later. A
 * burst of N sends at one instant is thus spread over N slots, each send coming back once, at its
 * turn, instead of all retrying together.
 */
import * as z from 'zod';

/** Sends per second: `config.ses.maxSendRate` (cdk.json), `ABM_SES_MAX_SEND_RATE` (local mode). */
export const MaxSendRate = z
  .number()
  .positive()
  // One slot per millisecond at most; the slots are items of one partition (1,000 writes/s).
  .max(1000);
export type MaxSendRate = z.infer<typeof MaxSendRate>;

/** The slot length, in ms, of a rate: one send per slot. */
export function slotMillis(maxSendRate: number): number {
  return Math.max(1, Math.ceil(1000 / maxSendRate));
}

/** The start (epoch ms) of the slot `at` falls in. */
export function slotOf(at: Date, maxSendRate: number): number {
  const ms = slotMillis(maxSendRate);
  return Math.floor(at.getTime() / ms) * ms;
}

/**
 * What ticket `n` of the slot starting at `slot` means: `go`, or the start of the slot it waits
 * for (n-1 slots later).
 */
export function ticketTurn(slot: number, n: number, maxSendRate: number): 'go' | Date {
  if (n <= 1) return 'go';
  return new Date(slot + (n - 1) * slotMillis(maxSendRate));
}

/**
 * How long a send SES throttled waits before it is tried again (without a pace configured): a
 * random time in [1 s, 60 s] (full jitter), so a burst refused together does not return together.
 * SES asks callers to wait up to 10 minutes after a throttling error
 * (https://docs.aws.amazon.com/ses/latest/dg/manage-sending-quotas-errors.html); a touch throttled
 * again waits again.
 */
export const THROTTLED_RETRY_MIN_MS = 1_000;
export const THROTTLED_RETRY_MAX_MS = 60_000;

export function throttledRetryAt(now: Date, random: () => number = Math.random): Date {
  const span = THROTTLED_RETRY_MAX_MS - THROTTLED_RETRY_MIN_MS;
  return new Date(now.getTime() + THROTTLED_RETRY_MIN_MS + Math.floor(random() * span));
}
