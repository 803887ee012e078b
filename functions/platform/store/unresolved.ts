/**
 * Events whose account cannot be resolved are kept, not dropped: one item per event in a day
 * partition `UNRESOLVED#<yyyy-mm-dd>` (sk = event id, written only if absent, TTL 90 days), so an
 * operator can import the missing account and replay them.
 */
import { TABLE } from './client';
import * as keys from './keys';
import { TTL_ATTRIBUTE } from './table-definition';
import { putIfAbsent, type TableRef } from './table';

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

export class UnresolvedEventRepository implements UnresolvedStore {
  static readonly tablePort = TABLE;

  constructor(
    private readonly table: TableRef,
    _options?: unknown,
  ) {}

  async keep(e: UnresolvedEvent): Promise<void> {
    const ttl = Math.floor(Date.parse(e.receivedAt) / 1000) + UNRESOLVED_TTL_DAYS * 86_400;
    await putIfAbsent(
      this.table,
      {
        ...keys.unresolvedEvent(e.receivedAt, e.eventId),
        entity: 'unresolvedEvent',
        ...e,
        [TTL_ATTRIBUTE]: ttl,
      },
      { fetchExisting: false },
    );
  }
}

/** Keeps them in memory: for tests. */
export class MemoryUnresolvedStore implements UnresolvedStore {
  readonly kept: UnresolvedEvent[] = [];
  async keep(e: UnresolvedEvent): Promise<void> {
    if (!this.kept.some((k) => k.eventId === e.eventId)) this.kept.push(e);
  }
}
