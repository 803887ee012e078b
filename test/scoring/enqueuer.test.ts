import { describe, expect, it } from 'vitest';
import type { FifoMessage } from '../../functions/platform/sqs';
import { createEnqueuer } from '../../functions/scoring/enqueuer';
import { detail, ebRecord } from '../support/scoring';

const AT = '2026-11-22T09:00:00Z';

describe('enqueuer (buffer queue -> FIFO per account)', () => {
  it('groups a batch per account, one message group per account, deterministic dedup ids', async () => {
    const sent: FifoMessage[] = [];
    const enqueue = createEnqueuer({ sender: { sendBatch: async (m) => (sent.push(...m), []) } });
    const records = [
      ebRecord(detail('a', 'e1', 'email.opened', AT)),
      ebRecord(detail('b', 'e2', 'email.opened', AT)),
      ebRecord(detail('a', 'e3', 'email.clicked', AT)),
    ];
    const out = await enqueue(records);
    expect(out).toEqual({ batchItemFailures: [], messages: 2 });
    expect(
      sent.map((m) => [m.groupId, JSON.parse(m.body).events.map((e: { eventId: string }) => e.eventId)]),
    ).toEqual([
      ['a', ['e1', 'e3']],
      ['b', ['e2']],
    ]);
    const again: FifoMessage[] = [];
    await createEnqueuer({ sender: { sendBatch: async (m) => (again.push(...m), []) } })(records);
    expect(again.map((m) => m.deduplicationId)).toEqual(sent.map((m) => m.deduplicationId));
  });

  it('splits a busy account into messages of at most N events, and packs at most 10 per send', async () => {
    const calls: number[] = [];
    const enqueue = createEnqueuer({
      sender: { sendBatch: async (m) => (calls.push(m.length), []) },
      maxEventsPerMessage: 5,
    });
    const records = Array.from({ length: 120 }, (_, i) => ebRecord(detail('busy', `e${i}`, 'web.visit', AT)));
    const out = await enqueue(records);
    expect(out.messages).toBe(24);
    expect(calls).toEqual([10, 10, 4]);
  });

  it('fills a message body up to maxBodyBytes exactly, never past it', async () => {
    const records = Array.from({ length: 40 }, (_, i) =>
      ebRecord(detail('big', `event-${String(i).padStart(2, '0')}`, 'web.visit', AT)),
    );
    // The body of the first 7 events, to the byte: 7 fit in one message, the 8th starts the next.
    const events = records.slice(0, 7).map((r) => JSON.parse(r.body).detail);
    const limit = Buffer.byteLength(JSON.stringify({ accountId: 'big', events }));
    const sent: FifoMessage[] = [];
    const enqueue = createEnqueuer({
      sender: { sendBatch: async (m) => (sent.push(...m), []) },
      maxBodyBytes: limit,
    });
    await enqueue(records);
    expect(sent.map((m) => JSON.parse(m.body).events.length)).toEqual([7, 7, 7, 7, 7, 5]);
    expect(Buffer.byteLength(sent[0]!.body)).toBe(limit);
    for (const m of sent) expect(Buffer.byteLength(m.body)).toBeLessThanOrEqual(limit);
  });

  it('fails the source records of a message that could not be sent, and bad records alone', async () => {
    const good = ebRecord(detail('ok', 'g1', 'email.opened', AT));
    const lost = ebRecord(detail('lost', 'l1', 'email.opened', AT));
    const bad = { messageId: 'bad', body: 'not json' };
    const enqueue = createEnqueuer({
      sender: { sendBatch: async (m) => m.filter((x) => x.groupId === 'lost').map((x) => x.id) },
    });
    const out = await enqueue([good, lost, bad]);
    expect(out.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['bad', lost.messageId].sort());
  });
});
