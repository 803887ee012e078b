/**
 * Local mode's event bus: an in-process `EventPublisher` that routes every published event with
 * the stack's own rule patterns (`RULES` in functions/kernel/events.ts, the objects the CDK rules
 * use verbatim), matched by `matchesPattern`, to local targets (lib/local/queues.ts).
 *
 * - `publish` never waits on a target: it matches, hands the events over and returns, like
 *   PutEvents. Targets run asynchronously.
 * - Rules with no local source (SES engagement: no SES events locally) simply match nothing.
 */
import type { EventPublisher } from '../../functions/platform/bus';
import type { BusEvent } from '../../functions/kernel/events';
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
