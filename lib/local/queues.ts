/**
 * Local mode's SQS queues, in process: the scorer's two hops as the stack deploys them.
 *
 *   bus (RULES.scorerIngest) -> buffer queue (standard) -> the enqueuer (the Lambda code)
 *     -> scorer queue (FIFO, group = account) -> the scorer (the Lambda code)
 *
 * A queue delivers batches to its consumer as an SQS event source does (up to `batchSize` records,
 * every `flushMs` or as soon as a batch is full), one batch in flight at a time (so a FIFO group's
 * messages are consumed in order), and honours partial batch failures: the records a consumer
 * reports failed go back to the front, in their order, and are retried until `maxAttempts`, then
 * dropped and logged (the stack's dead-letter queue). What is emulation here is only the queue;
 * what consumes it is exactly what Lambda runs.
 */
import { randomUUID } from 'node:crypto';
import type { BusEvent } from '../../functions/kernel/events';
import type { FifoMessage, FifoSender } from '../../functions/platform/sqs';
import type { BusTarget, LocalLog } from './bus';
import type { EventPattern } from './event-pattern';

/** An SQS record as Lambda's event source hands it over. */
export interface QueueRecord {
  messageId: string;
  body: string;
  attributes?: { MessageGroupId?: string };
}

export type QueueConsumer = (
  records: QueueRecord[],
) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;

export interface LocalQueueOptions {
  name: string;
  /** Records per batch (Lambda's event source `batchSize`). */
  batchSize: number;
  /** Real milliseconds before a partial batch is delivered. Default 200. */
  flushMs?: number;
  /**
   * Whether the queue delivers on its own (a full batch, `flushMs`). Default true; local mode's
   * simulate clock turns it off and delivers when it settles (lib/local/runtime.ts), so what a
   * batch holds does not depend on the machine's speed.
   */
  autoFlush?: boolean;
  /** Deliveries per record before it is dropped (the DLQ's maxReceiveCount). Default 5. */
  maxAttempts?: number;
  log?: LocalLog;
}

interface Pending {
  record: QueueRecord;
  attempts: number;
}

export class LocalQueue {
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private closed = false;
  private delivering = 0;
  private consumer: QueueConsumer | undefined;
  readonly stats = { batches: 0, records: 0, retried: 0, dropped: 0 };

  constructor(private readonly options: LocalQueueOptions) {}

  /** The consumer (the Lambda handler's logic) this queue is the event source of. */
  consume(consumer: QueueConsumer): void {
    this.consumer = consumer;
  }

  send(records: QueueRecord[]): void {
    if (this.closed) {
      this.options.log?.(`${this.options.name} closed: messages dropped`, { count: records.length });
      return;
    }
    this.queue.push(...records.map((record) => ({ record, attempts: 0 })));
    if (this.options.autoFlush === false) return;
    if (this.queue.length >= this.options.batchSize) void this.flush();
    else this.schedule();
  }

  /** Messages waiting (not counting a batch in flight). */
  get size(): number {
    return this.queue.length;
  }

  /** Whether a message waits or a batch is being consumed. */
  get busy(): boolean {
    return this.queue.length > 0 || this.delivering > 0;
  }

  private schedule(delay = this.options.flushMs ?? 200): void {
    if (this.timer || this.queue.length === 0 || this.options.autoFlush === false) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, delay);
  }

  /** Delivers one batch (after the one in flight); schedules the next if messages remain. */
  flush(): Promise<void> {
    const run = async () => {
      if (this.timer) {
        clearTimeout(this.timer);
        this.timer = undefined;
      }
      if (!this.consumer) return;
      const batch = this.queue.splice(0, this.options.batchSize);
      if (batch.length === 0) return;
      this.stats.batches++;
      this.stats.records += batch.length;
      let failed: Set<string>;
      this.delivering++;
      try {
        const out = await this.consumer(batch.map((p) => p.record));
        failed = new Set(out.batchItemFailures.map((f) => f.itemIdentifier));
      } catch (err) {
        this.options.log?.(`${this.options.name}: batch failed`, { error: String(err) });
        failed = new Set(batch.map((p) => p.record.messageId));
      } finally {
        this.delivering--;
      }
      const retry: Pending[] = [];
      for (const p of batch) {
        if (!failed.has(p.record.messageId)) continue;
        if (p.attempts + 1 >= (this.options.maxAttempts ?? 5)) {
          this.stats.dropped++;
          this.options.log?.(`${this.options.name}: gave up on a message (dead-letter queue)`, {
            messageId: p.record.messageId,
            attempts: p.attempts + 1,
          });
        } else retry.push({ ...p, attempts: p.attempts + 1 });
      }
      // Failed messages go back in front, in their order, so a group's order holds.
      if (retry.length > 0) {
        this.stats.retried += retry.length;
        this.queue.unshift(...retry);
      }
      if (this.queue.length > 0) this.schedule(retry.length > 0 ? 500 : 0);
    };
    const next = (this.flushing ?? Promise.resolve()).then(run, run);
    this.flushing = next;
    return next;
  }

  /** Delivers until nothing waits (bounded by `timeoutMs`); then stops accepting when `close`. */
  async drain(options: { timeoutMs?: number; close?: boolean } = {}): Promise<void> {
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    do {
      await this.flush();
    } while (this.queue.length > 0 && Date.now() < deadline);
    if (options.close) {
      this.closed = true;
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}

/** The bus target of a rule whose target is a queue: each event as EventBridge delivers it to SQS. */
export function queueTarget(rule: string, pattern: EventPattern, queue: LocalQueue): BusTarget {
  return {
    rule,
    pattern,
    deliver: (events: BusEvent[]) =>
      queue.send(
        events.map((e) => ({
          messageId: randomUUID(),
          body: JSON.stringify({
            version: '0',
            id: randomUUID(),
            'detail-type': e.detailType,
            source: e.source,
            account: '000000000000',
            time: e.detail.occurredAt,
            region: 'us-east-1',
            resources: [],
            detail: e.detail,
          }),
        })),
      ),
  };
}

/** A FIFO queue behind the enqueuer's FifoSender port. */
export function fifoSender(queue: LocalQueue): FifoSender {
  return {
    async sendBatch(messages: FifoMessage[]) {
      queue.send(
        messages.map((m) => ({
          messageId: randomUUID(),
          body: m.body,
          attributes: { MessageGroupId: m.groupId },
        })),
      );
      return [];
    },
  };
}
