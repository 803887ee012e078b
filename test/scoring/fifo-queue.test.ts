/**
 * The FIFO queue model the scorer benchmark drives its consumers with (test/support/fifo-queue.ts):
 * SQS's documented receive order, group locking and redrive.
 */
import { describe, expect, it } from 'vitest';
import { FifoQueueModel } from '../support/fifo-queue';

const msg = (id: string, groupId: string) => ({ id, groupId });
const ids = (batch: { id: string }[]) => batch.map((m) => m.id);

describe('FifoQueueModel', () => {
  it('returns as many messages of the oldest group as it can, then other groups, each in order', () => {
    const q = new FifoQueueModel();
    q.send([msg('a1', 'a'), msg('b1', 'b'), msg('a2', 'a'), msg('c1', 'c'), msg('a3', 'a'), msg('b2', 'b')]);
    expect(ids(q.receive(4))).toEqual(['a1', 'a2', 'a3', 'b1']);
    // a and b are in flight: only c is available.
    expect(ids(q.receive(10))).toEqual(['c1']);
    expect(q.receive(10)).toEqual([]);
  });

  it('keeps a group locked until its batch settles; failed messages return at the head of their group', () => {
    const q = new FifoQueueModel(2);
    q.send([msg('a1', 'a'), msg('a2', 'a')]);
    const first = q.receive(1);
    expect(ids(first)).toEqual(['a1']);
    expect(q.receive(1)).toEqual([]);
    q.settle(first, new Set(['a1']));
    const again = q.receive(10);
    expect(ids(again)).toEqual(['a1', 'a2']);
    // The second failure reaches maxReceiveCount: a1 goes to the dead letters, a2 stays.
    q.settle(again, new Set(['a1', 'a2']));
    expect(ids(q.deadLetters)).toEqual(['a1']);
    expect(ids(q.receive(10))).toEqual(['a2']);
  });

  it('drains with concurrent consumers, never two batches of one group at once', async () => {
    const q = new FifoQueueModel();
    q.send(Array.from({ length: 200 }, (_, i) => msg(`m${i}`, `g${i % 7}`)));
    const active = new Set<string>();
    const seen: string[] = [];
    await q.drain(4, 3, async (batch) => {
      const groups = [...new Set(batch.map((m) => m.groupId))];
      for (const g of groups) expect(active.has(g)).toBe(false);
      groups.forEach((g) => active.add(g));
      await new Promise((r) => setTimeout(r, 1));
      groups.forEach((g) => active.delete(g));
      seen.push(...ids(batch));
    });
    expect(q.size).toBe(0);
    expect(seen).toHaveLength(200);
    // Per group, in the order sent.
    for (let g = 0; g < 7; g++) {
      const order = seen.filter((id) => Number(id.slice(1)) % 7 === g).map((id) => Number(id.slice(1)));
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
  });
});
