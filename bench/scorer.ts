/**
 * Scorer benchmark: a burst of 20,000 deliveries for 500 accounts (Zipf-skewed, 10% duplicates)
 * through the real pipeline code against dynalite, and a naive baseline, at the SAME concurrency:
 *
 *   scorer    deliveries -> enqueuer (buffer batches of BUFFER_BATCH, grouped per account into FIFO
 *             messages) -> the FIFO queue (test/support/fifo-queue.ts: SQS's documented delivery,
 *             up to 10 messages a receive, as many of one account's group as are waiting, a group
 *             never in two batches at once) -> CONCURRENCY scorer invocations, each folding one
 *             account at a time (ScorerDeps.concurrency = 1).
 *   baseline  each delivery its own FIFO message (same queue model, one message a receive) ->
 *             CONCURRENCY workers, each applying one event at a time: a dedup marker (conditional
 *             put of EVENT#<id>, as docs/architecture.md "Data model" sketches), the contact read
 *             for its role, and one read-modify-write of the SCORE item (strongly consistent get +
 *             conditional put), with the same fold code.
 *
 * Both see CONCURRENCY DynamoDB request chains in flight at most. The two phases are interleaved
 * (their order alternates) over ROUNDS rounds, each round on fresh accounts of the same dynalite;
 * the speedup is the median of the rounds' ratios, with the lowest and highest.
 *
 * writesPerEvent counts every DynamoDB write of the scorer phase (SCORE puts, profile stage
 * updates, hot-account tasks) divided by deliveries. maxScoreError is against an exact offline
 * recomputation (compensated sum over the distinct events, at each account's asOf).
 *
 *   npm run bench -- scorer
 *   env: BENCH_SCORER_EVENTS, BENCH_SCORER_ACCOUNTS, BENCH_SCORER_BUFFER_BATCH,
 *        BENCH_SCORER_CONCURRENCY, BENCH_SCORER_ROUNDS
 */
import { DETAIL_TYPES, SOURCES, type EngagementRecordedDetail } from '../functions/kernel/events';
import { keys } from '../functions/platform/store/keys';
import { Table } from '../functions/platform/store/table';
import { ROLES, type EngagementType, type Role } from '../functions/kernel/model';
import { emptyScoreState, eventWeight, foldEvents, type ScoreState } from '../functions/scoring/domain';
import type { FifoMessage } from '../functions/platform/sqs';
import { createEnqueuer } from '../functions/scoring/enqueuer';
import { toScoringEvent, type SqsRecordLike } from '../functions/scoring/scorer';
import { startDynalite } from '../test/support/dynalite';
import { FifoQueueModel } from '../test/support/fifo-queue';
import { buildRig, countingClient, exactScore, rng, type ScorerRig } from '../test/support/scoring';
import { median } from './local-load.helpers';

const EVENTS = Number(process.env.BENCH_SCORER_EVENTS ?? 20_000);
const ACCOUNTS = Number(process.env.BENCH_SCORER_ACCOUNTS ?? 500);
const BUFFER_BATCH = Number(process.env.BENCH_SCORER_BUFFER_BATCH ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_SCORER_CONCURRENCY ?? 8);
const ROUNDS = Number(process.env.BENCH_SCORER_ROUNDS ?? 5);
const DUPLICATE_RATE = 0.1;
const FIFO_BATCH = 10;
const CONTACTS_PER_ACCOUNT = 6;
const DAY = 86_400_000;
const START = Date.parse('2026-10-01T00:00:00Z');
const SPAN = 30 * DAY;

const MIX: [EngagementType, number][] = [
  ['email.opened', 0.35],
  ['web.visit', 0.25],
  ['email.clicked', 0.15],
  ['ad.clicked', 0.1],
  ['intent.surge', 0.05],
  ['email.replied', 0.05],
  ['meeting.booked', 0.03],
  ['sdr.call_logged', 0.02],
];

