/**
 * The launch forecaster (docs/api.md "Forecast"): reads what ExecuteStep would read of each treated
 * account (its profile, committee, suppressed addresses, recent touches and score), forecasts its
 * enrollment with no engagement (domain/forecast.ts: the engine's own decisions), and sums the
 * accounts up: touches by channel and week, the touches the frequency cap stops, the finish range,
 * the cost and the quota headroom (kernel/forecast.ts). It runs in its own Lambda function
 * (handlers/forecast-launch.ts), which the router calls; local mode and the tests call it in process.
 */
import { parseDirectMailSettings, type DirectMailSettings } from '../kernel/direct-mail-providers';
import { HolidayCalendars } from '../platform/holidays';
import { mapLimit } from '../kernel/async';
import {
  addCount,
  CAPPED_LIST_LIMIT,
  ForecastRequest,
  forecastCost,
  isoWeekOf,
  startExecutionSeconds,
  START_EXECUTION_QUOTA,
  zeroCounts,
  type ChannelCounts,
  type Forecaster,
  type TouchForecast,
} from '../kernel/forecast';
import { CHANNELS, type SequenceDefinition } from '../kernel/model';
import { MaxSendRate } from '../kernel/send-rate';
import type { Platform } from '../platform/compose';
import { AccountUpdater } from '../platform/store/accounts';
import { ScoreReader } from '../platform/store/scores';
import { TouchRepository } from '../platform/store/touches';
import { accountFacts } from '../scoring';
import {
  forecastAccount,
  type AccountForecast,
  type AccountToForecast,
  type ForecastOptions,
} from './domain/forecast';

/** Accounts forecast one by one; a larger launch is forecast on an even sample of this many. */
export const FORECAST_ACCOUNTS_MAX = 2000;
/** Real time an ExecuteStep invocation may take on AWS (the latest finish allows it per invocation). */
const INVOCATION_LATENCY_MS = 1000;

export interface ForecasterDeps {
  accounts: Pick<AccountUpdater, 'get' | 'listContacts' | 'isSuppressed'>;
  touches: Pick<TouchRepository, 'listOfAccount'>;
  scores: Pick<ScoreReader, 'get'>;
  /** `config.ses.maxSendRate` (sends per second), for the SES headroom and the latest finish. */
  maxSendRate?: number;
  concurrency?: number;
  /** `config.providers.directMail`: the pieces the provider has and their prices (the default: any). */
  directMail?: DirectMailSettings;
  /** Public-holiday calendars, loaded when the send window asks (as the step loads them). */
  holidays?: HolidayCalendars;
}

/** The forecaster of a platform (its store, `config.sesMaxSendRate`). */
export function forecastFeature(platform: Platform): Forecaster {
  const rate = platform.config.sesMaxSendRate;
  return createForecaster({
    accounts: platform.repository(AccountUpdater),
    touches: platform.repository(TouchRepository),
    scores: platform.repository(ScoreReader),
    maxSendRate: rate === undefined ? undefined : MaxSendRate.parse(rate),
    holidays: new HolidayCalendars(),
    directMail: parseDirectMailSettings(platform.config.directMailProvider),
  });
}

