/**
 * `npm run bench -- scale`: the launch path at 100,000 accounts against AWS's default quotas, and a
 * projection for 1,000,000 accounts x 10 touches (docs/scale.md has the same arithmetic).
 *
 * How: the real launch (bench/launch.ts: createLaunchService + the launcher's ASL run by LocalLauncher,
 * dynalite, StartExecution mocked) runs on BENCH_MEASURED accounts (default 100,000, ~75 s here) and counts every
 * AWS call by kind. Those calls (and, scaled per account, the same mix for 1,000,000) are then replayed through token buckets on a VIRTUAL clock: nothing sleeps; when a call
 * would overdraw its bucket the clock jumps to the refill time and the wait is booked to that quota.
 * Calls are issued back to back (latency ignored), so the figure is the quota floor of the launch.
 *
 * Quotas (us-east-1 defaults; other regions are lower, see docs/scale.md):
 * - Step Functions StartExecution (Standard): bucket 1,300, refill 300/s.
 *   https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html
 * - Step Functions StateTransition (Standard): bucket 5,000, refill 5,000/s (same page).
 * - Open Standard executions: 1,000,000 per account and region (same page).
 * - Express StartExecution (the Distributed Map's children count against the Map's own limits;
 *   modelled as the Express start bucket 6,000, refill 6,000/s, same page).
 * - DynamoDB on-demand: 40,000 write / 40,000 read request units per second per table, and a single
 *   partition 1,000 WCU / 3,000 RCU.
 *   https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html
 * - Lambda: 1,000 concurrent executions; an invoke of a ~1 s batch is modelled as 1,000 invokes/s.
 *   https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 * - SES production: 14 messages/s to start (sandbox 1/s, 200/24 h); BENCH_SES_RATE overrides.
 *   https://docs.aws.amazon.com/ses/latest/dg/manage-sending-quotas.html
 */
import { run as runLaunch } from './launch';

/** A token bucket on a virtual clock: `take` returns the time the call may go, never sleeping. */
export class VirtualBucket {
  private tokens: number;
  private at = 0;
  waitedSeconds = 0;
  calls = 0;
  constructor(
    readonly capacity: number,
    readonly refillPerSecond: number,
  ) {
    this.tokens = capacity;
  }
  take(now: number, n = 1): number {
    this.tokens = Math.min(this.capacity, this.tokens + (now - this.at) * this.refillPerSecond);
    this.at = now;
    this.calls += n;
    if (this.tokens >= n) {
      this.tokens -= n;
      return now;
    }
    const wait = (n - this.tokens) / this.refillPerSecond;
    this.tokens = 0;
    this.at = now + wait;
    this.waitedSeconds += wait;
    return now + wait;
  }
}

/** us-east-1 prices (docs/scale.md cites the pricing pages). */
export const PRICES = {
  sfnTransition: 0.025 / 1000,
  expressRequest: 1 / 1e6,
  lambdaRequest: 0.2 / 1e6,
  lambdaGbSecond: 0.0000166667,
  dynamoWriteUnit: 0.625 / 1e6,
  dynamoReadUnit: 0.125 / 1e6,
  sesMessage: 0.1 / 1000,
  eventBridgeEvent: 1 / 1e6,
  s3Put: 0.005 / 1000,
  s3Get: 0.0004 / 1000,
};

type Mix = { perAccount: Record<string, number>; fixed: Record<string, number> };

type Kind = 'sfn:StartExecution' | 'express:Start' | 'lambda:Invoke' | 'dynamodb:Batch' | 'other';

function bucketsFor(): Record<Kind, VirtualBucket> {
  return {
    'sfn:StartExecution': new VirtualBucket(1300, 300),
    'express:Start': new VirtualBucket(6000, 6000),
    'lambda:Invoke': new VirtualBucket(1000, 1000),
    // 25 items per BatchWriteItem, one WRU each (items under 1 KB), against the per-table 40,000 WRU/s.
    'dynamodb:Batch': new VirtualBucket(40_000, 40_000),
    other: new VirtualBucket(1e12, 1e12), // S3 and the launcher's own start: not limiting
  };
}

