/**
 * The daily re-score against dynalite: stages follow decay without new events, through the
 * scorer's own path (stage_changed, the profile, enrollments ended on an exit stage), the write
 * conditional on the version read, and the cost bounded by the decay index (pages, no scan, only
 * the accounts below their floor).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DETAIL_TYPES } from '../../functions/kernel/events';
import { RecordingSequenceControl } from '../../functions/platform/recorders';
import { ScoreDecayIndex } from '../../functions/platform/store/scores';
import { rescoreFeature } from '../../functions/scoring/rescore';
import { scorerFeature } from '../../functions/scoring/scorer';
import { startDynalite, type LocalDynamo } from '../support/dynalite';
import {
  buildRig,
  detail,
  ebRecord,
  RecordingFifo,
  seedAccount,
  seedScoredAccounts,
} from '../support/scoring';

const DAY = 86_400_000;
const HALF_LIFE = 14 * DAY;

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db?.stop();
});

type Rig = ReturnType<typeof buildRig>;

/** Three roles book a meeting each at the rig's now: 40 x (1.5 + 1.3 + 1.2) = 160, MQA. */
async function makeMqa(rig: Rig, accountId: string): Promise<number> {
  await seedAccount(rig.store, accountId, [
    { contactId: 'eb', role: 'economic_buyer' },
    { contactId: 'ch', role: 'champion' },
    { contactId: 'te', role: 'technical_evaluator' },
  ]);
  const at = rig.clock.now().getTime();
  const res = await rig.scorer.handleBatch(
    ['eb', 'ch', 'te'].map((c) =>
      ebRecord(detail(accountId, `${accountId}-${c}`, 'meeting.booked', at, { contactId: c })),
    ),
  );
  expect(res.batchItemFailures).toEqual([]);
  expect((await rig.store.accounts.get(accountId))?.stage).toBe('mqa');
  return at;
}

const stagesOf = (rig: Rig, accountId: string) =>
  rig.publisher
    .ofType(DETAIL_TYPES.stageChanged)
    .map((e) => e.detail as unknown as { accountId: string; from: string; to: string; score: number })
    .filter((d) => d.accountId === accountId);

describe('re-score: stages follow decay', () => {
  it('demotes mqa -> engaged -> target with no new event, through the scorer (exit logic included)', async () => {
    const control = new RecordingSequenceControl();
    const rig = buildRig(db.client, db.tableName, { control });
    const t0 = await makeMqa(rig, 'fading');
    // A nurture sequence that ends when the account goes cold.
    const seq = await rig.store.catalog.saveSequence({
      id: 'nurture',
      name: 'Nurture',
      exitWhen: { stages: ['target'] },
      steps: [{ id: 'intro', channel: 'email', template: 'intro' }],
    });
    await rig.store.enrollments.create({
      accountId: 'fading',
      campaignId: 'c-nurture',
      sequenceId: 'nurture',
      sequenceVersion: seq.version,
      executionName: 'c-nurture--fading',
      status: 'running',
      stepId: 'intro',
      startedAt: new Date(t0).toISOString(),
      updatedAt: new Date(t0).toISOString(),
    });
    const fifo = new RecordingFifo();
    const { rescore } = rescoreFeature(rig.platform, { sender: fifo, pageSize: 2 });
    const runAt = async (days: number) => {
      rig.clock.set(t0 + days * DAY);
      const result = await rescore();
      const records = fifo.take();
      if (records.length > 0) expect((await rig.scorer.handleBatch(records)).batchItemFailures).toEqual([]);
      return { result, records };
    };
    const before = await rig.store.scores.get('fading');

    // 160 x 2^(-20/14) = 59.6: below 60, but an MQA account keeps MQA down to 48 (0.8 x 60).
    expect((await runAt(20)).records).toEqual([]);
    expect((await rig.store.accounts.get('fading'))?.stage).toBe('mqa');

    // 160 x 2^(-25/14) = 46.4 < 48: re-scored once, demoted to engaged.
    const day25 = await runAt(25);
    expect(day25.result.due).toEqual({ mqa: 1, engaged: 0 });
    expect(day25.records.map((r) => [r.attributes?.MessageGroupId, JSON.parse(r.body)])).toEqual([
      ['fading', { accountId: 'fading', events: [] }],
    ]);
    expect(fifo.sent[0]!.deduplicationId).toBe(
      `decay:${new Date(t0 + 25 * DAY).toISOString().slice(0, 10)}:fading`,
    );
    expect((await rig.store.accounts.get('fading'))?.stage).toBe('engaged');
    const afterDemotion = await rig.store.scores.get('fading');
    expect(afterDemotion?.version).toBe(before!.version + 1);
    expect(afterDemotion?.state).toMatchObject({
      stage: 'engaged',
      scoreStage: 'engaged',
      eventsApplied: 3, // no event was added: the same sum, decayed
      score: before!.state.score,
    });
    expect(stagesOf(rig, 'fading').map((d) => [d.from, d.to])).toEqual([
      ['target', 'mqa'],
      ['mqa', 'engaged'],
    ]);
    expect(stagesOf(rig, 'fading')[1]!.score).toBeCloseTo(160 * 2 ** (-25 / 14), 6);
    expect(rig.publisher.ofType(DETAIL_TYPES.sdrTaskCreated)).toHaveLength(1); // only on becoming MQA
    expect(control.stopped).toEqual([]);

    // The same day again: nothing more is due (engaged holds down to 8).
    expect((await runAt(25)).records).toEqual([]);

    // 160 x 2^(-62/14) = 7.4 < 8: demoted to target; the nurture sequence exits on target.
    const day62 = await runAt(62);
    expect(day62.result.due).toEqual({ mqa: 0, engaged: 1 });
    expect((await rig.store.accounts.get('fading'))?.stage).toBe('target');
    expect(stagesOf(rig, 'fading').map((d) => d.to)).toEqual(['mqa', 'engaged', 'target']);
    expect(control.stopped).toEqual([
      { executionName: 'c-nurture--fading', reason: 'account entered stage target' },
    ]);
    expect(await rig.store.enrollments.get('fading', 'c-nurture')).toMatchObject({ status: 'exited' });

    // A target account is out of the decay index: never read again by the re-score.
    expect((await runAt(200)).result.due).toEqual({ mqa: 0, engaged: 0 });
  });

  it('a re-score fold that loses the race to an event fold never overwrites it (version check)', async () => {
    const rig = buildRig(db.client, db.tableName);
    const t0 = await makeMqa(rig, 'race');
    rig.clock.set(t0 + 25 * DAY); // due: 46.4 < 48
    const scores = rig.store.scores;
    let raced = false;
    // The re-score's fold, whose write is preceded by a concurrent event fold (a new meeting).
    const rescoreFold = scorerFeature(rig.platform, {
      scores: {
        loadAccount: (id) => scores.loadAccount(id),
        get: (id) => scores.get(id),
        save: async (state, version, now, halfLifeMs) => {
          if (!raced) {
            raced = true;
            const meeting = detail('race', 'race-late', 'meeting.booked', now.getTime(), { contactId: 'eb' });
            expect((await rig.scorer.handleBatch([ebRecord(meeting)])).batchItemFailures).toEqual([]);
          }
          return scores.save(state, version, now, halfLifeMs);
        },
      },
    });
    const before = await scores.get('race');
    const result = await rescoreFold.processAccount('race', []);
    expect(raced).toBe(true);
    const after = await scores.get('race');
    // The event fold's write stands: its event is counted, the score is back above 60.
    expect(after?.state.seen['race-late']).toBeDefined();
    expect(after?.state.eventsApplied).toBe(4);
    expect(after?.version).toBe(before!.version + 1);
    expect(after?.state.stage).toBe('mqa');
    // The retried re-score re-read that state and found nothing to change: no second write.
    expect(result).toMatchObject({ written: false, stageFrom: 'mqa', stageTo: 'mqa' });
  });
});

