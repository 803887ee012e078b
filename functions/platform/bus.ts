/**
 * Publishing to the EventBridge bus behind a small port, so handlers can be tested with a
 * recorder and local mode can route events in process through the stack's own rules.
 */
import type { EventBridgeClient, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { eventBridgeSdk, lazyClient } from './aws-sdk';
import { configuredPort } from './compose';
import type { BusEvent } from '../kernel/events';

export interface EventPublisher {
  publish(events: BusEvent[]): Promise<void>;
}

const MAX_ENTRIES = 10;
const MAX_ATTEMPTS = 4;

export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  async publish(events: BusEvent[]): Promise<void> {
    if (events.length === 0) return;
    const { PutEventsCommand } = eventBridgeSdk();
    for (let i = 0; i < events.length; i += MAX_ENTRIES) {
      let entries: PutEventsRequestEntry[] = events.slice(i, i + MAX_ENTRIES).map((e) => ({
        EventBusName: this.busName,
        Source: e.source,
        DetailType: e.detailType,
        Detail: JSON.stringify(e.detail),
        Time: new Date(e.detail.occurredAt),
      }));
      for (let attempt = 1; entries.length > 0; attempt++) {
        const out = await this.client.send(new PutEventsCommand({ Entries: entries }));
        if (!out.FailedEntryCount) break;
        // Entries come back in request order; retry only those that failed.
        const failed = entries.filter((_, j) => out.Entries?.[j]?.ErrorCode);
        if (attempt >= MAX_ATTEMPTS) {
          const codes = [...new Set(out.Entries?.map((e) => e.ErrorCode).filter(Boolean))].join(', ');
          throw new Error(
            `PutEvents: ${failed.length} entries still failing after ${attempt} attempts (${codes})`,
          );
        }
        entries = failed;
        await this.sleep(2 ** attempt * 25 + Math.random() * 25);
      }
    }
  }
}

/** The bus port: EventBridge, the bus named by `config.busName`. */
export const PUBLISHER = /* @__PURE__ */ configuredPort(
  'publisher',
  'busName',
  (busName) =>
    new EventBridgePublisher(
      lazyClient(() => new (eventBridgeSdk().EventBridgeClient)({})),
      busName,
    ),
);
