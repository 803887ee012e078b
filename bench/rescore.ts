/**
 * Re-score benchmark: 10,000 scored accounts (a profile and a SCORE item each, 40% mqa, 40% engaged,
 * 20% target, last scored 0..39 days ago) against dynalite. The daily re-score reads the decay
 * index; every account below its stage's floor gets one message, then the scorer folds them.
 *
 * Reported: DynamoDB calls of the re-score itself (Query pages of the index; any other call, or a
 * Query count above the pages, would be a per-account read), the accounts found against those
 * computed independently from the decay formula, and the scorer's calls per re-scored account.
 *
 *   npm run bench -- rescore
 *   env: BENCH_RESCORE_ACCOUNTS (default 10000)
 */
import { rescoreFeature } from '../functions/scoring/rescore';
import { startDynalite } from '../test/support/dynalite';
import { buildRig, RecordingFifo, seedScoredAccounts } from '../test/support/scoring';

const ACCOUNTS = Number(process.env.BENCH_RESCORE_ACCOUNTS ?? 10_000);
/** Stages (mqa, engaged) x shards of the decay index: the least number of pages a run reads. */
const PARTITIONS = 2 * 8;

export async function run(): Promise<Record<string, unknown>> {
  const db = await startDynalite();
  try {
    const rig = buildRig(db.client, db.tableName);
    let t = performance.now();
    const expected = await seedScoredAccounts(rig, ACCOUNTS);
    const seedMs = performance.now() - t;
    process.stderr.write(`  seeded ${ACCOUNTS} accounts in ${(seedMs / 1000).toFixed(1)} s\n`);

    const fifo = new RecordingFifo();
    const { rescore } = rescoreFeature(rig.platform, { sender: fifo });
    rig.counter.reset();
    t = performance.now();
    const result = await rescore();
    const rescoreMs = performance.now() - t;
    const calls = { ...rig.counter.counts };
    const sent = fifo.sent.map((m) => m.groupId);
    const exact =
      sent.length === expected.size &&
      new Set(sent).size === sent.length &&
      sent.every((a) => expected.has(a));
    const queries = calls.Query ?? 0;
    const otherCalls = Object.entries(calls)
      .filter(([name]) => name !== 'Query')
      .reduce((n, [, c]) => n + c, 0);
    process.stderr.write(
      `  re-score: ${sent.length} due, ${result.pages} pages, ${queries} queries, ${otherCalls} other calls, ${rescoreMs.toFixed(0)} ms\n`,
    );

    rig.counter.reset();
    t = performance.now();
    const records = fifo.take();
    for (let i = 0; i < records.length; i += 10) {
      const { batchItemFailures } = await rig.scorer.handleBatch(records.slice(i, i + 10));
      if (batchItemFailures.length > 0) throw new Error(`scorer failed ${batchItemFailures.length} records`);
    }
    const foldMs = performance.now() - t;
    const foldCalls = Object.values(rig.counter.counts).reduce((a, b) => a + b, 0);
    const again = await rescore();

    const maxPages = PARTITIONS + Math.ceil(expected.size / 1000);
    return {
      accounts: ACCOUNTS,
      due: expected.size,
      enqueued: result.enqueued,
      exactlyTheDueAccounts: exact,
      pages: result.pages,
      queryCalls: queries,
      otherCalls,
      maxPages,
      rescoreMs: Math.round(rescoreMs),
      scorerCallsPerDueAccount: Math.round((foldCalls / Math.max(1, expected.size)) * 100) / 100,
      scorerWritesPerDueAccount: Math.round((rig.counter.writes() / Math.max(1, expected.size)) * 100) / 100,
      foldMs: Math.round(foldMs),
      dueAfterFolds: again.due.mqa + again.due.engaged,
      seedMs: Math.round(seedMs),
      withinTarget:
        exact &&
        otherCalls === 0 &&
        queries === result.pages &&
        result.pages <= maxPages &&
        again.due.mqa + again.due.engaged === 0,
    };
  } finally {
    await db.stop();
  }
}