describe('re-score: bounded cost (500 scored accounts here; 10,000 in `npm run bench -- rescore`)', () => {
  let big: LocalDynamo;
  beforeAll(async () => {
    big = await startDynalite();
  });
  afterAll(async () => {
    await big?.stop();
  });

  it('reads pages of the decay index only, and only the accounts below their floor', async () => {
    const rig = buildRig(big.client, big.tableName);
    const expected = await seedScoredAccounts(rig, 500);
    expect(expected.size).toBeGreaterThan(100);
    expect(expected.size).toBeLessThan(400);

    const fifo = new RecordingFifo();
    const { rescore } = rescoreFeature(rig.platform, { sender: fifo });
    rig.counter.reset();
    const result = await rescore();

    // Exactly the accounts below their floor, each once, in batches of up to 10.
    const sent = fifo.sent.map((m) => m.groupId);
    expect(new Set(sent)).toEqual(expected);
    expect(sent).toHaveLength(expected.size);
    expect(result.enqueued).toBe(expected.size);
    expect(result.due.mqa + result.due.engaged).toBe(expected.size);
    // DynamoDB: Query pages of the index and nothing else (no scan, no per-account read).
    expect(rig.counter.counts).toEqual({ Query: result.pages });
    // One page per stage and shard here (each holds fewer than 1,000 due entries).
    expect(result.pages).toBe(2 * 8);

    // The scorer folds each: one partition query and one conditional write per account (plus
    // the profile's stage), and afterwards nothing is due any more.
    rig.counter.reset();
    expect((await rig.scorer.handleBatch(fifo.take())).batchItemFailures).toEqual([]);
    expect(rig.counter.counts.Query).toBe(expected.size);
    expect(rig.counter.counts.PutItem).toBe(expected.size);
    expect((await rescore()).due).toEqual({ mqa: 0, engaged: 0 });
  });

  it('pages through a shard with more due entries than a page holds', async () => {
    const rig = buildRig(big.client, big.tableName);
    // Every engaged account is below a floor of 1,000: all of them, in pages of 10.
    const index = rig.platform.repository(ScoreDecayIndex);
    rig.counter.reset();
    let entries = 0;
    let pages = 0;
    for await (const page of index.decayedBelow('engaged', 1000, rig.clock.now().getTime(), HALF_LIFE, 10)) {
      pages++;
      entries += page.length;
      expect(page.length).toBeLessThanOrEqual(10);
    }
    expect(entries).toBeGreaterThan(100);
    expect(pages).toBeGreaterThanOrEqual(Math.ceil(entries / 10));
    expect(pages).toBeLessThanOrEqual(Math.ceil(entries / 10) + 8);
    expect(rig.counter.counts).toEqual({ Query: pages });
  });
});