function workload(seed: number) {
  const random = rng(seed);
  // Zipf (s = 1) over accounts.
  const weights = Array.from({ length: ACCOUNTS }, (_, i) => 1 / (i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const cdf: number[] = [];
  weights.reduce((acc, w, i) => (cdf[i] = acc + w / total), 0);
  const pickAccount = () => {
    const u = random();
    let lo = 0;
    let hi = ACCOUNTS - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const pickType = () => {
    let u = random();
    for (const [t, p] of MIX) if ((u -= p) <= 0) return t;
    return MIX[0]![0];
  };
  const distinctCount = Math.round(EVENTS * (1 - DUPLICATE_RATE));
  const distinct: EngagementRecordedDetail[] = [];
  for (let i = 0; i < distinctCount; i++) {
    const a = pickAccount();
    const type = pickType();
    const c = Math.floor(random() * CONTACTS_PER_ACCOUNT);
    const at = START + Math.floor((i / distinctCount) * SPAN + (random() - 0.5) * DAY); // time order with a day of jitter
    distinct.push({
      eventId: `ev-${i}`,
      accountId: `acct-${a}`,
      type,
      occurredAt: new Date(at).toISOString(),
      origin: 'api',
      // Web visits are anonymous; everything else names the contact (role resolved by the scorer).
      ...(type === 'web.visit' ? {} : { contactId: `acct-${a}-c${c}` }),
      properties:
        type === 'web.visit'
          ? { page: random() < 0.2 ? '/pricing' : '/blog' }
          : type === 'intent.surge'
            ? { topic: 'etl', strength: random() }
            : type === 'sdr.call_logged'
              ? { outcome: random() < 0.5 ? 'connected' : 'voicemail' }
              : {},
    });
  }
  // Duplicates: redelivered a little later (at-least-once delivery), sometimes in the same buffer batch.
  const deliveries = [...distinct];
  for (let k = 0; k < EVENTS - distinctCount; k++) {
    const i = Math.floor(random() * distinct.length);
    const pos = Math.min(deliveries.length, i + 1 + Math.floor(random() * 2 * BUFFER_BATCH));
    deliveries.splice(pos, 0, distinct[i]!);
  }
  return { distinct, deliveries };
}

const roleOf = (contactIndex: number): Role => ROLES[contactIndex % ROLES.length]!;

const record = (d: EngagementRecordedDetail, i: number): SqsRecordLike => ({
  messageId: `d${i}`,
  body: JSON.stringify({ source: SOURCES.ingest, 'detail-type': DETAIL_TYPES.engagementRecorded, detail: d }),
});

/** Profiles and committees of the accounts `<prefix>-0..ACCOUNTS-1` (both phases read them). */
async function seed(rig: ScorerRig, prefix: string): Promise<void> {
  const items: (Record<string, unknown> & { pk: string; sk: string })[] = [];
  const now = new Date(START).toISOString();
  for (let a = 0; a < ACCOUNTS; a++) {
    const accountId = `${prefix}-${a}`;
    items.push({
      ...keys.accountItem({ accountId, domain: `${accountId}.example`, tier: 1 }),
      entity: 'account',
      accountId,
      name: accountId,
      domain: `${accountId}.example`,
      tier: 1,
      stage: 'target',
      ownerSdr: 'sdr-ana',
      techStack: [],
      suppressed: false,
      directMailSpentCents: 0,
      createdAt: now,
      updatedAt: now,
      version: 1,
    });
    for (let c = 0; c < CONTACTS_PER_ACCOUNT; c++) {
      const contactId = `${accountId}-c${c}`;
      items.push({
        ...keys.contactItem({ accountId, contactId }),
        entity: 'contact',
        accountId,
        contactId,
        name: contactId,
        role: roleOf(c),
        timeZone: 'UTC',
        consent: { email: true, ads: true, directMail: true },
      });
    }
  }
  await rig.table.batchPut(items);
}

/** The workload's account and contact ids under another prefix (each round, each phase its own). */
const renamed = (d: EngagementRecordedDetail, prefix: string): EngagementRecordedDetail => ({
  ...d,
  accountId: d.accountId.replace('acct-', `${prefix}-`),
  ...(d.contactId ? { contactId: d.contactId.replace('acct-', `${prefix}-`) } : {}),
});

type Delivery = EngagementRecordedDetail;

/** The scorer pipeline over the round's deliveries: enqueuer, FIFO queue, CONCURRENCY invocations. */
async function scorerPhase(rig: ScorerRig, deliveries: Delivery[]) {
  const queue = new FifoQueueModel<FifoMessage>();
  const enqueue = createEnqueuer({ sender: { sendBatch: async (m) => (queue.send(m), []) } });
  rig.counter.reset();
  let failures = 0;
  let folds = 0;
  const t0 = performance.now();
  for (let i = 0; i < deliveries.length; i += BUFFER_BATCH)
    await enqueue(deliveries.slice(i, i + BUFFER_BATCH).map((d, j) => record(d, i + j)));
  const messages = queue.size;
  await queue.drain(CONCURRENCY, FIFO_BATCH, async (batch) => {
    const out = await rig.scorer.handleBatch(
      batch.map((m) => ({ messageId: m.id, body: m.body, attributes: { MessageGroupId: m.groupId } })),
    );
    failures += out.batchItemFailures.length;
    folds += out.results.length;
    return new Set(out.batchItemFailures.map((f) => f.itemIdentifier));
  });
  const seconds = (performance.now() - t0) / 1000;
  return {
    seconds,
    writes: rig.counter.writes(),
    reads: (rig.counter.counts.Query ?? 0) + (rig.counter.counts.GetItem ?? 0),
    failures,
    folds,
    messages,
    invocations: queue.stats.receives,
    deadLetters: queue.deadLetters.length,
  };
}

/** The naive baseline over the round's deliveries: one FIFO message per event, CONCURRENCY workers. */
async function baselinePhase(rig: ScorerRig, deliveries: Delivery[]) {
  const base = countingClient(rig.counter.client);
  const table = new Table(base.client, rig.table.tableName);
  const queue = new FifoQueueModel<{ id: string; groupId: string; delivery: Delivery }>();
  queue.send(deliveries.map((d, i) => ({ id: `b${i}`, groupId: d.accountId, delivery: d })));
  const t0 = performance.now();
  await queue.drain(CONCURRENCY, 1, async ([message]) => {
    const d = message!.delivery;
    const fresh = await table.putIfAbsent(
      { pk: keys.accountPartition(d.accountId), sk: `EVENT#${d.eventId}`, entity: 'event' },
      { fetchExisting: false },
    );
    if (!fresh.created) return;
    const c = d.contactId ? await table.get(keys.contact(d.accountId, d.contactId)) : undefined;
    const e = toScoringEvent({ ...d, ...(d.contactId ? { role: c?.role as Role } : {}) });
    await table.updateVersioned(keys.score(d.accountId), (current) => {
      const prev = (current?.state as ScoreState | undefined) ?? emptyScoreState(d.accountId);
      // The marker did the dedup: no id set in the item, which stays small.
      const next = { ...foldEvents(prev, [e], rig.config).state, seen: {} };
      return { ...keys.score(d.accountId), entity: 'score', accountId: d.accountId, state: next };
    });
  });
  return { seconds: (performance.now() - t0) / 1000, writes: base.writes() };
}

/** Duplicates counted and the largest score error of the scorer's accounts of a round. */
async function check(rig: ScorerRig, distinct: Delivery[]) {
  const byAccount = new Map<string, Delivery[]>();
  for (const d of distinct) byAccount.set(d.accountId, [...(byAccount.get(d.accountId) ?? []), d]);
  let duplicatesCounted = 0;
  let stale = 0;
  let maxScoreError = 0;
  let mqa = 0;
  for (const [accountId, events] of byAccount) {
    const snap = await rig.store.scores.loadAccount(accountId);
    const state = snap.score!.state;
    duplicatesCounted += Math.max(0, state.eventsApplied - events.length);
    stale += state.staleIgnored;
    if (state.stage === 'mqa') mqa++;
    const roles = new Map([...snap.contacts.values()].map((c) => [c.contactId, c.role]));
    const exact = exactScore(
      events.map((d) => {
        const e = toScoringEvent({ ...d, ...(d.contactId ? { role: roles.get(d.contactId) } : {}) });
        return { at: e.at, weight: eventWeight(e, rig.config) };
      }),
      state.asOf!,
      rig.config.halfLifeMs,
    );
    maxScoreError = Math.max(maxScoreError, Math.abs(state.score - exact));
  }
  return { duplicatesCounted, stale, maxScoreError, mqa };
}

export async function run(): Promise<Record<string, unknown>> {
  const db = await startDynalite();
  try {
    const { distinct, deliveries } = workload(20261122);
    // One fold at a time per invocation: CONCURRENCY invocations = CONCURRENCY folds in flight.
    const rig = buildRig(db.client, db.tableName, {
      start: new Date(START + SPAN + DAY).toISOString(),
      scorer: { concurrency: 1 },
    });
    const rounds: Record<string, number>[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const [s, b] = [`r${r}s`, `r${r}b`];
      await seed(rig, s);
      await seed(rig, b);
      const phases = {
        scorer: () =>
          scorerPhase(
            rig,
            deliveries.map((d) => renamed(d, s)),
          ),
        baseline: () =>
          baselinePhase(
            rig,
            deliveries.map((d) => renamed(d, b)),
          ),
      };
      // Alternate which phase goes first, so neither always runs on the emptier store.
      let scorer!: Awaited<ReturnType<typeof scorerPhase>>;
      let baseline!: Awaited<ReturnType<typeof baselinePhase>>;
      if (r % 2 === 0) {
        scorer = await phases.scorer();
        baseline = await phases.baseline();
      } else {
        baseline = await phases.baseline();
        scorer = await phases.scorer();
      }
      const correctness = await check(
        rig,
        distinct.map((d) => renamed(d, s)),
      );
      const round = {
        speedup: baseline.seconds / scorer.seconds,
        eventsPerSecond: deliveries.length / scorer.seconds,
        baselineEventsPerSecond: deliveries.length / baseline.seconds,
        writesPerEvent: scorer.writes / deliveries.length,
        baselineWritesPerEvent: baseline.writes / deliveries.length,
        readsPerEvent: scorer.reads / deliveries.length,
        ...scorer,
        ...correctness,
      };
      process.stderr.write(
        `  round ${r + 1}/${ROUNDS}: scorer ${Math.round(round.eventsPerSecond)}/s, baseline ${Math.round(
          round.baselineEventsPerSecond,
        )}/s, ${round.speedup.toFixed(2)}x, ${round.writesPerEvent.toFixed(4)} writes/event, ${scorer.folds} folds\n`,
      );
      rounds.push(round);
    }

    const of = (k: string) => rounds.map((r) => r[k]!);
    const speedups = of('speedup');
    const two = (x: number) => Number(x.toFixed(2));
    const result = {
      speedup: two(median(speedups)),
      speedupMin: two(Math.min(...speedups)),
      speedupMax: two(Math.max(...speedups)),
      rounds: rounds.length,
      concurrency: { scorer: CONCURRENCY, baseline: CONCURRENCY },
      events: deliveries.length,
      distinctEvents: distinct.length,
      accounts: ACCOUNTS,
      eventsPerSecond: Math.round(median(of('eventsPerSecond'))),
      baselineEventsPerSecond: Math.round(median(of('baselineEventsPerSecond'))),
      // Deterministic given the workload and the queue model: the worst round.
      writesPerEvent: Number(Math.max(...of('writesPerEvent')).toFixed(4)),
      baselineWritesPerEvent: Number(Math.max(...of('baselineWritesPerEvent')).toFixed(4)),
      readsPerEvent: Number(Math.max(...of('readsPerEvent')).toFixed(4)),
      duplicatesCounted: Math.max(...of('duplicatesCounted')),
      staleIgnored: Math.max(...of('stale')),
      maxScoreError: Math.max(...of('maxScoreError')),
      accountFolds: Math.max(...of('folds')),
      fifoMessages: Math.max(...of('messages')),
      scorerInvocations: Math.max(...of('invocations')),
      scorerFailures: Math.max(...of('failures')),
      mqaAccounts: Math.max(...of('mqa')),
      bufferBatch: BUFFER_BATCH,
      fifoBatch: FIFO_BATCH,
    };
    const withinTarget =
      result.rounds >= 5 &&
      result.duplicatesCounted === 0 &&
      result.maxScoreError < 1e-6 &&
      result.writesPerEvent <= 0.2 &&
      result.speedup >= 5 &&
      result.scorerFailures === 0;
    return { ...result, withinTarget };
  } finally {
    await db.stop();
  }
}