export function createForecaster(deps: ForecasterDeps): Forecaster {
  /** What ExecuteStep reads of an account, read once (undefined: the account is gone). */
  async function load(accountId: string, seq: SequenceDefinition): Promise<AccountToForecast | undefined> {
    const [account, contacts, recent, score] = await Promise.all([
      deps.accounts.get(accountId),
      deps.accounts.listContacts(accountId),
      deps.touches.listOfAccount(accountId, { limit: 200 }),
      deps.scores.get(accountId),
    ]);
    if (!account) return undefined;
    const emails = [...new Set(contacts.flatMap((c) => (c.email ? [c.email] : [])))];
    const flags = await Promise.all(emails.map((e) => deps.accounts.isSuppressed(e)));
    const closedDay = await (deps.holidays ?? new HolidayCalendars()).closedDays(seq.sendWindow, contacts);
    return {
      account,
      contacts,
      closedDay,
      suppressed: new Set(emails.filter((_, i) => flags[i])),
      recent: recent.items,
      factsAt: (at) => accountFacts(score?.state, at, account.stage),
    };
  }

  async function forecast(raw: ForecastRequest): Promise<TouchForecast> {
    const request = ForecastRequest.parse(raw);
    const seq: SequenceDefinition = request.sequence;
    const start = new Date(request.startAt);
    const all = request.accountIds;
    const every = Math.max(1, Math.ceil(all.length / FORECAST_ACCOUNTS_MAX));
    const chosen = every === 1 ? all : all.filter((_, i) => i % every === 0);
    const loaded = (await mapLimit(chosen, deps.concurrency ?? 16, (id) => load(id, seq))).filter(
      (a): a is AccountToForecast => a !== undefined,
    );
    const options = { directMail: deps.directMail };
    const runs = loaded.map((a) => ({ a, run: forecastAccount(seq, a, start, options) }));
    const scale = loaded.length === 0 ? 0 : all.length / loaded.length;

    const sent = zeroCounts();
    const weeks = new Map<string, ChannelCounts>();
    const skippedByReason: Record<string, number> = {};
    const emailsAt = new Map<number, number>();
    const emailsOnDay = new Map<string, number>();
    let touchSteps = 0;
    let invocations = 0;
    let directMailCents = 0;
    let cappedTotal = 0;
    const capped: TouchForecast['capped'] = [];
    for (const { a, run } of runs) {
      invocations += run.invocations;
      touchSteps += new Set(run.touches.filter((t) => t.status === 'sent').map((t) => t.stepId)).size;
      for (const t of run.touches) {
        if (t.status === 'skipped') {
          const reason = t.reason ?? 'skipped';
          skippedByReason[reason] = (skippedByReason[reason] ?? 0) + 1;
          continue;
        }
        addCount(sent, t.channel);
        const week = isoWeekOf(t.at);
        if (!weeks.has(week)) weeks.set(week, zeroCounts());
        addCount(weeks.get(week)!, t.channel);
        directMailCents += t.costCents ?? 0;
        if (t.channel === 'email') {
          emailsAt.set(t.at.getTime(), (emailsAt.get(t.at.getTime()) ?? 0) + 1);
          const day = t.at.toISOString().slice(0, 10);
          emailsOnDay.set(day, (emailsOnDay.get(day) ?? 0) + 1);
        }
      }
      cappedTotal += run.capped.length;
      for (const c of run.capped) {
        if (capped.length >= CAPPED_LIST_LIMIT) break;
        capped.push({
          accountId: a.account.accountId,
          contactId: c.contactId,
          stepId: c.stepId,
          channel: c.channel,
          outcome: c.outcome,
          scope: c.scope,
          at: c.at.toISOString(),
          ...(c.until ? { until: c.until.toISOString() } : {}),
        });
      }
    }
    const scaled = (n: number) => Math.round(n * scale);
    const scaleCounts = (c: ChannelCounts): ChannelCounts =>
      Object.fromEntries(CHANNELS.map((ch) => [ch, scaled(c[ch])])) as ChannelCounts;

    const peakBurst = scaled(Math.max(0, ...emailsAt.values()));
    const drainSeconds = deps.maxSendRate === undefined ? null : peakBurst / deps.maxSendRate;
    const startSeconds = startExecutionSeconds(all.length);
    const finish = finishRange(seq, runs, start, options, {
      startSeconds,
      drainSeconds: drainSeconds ?? 0,
    });
    const totalSent = scaleCounts(sent);
    return {
      accounts: all.length,
      ...(every > 1 ? { sampled: loaded.length } : {}),
      touches: {
        byChannel: totalSent,
        byWeek: [...weeks.entries()]
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([week, counts]) => ({ week, ...scaleCounts(counts) })),
        skippedByReason: Object.fromEntries(
          Object.entries(skippedByReason).map(([reason, n]) => [reason, scaled(n)]),
        ),
      },
      capped,
      cappedTotal: scaled(cappedTotal),
      finish,
      cost: forecastCost({
        sent: totalSent,
        touchSteps: scaled(touchSteps),
        invocations: scaled(invocations),
        directMailCents: scaled(directMailCents),
      }),
      quota: {
        startExecution: {
          executions: all.length,
          bucket: START_EXECUTION_QUOTA.bucket,
          refillPerSecond: START_EXECUTION_QUOTA.refillPerSecond,
          seconds: Math.round(startSeconds * 100) / 100,
        },
        ses: {
          maxSendRate: deps.maxSendRate ?? null,
          peakBurst,
          drainSeconds: drainSeconds === null ? null : Math.round(drainSeconds * 100) / 100,
          busiestDay: scaled(Math.max(0, ...emailsOnDay.values())),
        },
      },
    };
  }

  return { forecast };
}

/**
 * The finish range: earliest, every enrollment as forecast from the launch; latest, each starting
 * late by what the quotas and latencies may cost (StartExecution for the whole audience, the SES
 * burst at its rate, a second per invocation), forecast again from then (a late start may miss a
 * send window and wait for the next).
 */
function finishRange(
  seq: SequenceDefinition,
  runs: { a: AccountToForecast; run: AccountForecast }[],
  start: Date,
  options: ForecastOptions,
  delays: { startSeconds: number; drainSeconds: number },
): TouchForecast['finish'] {
  if (runs.length === 0) return { earliest: null, latest: null };
  const earliest = Math.max(...runs.map((r) => r.run.finishedAt.getTime()));
  let latest = earliest;
  const delay = Math.ceil((delays.startSeconds + delays.drainSeconds) * 1000);
  for (const { a } of runs) {
    const late = forecastAccount(seq, a, new Date(start.getTime() + delay), options);
    latest = Math.max(latest, late.finishedAt.getTime() + late.invocations * INVOCATION_LATENCY_MS);
  }
  return { earliest: new Date(earliest).toISOString(), latest: new Date(latest).toISOString() };
}
