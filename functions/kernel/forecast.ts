/**
 * The launch forecast (POST /campaigns with `dryRun`, docs/api.md "Forecast"): what the treated
 * accounts of a launch would receive if nobody engaged, computed by the engine's own decisions
 * (functions/engine/domain/forecast.ts), then priced here. The schema is shared by the engine's
 * forecaster (its own Lambda function, so the router's bundle carries no time-zone library), the
 * port that reaches it and the launch contract.
 */
import * as z from 'zod';
import { SequenceSnapshot } from './execution';
import { CHANNELS, Id, IsoTimestamp, type Channel } from './model';

/** What the forecaster is asked: the treated accounts of a launch, the sequence, and when it starts. */
export const ForecastRequest = z.object({
  sequence: SequenceSnapshot,
  accountIds: z.array(Id),
  startAt: IsoTimestamp,
});
export type ForecastRequest = z.infer<typeof ForecastRequest>;

const count = z.number().int().nonnegative();
const usd = z.number().nonnegative();
export const ChannelCounts = z.object({ email: count, ads: count, sdr_task: count, direct_mail: count });
export type ChannelCounts = z.infer<typeof ChannelCounts>;

/** One touch the frequency cap stopped (skipped) or moved (deferred). */
export const CappedTouch = z.object({
  accountId: z.string(),
  contactId: z.string(),
  stepId: z.string(),
  channel: z.enum(CHANNELS),
  outcome: z.enum(['skipped', 'deferred']),
  scope: z.enum(['contact', 'account']),
  at: IsoTimestamp,
  /** deferred: when it may go. */
  until: IsoTimestamp.optional(),
});
export type CappedTouch = z.infer<typeof CappedTouch>;

/** At most this many capped touches are listed (`cappedTotal` counts them all). */
export const CAPPED_LIST_LIMIT = 1000;

export const TouchForecast = z.object({
  /** Treated accounts forecast (all of them, unless `sampled`). */
  accounts: count,
  /** Forecast on a deterministic sample of this many accounts, the counts scaled to all of them. */
  sampled: count.optional(),
  touches: z.object({
    /** Touches sent, by channel (one per contact reached, as the touch ledger counts them). */
    byChannel: ChannelCounts,
    /** Touches sent by ISO week (the Monday, UTC), in order. */
    byWeek: z.array(ChannelCounts.extend({ week: z.string() })),
    /** Touches recorded skipped, by reason (eligibility, budgets, caps). */
    skippedByReason: z.record(z.string(), count),
  }),
  /** Touches the frequency cap skipped or deferred (first CAPPED_LIST_LIMIT). */
  capped: z.array(CappedTouch),
  cappedTotal: count,
  /** When the last enrollment ends: with no delay, and with the launch's quotas and latencies. */
  finish: z.object({ earliest: IsoTimestamp.nullable(), latest: IsoTimestamp.nullable() }),
  cost: z.object({
    usd,
    byComponent: z.object({ ses: usd, stepFunctions: usd, lambda: usd, directMail: usd }),
    assumptions: z.array(z.string()),
  }),
  quota: z.object({
    startExecution: z.object({
      executions: count,
      bucket: count,
      refillPerSecond: z.number().positive(),
      /** How long StartExecution takes for the whole audience at that quota. */
      seconds: z.number().nonnegative(),
    }),
    ses: z.object({
      /** `config.ses.maxSendRate` (null: not configured, no pacing). */
      maxSendRate: z.number().positive().nullable(),
      /** The most emails due at one instant (a send window opening). */
      peakBurst: count,
      /** How long that burst takes at the rate (null without a rate). */
      drainSeconds: z.number().nonnegative().nullable(),
      /** The most emails in one UTC day (SES's 24-hour quota is not in the configuration). */
      busiestDay: count,
    }),
  }),
});
export type TouchForecast = z.infer<typeof TouchForecast>;

/** The forecaster port's contract (functions/platform/forecaster.ts; in process: the engine's). */
export interface Forecaster {
  forecast(request: ForecastRequest): Promise<TouchForecast>;
}

export const zeroCounts = (): ChannelCounts => ({ email: 0, ads: 0, sdr_task: 0, direct_mail: 0 });

/**
 * Prices, with where they come from. SES: $0.10 per 1,000 emails
 * (https://aws.amazon.com/ses/pricing/). Step Functions Standard: $0.025 per 1,000 state transitions
 * (https://aws.amazon.com/step-functions/pricing/; us-east-1, other Regions up to $0.0375). Lambda:
 * $0.20 per 1M requests and $0.0000166667 per GB-second on x86 (https://aws.amazon.com/lambda/pricing/).
 */
