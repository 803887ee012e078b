/**
 * Events whose account cannot be resolved are kept, not dropped (issue #4 item 2): one item per
 * event in a day partition `UNRESOLVED#<yyyy-mm-dd>` (sk = event id, written only if absent, TTL
 * 90 days), so an operator can import the missing account and replay them.
 */
import type { Table } from './table';

export interface UnresolvedEvent {
  eventId: string;
  receivedAt: string;
  reason: string;
  origin: string;
  event: unknown;
}

export interface UnresolvedStore {
  keep(e: UnresolvedEvent): Promise<void>;
}

export const UNRESOLVED_TTL_DAYS = 90;

export const unresolvedKey = (receivedAt: string, eventId: string) => ({
  pk: `UNRESOLVED#${receivedAt.slice(0, 10)}`,
  sk: `EVENT#${eventId}`,
});

export class DynamoUnresolvedStore implements UnresolvedStore {
  constructor(private readonly table: Table) {}

  async keep(e: UnresolvedEvent): Promise<void> {
    const ttl = Math.floor(Date.parse(e.receivedAt) / 1000) + UNRESOLVED_TTL_DAYS * 86_400;
    await this.table.putIfAbsent(
      { ...unresolvedKey(e.receivedAt, e.eventId), entity: 'unresolvedEvent', ...e, ttl },
      {
        fetchExisting: false,
      },
    );
  }
}

export class MemoryUnresolvedStore implements UnresolvedStore {
  readonly kept: UnresolvedEvent[] = [];
  async keep(e: UnresolvedEvent): Promise<void> {
    if (!this.kept.some((k) => k.eventId === e.eventId)) this.kept.push(e);
  }
}
