/**
 * Scorer benchmark: 20,000 deliveries for 500 accounts (Zipf-skewed, 10% duplicates)
 * through the real pipeline code against dynalite:
 *   deliveries -> enqueuer (buffer batches of BUFFER_BATCH, grouped per account into FIFO messages)
 *   -> scorer (FIFO batches of 10 messages, the Lambda maximum for FIFO sources)
 * and, in the same run and the same dynalite, a naive baseline: per event a dedup marker (conditional
 * put of EVENT#<id>, as docs/architecture.md "Data model" sketches), the contact read for its role, and one read-modify-write
 * of the SCORE item (strongly consistent get + conditional put), with the same fold code.
 *
 * writesPerEvent counts every DynamoDB write of the scorer run (SCORE puts, profile stage
 * updates, hot-account tasks) divided by deliveries. maxScoreError is against an exact offline
 * recomputation (compensated sum over the distinct events, at each account's asOf).
 *
 *   npm run bench -- scorer
 *   env: BENCH_SCORER_EVENTS, BENCH_SCORER_ACCOUNTS, BENCH_SCORER_BUFFER_BATCH
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
import { buildRig, countingClient, exactScore, rng } from '../test/support/scoring';

const EVENTS = Number(process.env.BENCH_SCORER_EVENTS ?? 20_000);
const ACCOUNTS = Number(process.env.BENCH_SCORER_ACCOUNTS ?? 500);
const BUFFER_BATCH = Number(process.env.BENCH_SCORER_BUFFER_BATCH ?? 1000);
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

export async function run(): Promise<Record<string, unknown>> {
  const db = await startDynalite();
  try {
    const { distinct, deliveries } = workload(20261122);
    const rig = buildRig(db.client, db.tableName, { start: new Date(START + SPAN + DAY).toISOString() });

    // Seed profiles and committees (both runs read them; the baseline under its own account ids).
    const seed: (Record<string, unknown> & { pk: string; sk: string })[] = [];
    for (const prefix of ['acct', 'base']) {
      for (let a = 0; a < ACCOUNTS; a++) {
        const accountId = `${prefix}-${a}`;
        const now = new Date(START).toISOString();
        seed.push({
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
          seed.push({
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
    }
    await rig.table.batchPut(seed);

    // --- the scorer pipeline -------------------------------------------------------------------
    const fifo: FifoMessage[] = [];
    const enqueue = createEnqueuer({ sender: { sendBatch: async (m) => (fifo.push(...m), []) } });
    rig.counter.reset();
    let scorerFailures = 0;
    let folds = 0;
    const t0 = performance.now();
    for (let i = 0; i < deliveries.length; i += BUFFER_BATCH) {
      fifo.length = 0;
      await enqueue(deliveries.slice(i, i + BUFFER_BATCH).map((d, j) => record(d, i + j)));
      const messages = [...fifo];
      for (let j = 0; j < messages.length; j += FIFO_BATCH) {
        const batch = messages
          .slice(j, j + FIFO_BATCH)
          .map((m) => ({ messageId: m.id, body: m.body, attributes: { MessageGroupId: m.groupId } }));
        const out = await rig.scorer.handleBatch(batch);
        scorerFailures += out.batchItemFailures.length;
        folds += out.results.length;
      }
    }
    const scorerSeconds = (performance.now() - t0) / 1000;
    const scorerWrites = rig.counter.writes();
    const scorerReads = (rig.counter.counts.QueryCommand ?? 0) + (rig.counter.counts.GetCommand ?? 0);

    // --- naive baseline: per event, dedup marker (EVENT#, docs/architecture.md "Data model") + read-modify-write of SCORE ---
    const base = countingClient(db.client);
    const baseTable = new Table(base.client, db.tableName);
    const t1 = performance.now();
    for (const d of deliveries) {
      const accountId = d.accountId.replace('acct-', 'base-');
      const fresh = await baseTable.putIfAbsent(
        { pk: keys.accountPartition(accountId), sk: `EVENT#${d.eventId}`, entity: 'event' },
        { fetchExisting: false },
      );
      if (!fresh.created) continue;
      const contact = d.contactId?.replace('acct-', 'base-');
      const c = contact ? await baseTable.get(keys.contact(accountId, contact)) : undefined;
      const e = toScoringEvent({
        ...d,
        accountId,
        ...(contact ? { contactId: contact, role: c?.role as Role } : {}),
      });
      await baseTable.updateVersioned(keys.score(accountId), (current) => {
        const prev = (current?.state as ScoreState | undefined) ?? emptyScoreState(accountId);
        // The marker did the dedup: no id set in the item, which stays small.
        const next = { ...foldEvents(prev, [e], rig.config).state, seen: {} };
        return { ...keys.score(accountId), entity: 'score', accountId, state: next };
      });
    }
    const baselineSeconds = (performance.now() - t1) / 1000;

    // --- correctness: duplicates and exact scores ----------------------------------------------
    const byAccount = new Map<string, EngagementRecordedDetail[]>();
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

    const eventsPerSecond = deliveries.length / scorerSeconds;
    const baselineEventsPerSecond = deliveries.length / baselineSeconds;
    const speedup = eventsPerSecond / baselineEventsPerSecond;
    const writesPerEvent = scorerWrites / deliveries.length;
    const result = {
      events: deliveries.length,
      distinctEvents: distinct.length,
      accounts: ACCOUNTS,
      eventsPerSecond: Math.round(eventsPerSecond),
      baselineEventsPerSecond: Math.round(baselineEventsPerSecond),
      speedup: Number(speedup.toFixed(2)),
      writesPerEvent: Number(writesPerEvent.toFixed(4)),
      baselineWritesPerEvent: Number((base.writes() / deliveries.length).toFixed(4)),
      readsPerEvent: Number((scorerReads / deliveries.length).toFixed(4)),
      duplicatesCounted,
      staleIgnored: stale,
      maxScoreError,
      accountFolds: folds,
      scorerFailures,
      mqaAccounts: mqa,
      bufferBatch: BUFFER_BATCH,
      fifoBatch: FIFO_BATCH,
    };
    const withinTarget =
      duplicatesCounted === 0 &&
      maxScoreError < 1e-6 &&
      writesPerEvent <= 0.5 &&
      speedup >= 3 &&
      scorerFailures === 0;
    return { ...result, withinTarget };
  } finally {
    await db.stop();
  }
}