export const PRICES = {
  sesPerEmail: 0.1 / 1000,
  sfnPerTransition: 0.025 / 1000,
  lambdaPerRequest: 0.2 / 1_000_000,
  lambdaPerGbSecond: 0.0000166667,
} as const;

/**
 * State transitions per touch step of the AccountSequence state machine, measured by
 * `npm run bench -- transitions` (200 accounts through a 10-touch sequence; a touch is a touch step
 * that reached at least one contact of an account).
 */
export const TRANSITIONS_PER_TOUCH_STEP = 2.88;
/** ExecuteStep's memory (lib/infra/constructs/sequence-engine.ts) and an assumed billed duration. */
export const EXECUTE_STEP_MEMORY_GB = 0.5;
export const EXECUTE_STEP_SECONDS = 0.3;

/**
 * StartExecution (Standard) is throttled by a token bucket per account and Region: 1,300 and 300 per
 * second in us-east-1, us-west-2 and eu-west-1, 800 and 150 per second elsewhere
 * (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html#service-limits-api-action-throttling-general).
 * The forecast takes the smaller figures.
 */
export const START_EXECUTION_QUOTA = { bucket: 800, refillPerSecond: 150 } as const;

/** What the simulation counted, to be priced. */
export interface ForecastTotals {
  sent: ChannelCounts;
  /** Touch steps (per account) that reached at least one contact: the bench's unit of transitions. */
  touchSteps: number;
  /** ExecuteStep invocations (each plan the engine returns). */
  invocations: number;
  /** The direct-mail pieces' price, in cents. */
  directMailCents: number;
}

const round = (n: number, digits = 4) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The cost of a forecast, by component, with the assumptions it rests on. */
export function forecastCost(t: ForecastTotals): TouchForecast['cost'] {
  const transitions = t.touchSteps * TRANSITIONS_PER_TOUCH_STEP;
  const byComponent = {
    ses: round(t.sent.email * PRICES.sesPerEmail),
    stepFunctions: round(transitions * PRICES.sfnPerTransition),
    lambda: round(
      t.invocations *
        (PRICES.lambdaPerRequest + EXECUTE_STEP_MEMORY_GB * EXECUTE_STEP_SECONDS * PRICES.lambdaPerGbSecond),
    ),
    directMail: round(t.directMailCents / 100),
  };
  const total = byComponent.ses + byComponent.stepFunctions + byComponent.lambda + byComponent.directMail;
  return {
    usd: round(total),
    byComponent,
    assumptions: [
      "no engagement: every await times out; branches, `if` and `until` see each account's score as it decays with no new event",
      `SES: $0.10 per 1,000 emails (https://aws.amazon.com/ses/pricing/); ${t.sent.email} emails`,
      `Step Functions Standard: $0.025 per 1,000 state transitions (https://aws.amazon.com/step-functions/pricing/); ${TRANSITIONS_PER_TOUCH_STEP} transitions per touch step (npm run bench -- transitions) x ${t.touchSteps} touch steps`,
      `Lambda: $0.20 per 1M requests and $0.0000166667 per GB-second (https://aws.amazon.com/lambda/pricing/); ${t.invocations} ExecuteStep invocations of ${EXECUTE_STEP_SECONDS} s at ${EXECUTE_STEP_MEMORY_GB * 1024} MB`,
      `direct mail: each piece at its step's costCents (else its maxCostCents); ${t.sent.direct_mail} pieces`,
      'free tiers, DynamoDB, EventBridge, the API and the scorer are not counted',
      "frequency caps count the accounts' touches recorded before the launch, not other campaigns' future touches",
      'an email sending domain paused by the reputation breaker, a missing template or a provider failure is not foreseen',
    ],
  };
}

/** Seconds StartExecution needs for `executions` at the quota (the bucket first, then its refill). */
export function startExecutionSeconds(executions: number): number {
  const { bucket, refillPerSecond } = START_EXECUTION_QUOTA;
  return Math.max(0, executions - bucket) / refillPerSecond;
}

/** The Monday (UTC) of an instant's ISO week, as yyyy-mm-dd. */
export function isoWeekOf(at: Date): string {
  const day = (at.getUTCDay() + 6) % 7; // Monday 0
  const monday = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() - day));
  return monday.toISOString().slice(0, 10);
}

export function addCount(counts: ChannelCounts, channel: Channel, n = 1): void {
  counts[channel] += n;
}
