/**
 * Local mode's event bus (DESIGN 2.5, 2.7): an in-process `EventPublisher` that routes every
 * published event with the stack's own rule patterns (`RULES` in functions/kernel/events.ts,
 * the objects the CDK rules use verbatim), matched by `matchesPattern`, to local targets.
 *
 * - `publish` never waits on a target: it matches, hands the events over and returns, like
 *   PutEvents. Targets run asynchronously.
 * - The scorer target is `ScorerQueue`: the FIFO-per-account SQS queue of the stack played in
 *   process. One batch is in flight at a time (so an account's events are scored in order), a batch
 *   is flushed every `flushMs` or when `maxBatch` events wait, records are built with
 *   `scorerRecordsFromBusEvents` (one envelope per account, what the enqueuer sends on AWS), and the
 *   accounts the scorer reports as failed are retried with a bound, then logged and dropped (the
 *   stack's DLQ).
 * - Rules with no local source (SES engagement: no SES events locally) simply match nothing.
 */
import type { EventPublisher } from '../../functions/platform/bus';
import type { BusEvent } from '../../functions/kernel/events';
import { scorerRecordsFromBusEvents } from '../../functions/scoring/enqueuer';
import type { SqsRecordLike } from '../../functions/scoring/scorer';
import { matchesPattern, type EventPattern } from './event-pattern';

export type LocalLog = (message: string, data?: Record<string, unknown>) => void;

export interface BusTarget {
  /** The rule's name (for logs and stats). */
  rule: string;
  pattern: EventPattern;
  /** Receives the matching events of one publish call; must not throw synchronously for long work. */
  deliver(events: BusEvent[]): void;
}

export interface BusStats {
  published: number;
  delivered: Record<string, number>;
  unrouted: number;
}

export class LocalBus implements EventPublisher {
  readonly stats: BusStats = { published: 0, delivered: {}, unrouted: 0 };
  /** The last events published (newest last), for debugging and tests. */
  readonly recent: BusEvent[] = [];

  constructor(
    private readonly targets: readonly BusTarget[],
    private readonly options: { keepRecent?: number; log?: LocalLog } = {},
  ) {}

  async publish(events: BusEvent[]): Promise<void> {
    const keep = this.options.keepRecent ?? 500;
    const routed = new Map<BusTarget, BusEvent[]>();
    for (const event of events) {
      this.stats.published++;
      this.recent.push(event);
      if (this.recent.length > keep) this.recent.splice(0, this.recent.length - keep);
      // The envelope as EventBridge matches it.
      const envelope = { source: event.source, 'detail-type': event.detailType, detail: event.detail };
      let matched = false;
      for (const target of this.targets) {
        if (!matchesPattern(target.pattern, envelope)) continue;
        matched = true;
        routed.set(target, [...(routed.get(target) ?? []), event]);
      }
      if (!matched) this.stats.unrouted++;
    }
    for (const [target, list] of routed) {
      this.stats.delivered[target.rule] = (this.stats.delivered[target.rule] ?? 0) + list.length;
      try {
        target.deliver(list);
      } catch (err) {
        this.options.log?.('bus target refused events', { rule: target.rule, error: String(err) });
      }
    }
  }
}

export interface ScorerLike {
  handleBatch(
    records: readonly SqsRecordLike[],
  ): Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;
}

export interface ScorerQueueOptions {
  /** Real milliseconds between flushes. Default 200. */
  flushMs?: number;
  /** Events that trigger a flush at once. Default 100. */
  maxBatch?: number;
  /** Attempts per account's events before they are dropped (and logged). Default 5. */
  maxAttempts?: number;
  log?: LocalLog;
}

interface Pending {
  event: BusEvent;
  attempts: number;
}

/** The scorer's FIFO queue, in process. */
export class ScorerQueue {
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private closed = false;
  readonly stats = { batches: 0, events: 0, retried: 0, dropped: 0 };

  constructor(
    private readonly scorer: ScorerLike,
    private readonly options: ScorerQueueOptions = {},
  ) {}

  /** The bus target for `RULES.scorerIngest`. */
  target(rule: string, pattern: EventPattern): BusTarget {
    return { rule, pattern, deliver: (events) => this.enqueue(events) };
  }

  enqueue(events: BusEvent[]): void {
    if (this.closed) {
      this.options.log?.('scorer queue closed: events dropped', { count: events.length });
      return;
    }
    this.queue.push(...events.map((event) => ({ event, attempts: 0 })));
    if (this.queue.length >= (this.options.maxBatch ?? 100)) void this.flush();
    else this.schedule();
  }

  /** Events waiting (not counting a batch in flight). */
  get size(): number {
    return this.queue.length;
  }

  private schedule(delay = this.options.flushMs ?? 200): void {
    if (this.timer || this.queue.length === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, delay);
  }

  /** Runs one batch (after the one in flight); schedules the next if events remain. */
  flush(): Promise<void> {
    const run = async () => {
      if (this.timer) {
        clearTimeout(this.timer);
        this.timer = undefined;
      }
      const batch = this.queue.splice(0, this.options.maxBatch ?? 100);
      if (batch.length === 0) return;
      this.stats.batches++;
      this.stats.events += batch.length;
      const records = scorerRecordsFromBusEvents(batch.map((p) => p.event));
      const failedAccounts = new Set<string>();
      try {
        const out = await this.scorer.handleBatch(records);
        const byId = new Map(records.map((r) => [r.messageId, r.attributes?.MessageGroupId ?? '']));
        for (const f of out.batchItemFailures) failedAccounts.add(byId.get(f.itemIdentifier) ?? '');
      } catch (err) {
        this.options.log?.('scorer batch failed', { error: String(err) });
        for (const r of records) failedAccounts.add(r.attributes?.MessageGroupId ?? '');
      }
      const retry: Pending[] = [];
      for (const p of batch) {
        if (!failedAccounts.has(p.event.detail.accountId)) continue;
        if (p.attempts + 1 >= (this.options.maxAttempts ?? 5)) {
          this.stats.dropped++;
          this.options.log?.('scorer gave up on an event', {
            accountId: p.event.detail.accountId,
            eventId: p.event.detail.eventId,
            attempts: p.attempts + 1,
          });
        } else retry.push({ ...p, attempts: p.attempts + 1 });
      }
      // Failed events go back in front, in their order, so the account's order holds.
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

  /** Flushes until nothing waits (bounded by `timeoutMs`); then stops accepting when `close`. */
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
