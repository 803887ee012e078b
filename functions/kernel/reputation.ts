/**
 * The sender reputation circuit breaker's rules (docs/architecture.md "Sender reputation"): per
 * sending domain, the hard-bounce and complaint rates over a rolling window of hourly buckets,
 * judged only once the window holds enough sends to mean something. Past a threshold the domain's
 * email touches are deferred until an operator resumes it. Pure: the counts come from the store
 * (functions/platform/store/reputation.ts), the decisions are made here.
 */
import * as z from 'zod';
import { IsoTimestamp } from './model';

/**
 * `config.reputation` (cdk.json, local mode's ABM_REPUTATION). The default thresholds are the rates
 * at which SES itself places an account under review: a bounce rate of 5% or greater, a complaint
 * rate of 0.1% or greater; only hard (permanent) bounces count toward the bounce rate
 * (https://docs.aws.amazon.com/ses/latest/dg/faqs-enforcement.html, "Bounce FAQ" Q3 and Q4,
 * "Amazon SES complaints through feedback loops FAQ" Q5).
 */
export const ReputationConfig = z
  .object({
    /** The rolling window, in hours (hourly buckets, the current one included). */
    windowHours: z.number().int().min(1).max(168).default(24),
    /** Sends the window must hold before its rates are judged. */
    minSends: z.number().int().min(1).default(500),
    /** Hard bounces per send at or above which the domain is paused (0.05 = 5%). */
    maxBounceRate: z.number().gt(0).max(1).default(0.05),
    /** Complaints per send at or above which the domain is paused (0.001 = 0.1%). */
    maxComplaintRate: z.number().gt(0).max(1).default(0.001),
  })
  .strict();
export type ReputationConfig = z.infer<typeof ReputationConfig>;
export type ReputationConfigInput = z.input<typeof ReputationConfig>;

/** The configuration of a runtime (`RuntimeConfig.reputation`, unknown until validated here). */
export function reputationConfig(value: unknown): ReputationConfig {
  return ReputationConfig.parse(value ?? {});
}

/** A sending domain as it appears in keys, routes and events: a lower-case DNS name. */
export const SendingDomain = z
  .string()
  .trim()
  .toLowerCase()
  .regex(
    /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    'a domain name, e.g. example.com',
  )
  .meta({ examples: ['example.com', 'mail.example.org', 'abm.local'] });

/** The domain of an address, with or without a display name (`Name <a@example.com>` -> example.com). */
export function sendingDomainOf(address: string | undefined): string | undefined {
  if (!address) return undefined;
  const angle = /<([^>]*)>/.exec(address);
  const email = (angle ? angle[1] : address).trim();
  const at = email.lastIndexOf('@');
  if (at < 0) return undefined;
  const parsed = SendingDomain.safeParse(email.slice(at + 1));
  return parsed.success ? parsed.data : undefined;
}

/** What one domain's window holds. */
export interface SendingCounts {
  sends: number;
  bounces: number;
  complaints: number;
}

/** The threshold a window breached. */
export const BreachReason = z.enum(['bounce_rate', 'complaint_rate']);
export type BreachReason = z.infer<typeof BreachReason>;

const Counts = {
  sends: z.number().int().nonnegative(),
  bounces: z.number().int().nonnegative(),
  complaints: z.number().int().nonnegative(),
};

export const SendingWindow = z.object({
  hours: z.number().int().positive(),
  /** The first hour counted (after a resume, the hour of the resume). */
  from: IsoTimestamp,
  ...Counts,
  bounceRate: z.number().nonnegative(),
  complaintRate: z.number().nonnegative(),
});
export type SendingWindow = z.infer<typeof SendingWindow>;

/** The rates of a window and the threshold it breaches, if any (none below `minSends`). */
export function judgeWindow(
  counts: SendingCounts,
  config: ReputationConfig,
): { bounceRate: number; complaintRate: number; breach?: BreachReason } {
  const rate = (n: number) => (counts.sends > 0 ? n / counts.sends : 0);
  const bounceRate = rate(counts.bounces);
  const complaintRate = rate(counts.complaints);
  if (counts.sends < config.minSends) return { bounceRate, complaintRate };
  const breach: BreachReason | undefined =
    bounceRate >= config.maxBounceRate
      ? 'bounce_rate'
      : complaintRate >= config.maxComplaintRate
        ? 'complaint_rate'
        : undefined;
  return { bounceRate, complaintRate, ...(breach ? { breach } : {}) };
}

/** The hour bucket of a time: `2026-11-22T10` (UTC). */
export const hourOf = (at: Date): string => at.toISOString().slice(0, 13);

const HOUR_MS = 3_600_000;

/**
 * The hour buckets of the window ending at `now`: the current hour and the `windowHours - 1` before
 * it, none before `notBefore` (a resume), oldest first.
 */
export function windowHoursOf(now: Date, windowHours: number, notBefore?: Date): string[] {
  const current = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
  const floor = notBefore ? Math.floor(notBefore.getTime() / HOUR_MS) * HOUR_MS : -Infinity;
  const hours: string[] = [];
  for (let i = windowHours - 1; i >= 0; i--) {
    const start = current - i * HOUR_MS;
    if (start >= floor) hours.push(hourOf(new Date(start)));
  }
  return hours;
}

/** The start of an hour bucket as a timestamp. */
export const hourStart = (hour: string): string => `${hour}:00:00.000Z`;

/** What the store keeps of a domain's breaker. */
export const SendingDomainState = z.object({
  domain: SendingDomain,
  status: z.enum(['active', 'paused']),
  /** Why it was paused (the threshold the window breached). */
  reason: BreachReason.optional(),
  pausedAt: IsoTimestamp.optional(),
  /** The window as it was when the breaker tripped. */
  window: SendingWindow.optional(),
  resumedAt: IsoTimestamp.optional(),
  /**
   * The counts of the resume's hour bucket at the resume: after a resume the window starts at that
   * hour and these are subtracted from it, so only what happened since the resume is judged.
   */
  baseline: z.object({ hour: z.string(), ...Counts }).optional(),
  updatedAt: IsoTimestamp,
});
export type SendingDomainState = z.infer<typeof SendingDomainState>;

/** How long a touch deferred by a paused domain waits before the engine checks the domain again. */
export const PAUSED_DOMAIN_RECHECK_MS = HOUR_MS;

/** What the API shows of a sending domain: its breaker, its current window and the thresholds. */
export const SendingDomainView = SendingDomainState.pick({
  domain: true,
  status: true,
  reason: true,
  pausedAt: true,
  resumedAt: true,
}).extend({
  window: SendingWindow,
  thresholds: z.object({
    windowHours: z.number().int().positive(),
    minSends: z.number().int().positive(),
    maxBounceRate: z.number().positive(),
    maxComplaintRate: z.number().positive(),
  }),
});
export type SendingDomainView = z.infer<typeof SendingDomainView>;
