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
 * The rule (the generic cell rate algorithm, as a queue): one send per slot of `1000 / rate` ms
 * (rounded up, so never faster than the rate). The table keeps the next free slot; a send reserves
 * the slot at or after now (one conditional update) and goes when that slot has come, or is
 * deferred to it. The touch keeps its slot in its deferral (`send_rate:<rate>/s slot <time>`), so
 * when it comes back it goes without queueing again: a burst of N sends at one instant goes out
 * over N slots, each send deferred once at most.
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

/** The reason a touch deferred to its reserved slot carries (the registry appends ` until <time>`). */
export function slotReason(maxSendRate: number, slot: Date): string {
  return `send_rate:${maxSendRate}/s slot ${slot.toISOString()}`;
}

const SLOT_REASON = /(?:^| )send_rate:\S+ slot (\S+) until (\S+)$/;

/**
 * The slot a deferred touch holds, from its reason; undefined when it holds none, or when the send
 * window moved its retry past the slot (then the slot is gone and it queues again).
 */
export function reservedSlot(reason: string | undefined): Date | undefined {
  const m = reason ? SLOT_REASON.exec(reason) : null;
  if (!m || Date.parse(m[1]) !== Date.parse(m[2])) return undefined;
  const at = new Date(m[1]);
  return Number.isNaN(at.getTime()) ? undefined : at;
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
