/**
 * EventBridge cannot set a FIFO message group per event (an SQS target's MessageGroupId is a fixed
 * string), so engagement reaches the scorer in two hops:
 *   rule (RULES.scorerIngest) -> standard buffer queue -> this enqueuer (large batches, batching
 *   window) -> FIFO queue, one message per account and batch (MessageGroupId = account id).
 * Grouping here is what lets one scorer write cover many events of a busy account even though a
 * FIFO event source delivers at most 10 messages per invocation.
 */
import { createHash } from 'node:crypto';
import type { EngagementRecordedDetail } from '../kernel/events';
import type { Log, Platform } from '../platform/compose';
import { SCORER_QUEUE, type FifoMessage, type FifoSender } from '../platform/sqs';
import { parseRecord, type BatchResult, type SqsRecordLike } from './records';

export interface EnqueuerDeps {
  sender: FifoSender;
  /** Events per FIFO message (default 100; bodies stay far below the 256 KB limit). */
  maxEventsPerMessage?: number;
  /** Bytes per message body (default 200 KB). */
  maxBodyBytes?: number;
  log?: Pick<Log, 'error'>;
}

const BATCH_BYTES = 240_000;

/** The enqueuer of a platform: its scorer queue and log. */
export function enqueuerFeature(platform: Platform) {
  return createEnqueuer({ sender: platform.port(SCORER_QUEUE), log: platform.log });
}

export function createEnqueuer(deps: EnqueuerDeps) {
  const maxEvents = deps.maxEventsPerMessage ?? 100;
  const maxBytes = deps.maxBodyBytes ?? 200_000;

  /** Groups the records' events by account into FIFO messages (records of one message travel together). */
  function plan(records: readonly SqsRecordLike[]) {
    const failures = new Set<string>();
    type Chunk = { events: EngagementRecordedDetail[]; sources: string[]; bytes: number };
    const byAccount = new Map<string, Chunk[]>();
    for (const r of records) {
      let parsed;
      try {
        parsed = parseRecord(r.body);
      } catch (err) {
        deps.log?.error('invalid engagement record', {
          messageId: r.messageId,
          error: (err as Error).message,
        });
        failures.add(r.messageId);
        continue;
      }
      // A body's size kept as it grows (the envelope, then each event and its comma), not by
      // serialising the chunk again for every event: that was quadratic in the events of an account.
      const empty = Buffer.byteLength(JSON.stringify({ accountId: parsed.accountId, events: [] }));
      const chunks = byAccount.get(parsed.accountId) ?? [{ events: [], sources: [], bytes: empty }];
      for (const e of parsed.events) {
        let chunk = chunks[chunks.length - 1]!;
        const eventBytes = Buffer.byteLength(JSON.stringify(e));
        const size = chunk.bytes + eventBytes + (chunk.events.length > 0 ? 1 : 0);
        if (chunk.events.length > 0 && (chunk.events.length >= maxEvents || size > maxBytes)) {
          chunk = { events: [], sources: [], bytes: empty };
          chunks.push(chunk);
        }
        chunk.bytes += eventBytes + (chunk.events.length > 0 ? 1 : 0);
        chunk.events.push(e);
        if (!chunk.sources.includes(r.messageId)) chunk.sources.push(r.messageId);
      }
      byAccount.set(parsed.accountId, chunks);
    }
    const messages: (FifoMessage & { sources: string[] })[] = [];
    for (const [accountId, chunks] of byAccount) {
      for (const chunk of chunks) {
        const ids = chunk.events.map((e) => e.eventId).sort();
        const digest = createHash('sha256')
          .update(`${accountId}\u0000${ids.join('\u0000')}`)
          .digest('hex');
        messages.push({
          id: `m${messages.length}`,
          groupId: accountId,
          deduplicationId: digest,
          body: JSON.stringify({ accountId, events: chunk.events }),
          sources: chunk.sources,
        });
      }
    }
    return { messages, failures };
  }

  return async function enqueue(
    records: readonly SqsRecordLike[],
  ): Promise<BatchResult & { messages: number }> {
    const { messages, failures } = plan(records);
    // Pack SendMessageBatch calls: at most 10 entries and ~240 KB each.
    let batch: typeof messages = [];
    let bytes = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      const failed = new Set(await deps.sender.sendBatch(batch));
      for (const m of batch) if (failed.has(m.id)) m.sources.forEach((s) => failures.add(s));
      batch = [];
      bytes = 0;
    };
    for (const m of messages) {
      const size = Buffer.byteLength(m.body);
      if (batch.length === 10 || bytes + size > BATCH_BYTES) await flush();
      batch.push(m);
      bytes += size;
    }
    await flush();
    return {
      batchItemFailures: [...failures].map((itemIdentifier) => ({ itemIdentifier })),
      messages: messages.length,
    };
  };
}
