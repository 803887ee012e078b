import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendScorePoint, SCORE_HISTORY_MAX } from '../../functions/scoring/domain';
import { startDynalite, type LocalDynamo } from '../support/dynalite';
import { buildRig, detail, ebRecord } from '../support/scoring';

describe('score history (bounded, in the SCORE item)', () => {
  it.each([
    ['appends in time order', [{ at: 1, value: 1 }], { at: 2, value: 2 }, [1, 2]],
    ['replaces a point at the same time', [{ at: 1, value: 1 }], { at: 1, value: 5 }, [1]],
    ['keeps time order for a late point', [{ at: 3, value: 1 }], { at: 2, value: 2 }, [2, 3]],
  ])('%s', (_n, history, point, ats) => {
    expect(appendScorePoint(history, point).map((p) => p.at)).toEqual(ats);
  });

  it('drops the oldest beyond the cap', () => {
    let h = appendScorePoint(undefined, { at: 0, value: 0 });
    for (let i = 1; i < SCORE_HISTORY_MAX + 5; i++) h = appendScorePoint(h, { at: i, value: i });
    expect(h).toHaveLength(SCORE_HISTORY_MAX);
    expect(h[0]!.at).toBe(5);
  });

  describe('with the scorer on dynalite', () => {
    let db: LocalDynamo;
    beforeAll(async () => {
      db = await startDynalite();
    });
    afterAll(async () => db?.stop());

    it('one point per fold, in the same single write; a fold of duplicates adds none', async () => {
      const rig = buildRig(db.client, db.tableName, { start: '2026-11-01T00:00:00.000Z' });
      const day = 86_400_000;
      for (let i = 0; i < SCORE_HISTORY_MAX + 3; i++) {
        rig.clock.set(Date.parse('2026-11-01T00:00:00Z') + i * day);
        const at = Date.parse('2026-11-01T00:00:00Z') + i * day;
        const writes = rig.counter.counts.PutItem ?? 0;
        await rig.scorer.handleBatch([
          ebRecord(detail('hist', `e${i}`, 'email.opened', at)),
          ebRecord(detail('hist', `f${i}`, 'web.visit', at)),
        ]);
        expect((rig.counter.counts.PutItem ?? 0) - writes).toBe(1); // the SCORE item, once
      }
      const before = (await rig.store.scores.loadAccount('hist')).score!;
      await rig.scorer.handleBatch([
        ebRecord(detail('hist', 'e3', 'email.opened', Date.parse('2026-11-04T00:00:00Z'))),
      ]);
      const after = (await rig.store.scores.loadAccount('hist')).score!;
      expect(after.version).toBe(before.version);
      const history = after.state.history!;
      expect(history).toHaveLength(SCORE_HISTORY_MAX);
      expect(history[0]!.at).toBe(Date.parse('2026-11-01T00:00:00Z') + 3 * day);
      expect(history.at(-1)!.value).toBeCloseTo(after.state.score, 5);
    });
  });
});
