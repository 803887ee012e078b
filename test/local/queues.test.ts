/**
 * Local mode's scorer path is the deployed one: the bus routes engagement with the stack's rule to
 * the buffer queue, the enqueuer (the Lambda code) groups it per account onto the FIFO queue, and
 * the FIFO queue hands the scorer batches of messages, one account per message.
 */
import { describe, expect, it } from 'vitest';
import { busEvent, DETAIL_TYPES, RULES } from '../../functions/kernel/events';
import { createEnqueuer } from '../../functions/scoring/enqueuer';
import { parseRecord } from '../../functions/scoring/scorer';
import { LocalBus } from '../../lib/local/bus';
import { fifoSender, LocalQueue, queueTarget, type QueueRecord } from '../../lib/local/queues';
import { detail } from '../support/scoring';

const AT = '2026-11-22T09:00:00Z';

describe('local scorer queues', () => {
  it('route engagement.recorded only, one envelope per account, through the enqueuer', async () => {
    const buffer = new LocalQueue({ name: 'buffer', batchSize: 1000 });
    const fifo = new LocalQueue({ name: 'fifo', batchSize: 10 });
    const scored: QueueRecord[] = [];
    buffer.consume(createEnqueuer({ sender: fifoSender(fifo) }));
    fifo.consume(async (records) => {
      scored.push(...records);
      return { batchItemFailures: [] };
    });
    const bus = new LocalBus([queueTarget('scorerIngest', RULES.scorerIngest as never, buffer)]);
    await bus.publish([
      busEvent(DETAIL_TYPES.engagementRecorded, detail('a', 'e1', 'email.opened', AT)),
      busEvent(DETAIL_TYPES.stageChanged, {
        eventId: 'x',
        accountId: 'a',
        occurredAt: AT,
        from: 'target',
        to: 'engaged',
        score: 12,
        reason: 'score',
      }),
      busEvent(DETAIL_TYPES.engagementRecorded, detail('b', 'e2', 'email.opened', AT)),
      busEvent(DETAIL_TYPES.engagementRecorded, detail('a', 'e3', 'email.opened', AT)),
    ]);
    await buffer.drain();
    await fifo.drain();
    expect(bus.stats.unrouted).toBe(1);
    expect(
      scored.map((r) => parseRecord(r.body)).map((p) => [p.accountId, p.events.map((e) => e.eventId)]),
    ).toEqual([
      ['a', ['e1', 'e3']],
      ['b', ['e2']],
    ]);
    expect(scored.map((r) => r.attributes?.MessageGroupId)).toEqual(['a', 'b']);
  });

  it('retries the records a consumer reports failed, in order, then gives up (dead-letter)', async () => {
    const queue = new LocalQueue({ name: 'q', batchSize: 10, maxAttempts: 2 });
    const seen: string[] = [];
    queue.consume(async (records) => {
      seen.push(...records.map((r) => r.messageId));
      return {
        batchItemFailures: records
          .filter((r) => r.messageId !== 'ok')
          .map((r) => ({ itemIdentifier: r.messageId })),
      };
    });
    queue.send([
      { messageId: 'ok', body: '{}' },
      { messageId: 'bad', body: '{}' },
    ]);
    await queue.drain();
    expect(seen).toEqual(['ok', 'bad', 'bad']);
    expect(queue.stats).toMatchObject({ retried: 1, dropped: 1 });
  });
});

describe('a queue without autoFlush (simulate mode)', () => {
  it('delivers only when flushed, whatever the batch size or the time, and says when it is busy', async () => {
    const queue = new LocalQueue({ name: 'q', batchSize: 2, flushMs: 1, autoFlush: false });
    const batches: string[][] = [];
    queue.consume(async (records) => {
      batches.push(records.map((r) => r.messageId));
      return { batchItemFailures: [] };
    });
    queue.send(['1', '2', '3'].map((messageId) => ({ messageId, body: '{}' })));
    await new Promise((r) => setTimeout(r, 20));
    expect(batches).toEqual([]);
    expect(queue.busy).toBe(true);
    await queue.flush();
    expect(batches).toEqual([['1', '2']]);
    await queue.drain();
    expect(batches).toEqual([['1', '2'], ['3']]);
    expect(queue.busy).toBe(false);
  });
});
