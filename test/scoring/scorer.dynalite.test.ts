/**
 * Scorer against dynalite: duplicates, order, one write per account per
 * batch, partial batch failure, and the feedback into sequences (resume, stop, hot-account task).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingSequenceControl } from '../../functions/platform/recorders';
import { DETAIL_TYPES, type EngagementRecordedDetail } from '../../functions/kernel/events';
import { ROLES } from '../../functions/kernel/model';
import { eventWeight, type ScoreState } from '../../functions/scoring/domain';
import { toScoringEvent } from '../../functions/scoring/scorer';
import { startDynalite, type LocalDynamo } from '../support/dynalite';
import {
  buildRig,
  detail,
  ebRecord,
  envelopeRecord,
  exactScore,
  rng,
  seedAccount,
  shuffle,
} from '../support/scoring';

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db?.stop();
});

// The rig's clock starts at 2026-11-22T12:00Z: events sit around it, so little decays before evaluation.
const T0 = Date.parse('2026-11-22T00:00:00Z');
const HOUR = 3_600_000;
const STREAM_DAYS = 20;

async function scoreState(
  rig: ReturnType<typeof buildRig>,
  accountId: string,
): Promise<{ state: ScoreState; version: number }> {
  const snap = await rig.store.scores.loadAccount(accountId);
  if (!snap.score) throw new Error(`no score for ${accountId}`);
  return snap.score;
}

function stream(accountId: string, n: number, seed: number): EngagementRecordedDetail[] {
  const random = rng(seed);
  const types = [
    'email.opened',
    'email.clicked',
    'web.visit',
    'ad.clicked',
    'intent.surge',
    'email.replied',
  ] as const;
  return Array.from({ length: n }, (_, i) =>
    detail(
      accountId,
      `${accountId}-e${i}`,
      types[i % types.length]!,
      T0 + Math.floor(random() * STREAM_DAYS * 24 * HOUR),
      {
        contactId: `c${i % 4}`,
        role: ROLES[i % 4],
        properties: { page: i % 5 === 0 ? '/pricing' : '/blog', strength: 0.4 },
      },
    ),
  );
}

describe('scorer on dynalite', () => {
  it('never counts 10% duplicate deliveries twice', async () => {
    const rig = buildRig(db.client, db.tableName);
    // Scored once the stream has happened: the scorer ignores events dated after now + 5 min.
    rig.clock.set(T0 + STREAM_DAYS * 24 * HOUR);
    const accounts = ['dup-a', 'dup-b', 'dup-c'];
    const random = rng(3);
    const distinct = accounts.flatMap((a, k) => stream(a, 200, 10 + k));
    // 10% redelivered: some in the same batch, some batches later.
    const deliveries = [...distinct];
    for (let i = 0; i < distinct.length / 10; i++) {
      const d = distinct[Math.floor(random() * distinct.length)]!;
      deliveries.splice(Math.floor(random() * deliveries.length), 0, d);
    }
    expect(deliveries.length).toBe(660);
    const duplicates = new Map<string, number>();
    for (let i = 0; i < deliveries.length; i += 10) {
      const out = await rig.scorer.handleBatch(deliveries.slice(i, i + 10).map(ebRecord));
      expect(out.batchItemFailures).toEqual([]);
      for (const r of out.results)
        duplicates.set(r.accountId, (duplicates.get(r.accountId) ?? 0) + r.duplicates);
    }
    for (const a of accounts) {
      const { state } = await scoreState(rig, a);
      const mine = distinct.filter((d) => d.accountId === a).map(toScoringEvent);
      expect(state.eventsApplied).toBe(200);
      expect(duplicates.get(a)).toBe(deliveries.filter((d) => d.accountId === a).length - 200);
      const exact = exactScore(
        mine.map((e) => ({ at: e.at, weight: eventWeight(e, rig.config) })),
        state.asOf!,
        rig.config.halfLifeMs,
      );
      expect(Math.abs(state.score - exact)).toBeLessThan(1e-9);
    }
  });

  it('ends a shuffled stream at the same score as the ordered one (1e-9)', async () => {
    const rig = buildRig(db.client, db.tableName);
    const base = stream('ord', 500, 42);
    const ordered = [...base].sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt));
    const shuffled = shuffle(base, rng(9)).map((d) => ({ ...d, accountId: 'shuf' }));
    for (let i = 0; i < 500; i += 10) {
      await rig.scorer.handleBatch(ordered.slice(i, i + 10).map(ebRecord));
      await rig.scorer.handleBatch(shuffled.slice(i, i + 10).map(ebRecord));
    }
    const a = (await scoreState(rig, 'ord')).state;
    const b = (await scoreState(rig, 'shuf')).state;
    expect(a.asOf).toBe(b.asOf);
    expect(Math.abs(a.score - b.score)).toBeLessThan(1e-9);
    expect(a.contacts).toEqual(b.contacts);
  });

  it('costs one read and one write for a burst of 1,000 events for one account in one batch', async () => {
    const rig = buildRig(db.client, db.tableName);
    await seedAccount(rig.store, 'burst', [{ contactId: 'c0', role: 'champion' }]);
    // Bring the account to its resting stage first, so the burst changes the score only.
    await rig.scorer.handleBatch(
      ['w1', 'w2', 'w3', 'w4', 'w5'].map((id) =>
        ebRecord(detail('burst', id, 'web.visit', T0, { properties: { page: '/pricing' } })),
      ),
    );
    expect((await scoreState(rig, 'burst')).state.stage).toBe('engaged');
    const events = stream('burst', 1000, 5).map((d) => ({
      ...d,
      type: d.type === 'email.replied' || d.type === 'email.clicked' ? ('email.opened' as const) : d.type,
      contactId: undefined,
      role: undefined,
    }));
    // The burst is scored once it has happened (events after now + 5 min are ignored).
    rig.clock.set(T0 + STREAM_DAYS * 24 * HOUR);
    rig.counter.reset();
    const out = await rig.scorer.handleBatch([
      envelopeRecord('burst', events.slice(0, 500)),
      envelopeRecord('burst', events.slice(500)),
    ]);
    expect(out.batchItemFailures).toEqual([]);
    expect(out.results).toEqual([
      expect.objectContaining({ accountId: 'burst', applied: 1000, written: true }),
    ]);
    expect(rig.counter.counts.Query).toBe(1);
    expect(rig.counter.writes()).toBe(1);
  });

  it('retries a failing account without reprocessing the others', async () => {
    const rig = buildRig(db.client, db.tableName);
    let failOnce = true;
    const scores = rig.store.scores;
    const { scorerFeature } = await import('../../functions/scoring/scorer');
    const scorer = scorerFeature(rig.platform, {
      scores: {
        loadAccount: (id) => scores.loadAccount(id),
        get: (id) => scores.get(id),
        save: async (state, v, now, halfLifeMs) => {
          if (state.accountId === 'flaky' && failOnce) {
            failOnce = false;
            throw new Error('ProvisionedThroughputExceededException');
          }
          return scores.save(state, v, now, halfLifeMs);
        },
      },
    });
    const records = [
      ebRecord(detail('steady-1', 's1', 'email.clicked', T0)),
      ebRecord(detail('flaky', 'f1', 'email.clicked', T0)),
      ebRecord(detail('steady-2', 's2', 'email.clicked', T0)),
      ebRecord(detail('flaky', 'f2', 'email.replied', T0 + HOUR)),
      ebRecord(detail('steady-1', 's3', 'email.opened', T0 + HOUR)),
    ];
    const first = await scorer.handleBatch(records);
    expect(first.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      [records[1]!.messageId, records[3]!.messageId].sort(),
    );
    const before = { s1: await scoreState(rig, 'steady-1'), s2: await scoreState(rig, 'steady-2') };
    expect(before.s1.state.eventsApplied).toBe(2);

    // SQS redelivers only the failed records.
    const retry = await scorer.handleBatch([records[1]!, records[3]!]);
    expect(retry.batchItemFailures).toEqual([]);
    expect(retry.results.map((r) => r.accountId)).toEqual(['flaky']);
    expect((await scoreState(rig, 'flaky')).state.eventsApplied).toBe(2);
    expect(await scoreState(rig, 'steady-1')).toEqual(before.s1);
    expect(await scoreState(rig, 'steady-2')).toEqual(before.s2);
  });

  it('fails an unparseable record and the rest of its group only', async () => {
    const rig = buildRig(db.client, db.tableName);
    const good = ebRecord(detail('grp-ok', 'g1', 'email.clicked', T0));
    const bad = {
      messageId: 'bad-1',
      body: '{"detail-type":"engagement.recorded","detail":{"eventId":"x"}}',
      attributes: { MessageGroupId: 'grp-bad' },
    };
    const later = ebRecord(detail('grp-bad', 'b2', 'email.clicked', T0));
    const out = await rig.scorer.handleBatch([good, bad, later]);
    expect(out.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      ['bad-1', later.messageId].sort(),
    );
    expect(out.results.map((r) => r.accountId)).toEqual(['grp-ok']);
  });
});

describe('feedback into sequences', () => {
  it('resumes a parked await_engagement whose condition now holds, and only then', async () => {
    const control = new RecordingSequenceControl();
    const rig = buildRig(db.client, db.tableName, { control });
    await seedAccount(rig.store, 'parked', [{ contactId: 'dana', role: 'economic_buyer' }]);
    await rig.store.enrollments.create({
      accountId: 'parked',
      campaignId: 'q1',
      sequenceId: 'seq',
      sequenceVersion: 1,
      executionName: 'q1--parked',
      status: 'waiting',
      stepId: 'wait-1',
      taskToken: 'token-1',
      waitingFor: { stepId: 'wait-1', until: { minScore: 20 }, since: new Date(T0).toISOString() },
      startedAt: new Date(T0).toISOString(),
      updatedAt: new Date(T0).toISOString(),
    });
    await rig.scorer.handleBatch([
      ebRecord(detail('parked', 'p1', 'email.clicked', T0 + HOUR, { contactId: 'dana' })),
    ]);
    expect(control.resumed).toEqual([]); // 4 x 1.5 = 6 < 20
    await rig.scorer.handleBatch([
      ebRecord(detail('parked', 'p2', 'email.replied', T0 + 2 * HOUR, { contactId: 'dana' })),
    ]);
    expect(control.resumed).toEqual([
      {
        taskToken: 'token-1',
        output: expect.objectContaining({ resumedBy: 'scorer', stepId: 'wait-1', stage: 'engaged' }),
      },
    ]);
    expect((control.resumed[0]!.output as { score: number }).score).toBeGreaterThanOrEqual(20);
  });

  it('ends an enrollment at once when the account enters an exit stage', async () => {
    const control = new RecordingSequenceControl();
    const rig = buildRig(db.client, db.tableName, { control });
    await seedAccount(rig.store, 'won');
    const seq = await rig.store.catalog.saveSequence({
      id: 'tier1',
      name: 'Tier 1',
      exitWhen: { stages: ['opportunity', 'customer'] },
      steps: [{ id: 'intro', channel: 'email', template: 'intro' }],
    });
    const base = {
      accountId: 'won',
      sequenceId: 'tier1',
      sequenceVersion: seq.version,
      startedAt: new Date(T0).toISOString(),
      updatedAt: new Date(T0).toISOString(),
    };
    await rig.store.enrollments.create({
      ...base,
      campaignId: 'c-run',
      executionName: 'c-run--won',
      status: 'running',
      stepId: 'intro',
    });
    await rig.store.enrollments.create({
      ...base,
      campaignId: 'c-done',
      executionName: 'c-done--won',
      status: 'completed',
    });
    await rig.scorer.handleBatch([
      ebRecord(
        detail('won', 'crm1', 'crm.stage_changed', T0, {
          origin: 'crm',
          properties: { stage: 'opportunity_created' },
        }),
      ),
    ]);
    expect(control.stopped).toEqual([
      { executionName: 'c-run--won', reason: 'account entered stage opportunity' },
    ]);
    expect(await rig.store.enrollments.get('won', 'c-run')).toMatchObject({
      status: 'exited',
      reason: 'account entered stage opportunity',
    });
    expect(await rig.store.enrollments.get('won', 'c-done')).toMatchObject({ status: 'completed' });
    expect((await rig.store.accounts.get('won'))?.stage).toBe('opportunity');
    expect(rig.publisher.ofType(DETAIL_TYPES.stageChanged).map((e) => e.detail)).toEqual([
      expect.objectContaining({ accountId: 'won', from: 'target', to: 'opportunity' }),
    ]);
    expect(rig.publisher.ofType(DETAIL_TYPES.enrollmentFinished)).toHaveLength(1);
  });

  it('creates exactly one hot-account task on becoming MQA (three roles booking meetings)', async () => {
    const rig = buildRig(db.client, db.tableName);
    await seedAccount(rig.store, 'hot', [
      { contactId: 'dana', role: 'economic_buyer' },
      { contactId: 'lee', role: 'champion' },
      { contactId: 'kim', role: 'technical_evaluator' },
      { contactId: 'max', role: 'end_user' },
    ]);
    const meeting = (id: string, contactId: string, h: number) =>
      ebRecord(detail('hot', id, 'meeting.booked', T0 + h * HOUR, { contactId }));
    await rig.scorer.handleBatch([meeting('m1', 'dana', 1), meeting('m2', 'lee', 2)]);
    expect((await scoreState(rig, 'hot')).state.stage).toBe('engaged');
    await rig.scorer.handleBatch([meeting('m3', 'kim', 3), meeting('m3', 'kim', 3)]);
    await rig.scorer.handleBatch([meeting('m4', 'max', 4)]);
    const tasks = await rig.store.tasks.listOfAccount('hot');
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ type: 'hot_account', status: 'open', owner: 'sdr-ana', priority: 1 });
    expect((await rig.store.accounts.get('hot'))?.stage).toBe('mqa');
    expect(
      rig.publisher.ofType(DETAIL_TYPES.stageChanged).map((e) => (e.detail as unknown as { to: string }).to),
    ).toEqual(['engaged', 'mqa']);
    expect(rig.publisher.ofType(DETAIL_TYPES.sdrTaskCreated)).toHaveLength(1);
    expect(rig.publisher.ofType(DETAIL_TYPES.scoreChanged).length).toBeGreaterThanOrEqual(3);
  });
});