const UNITS_PER_DYNAMO_CALL = 25;

function kindOf(name: string): Kind {
  if (name === 'sfn:StartExecution') return 'sfn:StartExecution';
  if (name === 'states:MapChildExecution') return 'express:Start';
  if (name === 'lambda:Invoke') return 'lambda:Invoke';
  if (name === 'dynamodb') return 'dynamodb:Batch';
  return 'other';
}

/** Replays the measured mix for `accounts` accounts in batches of `batch`; returns seconds and waits. */
export function replay(mix: Mix, accounts: number, batch: number) {
  const buckets = bucketsFor();
  let now = 0;
  const issue = (name: string, count: number) => {
    const bucket = buckets[kindOf(name)];
    const units = kindOf(name) === 'dynamodb:Batch' ? UNITS_PER_DYNAMO_CALL : 1;
    for (let i = 0; i < count; i++) now = bucket.take(now, units);
  };
  for (const [name, n] of Object.entries(mix.fixed)) issue(name, Math.round(n));
  const carry: Record<string, number> = {};
  for (let done = 0; done < accounts; done += batch) {
    const size = Math.min(batch, accounts - done);
    for (const [name, rate] of Object.entries(mix.perAccount)) {
      const want = (carry[name] ?? 0) + rate * size;
      const whole = Math.floor(want);
      carry[name] = want - whole;
      issue(name, whole);
    }
  }
  const calls: Record<string, number> = {};
  const waits: Record<string, number> = {};
  for (const [k, b] of Object.entries(buckets)) {
    calls[k] = k === 'dynamodb:Batch' ? b.calls / UNITS_PER_DYNAMO_CALL : b.calls;
    waits[k] = Math.round(b.waitedSeconds * 10) / 10;
  }
  return { seconds: now, calls, waitsSeconds: waits };
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

export async function run(): Promise<Record<string, unknown>> {
  const measured = Number(process.env.BENCH_MEASURED ?? 100_000);
  const accounts = 100_000;
  const projectedAccounts = 1_000_000;
  const touches = 10;
  const sesRate = Number(process.env.BENCH_SES_RATE ?? 14);

  const saved = process.env.BENCH_ACCOUNTS;
  process.env.BENCH_ACCOUNTS = String(measured);
  const launch = await runLaunch();
  if (saved === undefined) delete process.env.BENCH_ACCOUNTS;
  else process.env.BENCH_ACCOUNTS = saved;

  const launcherCalls = launch.launcherCalls as Record<string, number>;
  const children = launcherCalls['states:MapChildExecution'];
  const invokes = launcherCalls['lambda:Invoke'];
  const fixedLauncher =
    (launch.launcherCalls ? Object.values(launcherCalls) : []).reduce((a, b) => a + b, 0) -
    children -
    (invokes - 1);
  const dynamo = launch.dynamoCalls as number;
  const starts = launch.startExecutionCalls as number;
  const fixedTotal = launch.fixedCalls as number;
  // Per-account: every child, every batch invoke, every StartExecution and the DynamoDB calls
  // beyond the fixed ones. Fixed (launch.fixedCalls): the plan's and Finalize's DynamoDB calls, and
  // the launcher's own: S3 put, get and delete, its start, the Finalize invoke.
  const fixedDynamo = fixedTotal - fixedLauncher;
  const mix: Mix = {
    perAccount: {
      'states:MapChildExecution': children / measured,
      'lambda:Invoke': (invokes - 1) / measured,
      dynamodb: (dynamo - fixedDynamo) / measured,
      'sfn:StartExecution': starts / measured,
    },
    fixed: { dynamodb: fixedDynamo, 'lambda:Invoke': 1, other: fixedLauncher - 1 },
  };
  const batch = Math.max(1, Math.round(measured / Math.max(1, children)));
  // The replay of the measured size must give back every call the real launch made.
  const check = replay(mix, measured, batch);
  const replayed = Object.values(check.calls).reduce((a, b) => a + b, 0);
  if (Math.abs(replayed - (launch.awsCalls as number)) > 1)
    throw new Error(`replayed ${replayed} calls at ${measured}, the launch made ${String(launch.awsCalls)}`);
  const at100k = replay(mix, accounts, batch);
  const at1m = replay(mix, projectedAccounts, batch);

  // Touch phase, 1,000,000 x 10 (docs/scale.md "Touches").
  const transitionsPerTouch = Number(process.env.BENCH_TRANSITIONS_PER_TOUCH ?? 2.88);
  const touchCount = projectedAccounts * touches;
  const transitions = touchCount * transitionsPerTouch + projectedAccounts * 2; // + start and end
  const transitionBucketHours = transitions / 5000 / 3600;
  const sesHours = touchCount / sesRate / 3600;
  const lambdaGbSecondsPerTouch = 0.5 * 0.3; // 512 MB x 300 ms
  const dynamoWritesPerTouch = 3;
  const dynamoReadsPerTouch = 2;

  const launchUsd = {
    stepFunctions: 0, // a Standard start's transitions are counted under touches
    express: at1m.calls['express:Start'] * PRICES.expressRequest,
    lambda: at1m.calls['lambda:Invoke'] * (PRICES.lambdaRequest + 1 * 1 * PRICES.lambdaGbSecond),
    dynamodb: at1m.calls['dynamodb:Batch'] * UNITS_PER_DYNAMO_CALL * PRICES.dynamoWriteUnit,
  };
  const touchUsd = {
    stepFunctions: transitions * PRICES.sfnTransition,
    lambda: touchCount * (PRICES.lambdaRequest + lambdaGbSecondsPerTouch * PRICES.lambdaGbSecond),
    dynamodb:
      touchCount *
      (dynamoWritesPerTouch * PRICES.dynamoWriteUnit + dynamoReadsPerTouch * PRICES.dynamoReadUnit),
    ses: touchCount * PRICES.sesMessage,
    eventBridge: touchCount * PRICES.eventBridgeEvent,
  };
  const usdByComponent: Record<string, number> = {};
  for (const part of [launchUsd, touchUsd])
    for (const [k, v] of Object.entries(part)) usdByComponent[k] = round((usdByComponent[k] ?? 0) + v);
  const usd = round(Object.values(usdByComponent).reduce((a, b) => a + b, 0));

  return {
    accounts,
    measuredAccounts: measured,
    method: `real launch of ${measured} accounts (dynalite, launcher ASL) counted by kind; its per-account mix replayed for ${accounts} and ${projectedAccounts} through virtual-clock token buckets`,
    measured: {
      awsCallsPerAccount: launch.awsCallsPerAccount,
      dynamoCalls: dynamo,
      startExecutionCalls: starts,
      launcherCalls,
      seconds: launch.seconds,
    },
    perAccountMix: Object.fromEntries(Object.entries(mix.perAccount).map(([k, v]) => [k, round(v, 5)])),
    launch: {
      accounts,
      minutes: round(at100k.seconds / 60),
      calls: at100k.calls,
      waitsSeconds: at100k.waitsSeconds,
    },
    projected: {
      accounts: projectedAccounts,
      touches,
      launchMinutes: round(at1m.seconds / 60),
      usd,
      usdByComponent,
      launchCalls: at1m.calls,
      launchWaitsSeconds: at1m.waitsSeconds,
      transitions: Math.round(transitions),
      transitionBucketHours: round(transitionBucketHours),
      sesRatePerSecond: sesRate,
      sesHours: round(sesHours),
      openExecutions: projectedAccounts,
      openExecutionsQuota: 1_000_000,
      openExecutionsShare: round(projectedAccounts / 1_000_000),
    },
  };
}
