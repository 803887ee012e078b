/**
 * Email pacing's storage (docs/architecture.md "Email pacing", functions/kernel/send-rate.ts): the
 * next free slot of the sending rate, one item `SENDRATE` / `NEXT` per table (per stage).
 *
 * A reservation is one conditional UpdateItem, no read first: while the line is busy (`next` at or
 * after now) `ADD next slotMs` hands the caller the slot before the new value; when it is idle
 * (`next` in the past, or no item) `SET next = now + slotMs` hands it now. DynamoDB serialises the
 * writes to one item, so concurrent callers get distinct, consecutive slots; one that loses the
 * idle/busy race tries the other branch (bounded). The item also counts the reservations.
 */
import { Repository } from './codec';
import * as keys from './keys';
import { ConditionFailedError, getItem, updateItem } from './table';

/** Races between the busy and the idle branch a reservation tries before giving up. */
const MAX_RESERVE_ATTEMPTS = 10;

export interface SendRateLine {
  /** The next free slot (epoch ms). */
  next: number;
  /** Slots reserved so far. */
  reservations: number;
}

export class SendRateRepository extends Repository {
  /** Reserves the first free slot at or after `now` (slots `slotMs` apart); returns its start. */
  async reserve(now: Date, slotMs: number): Promise<Date> {
    const key = keys.sendRateLine();
    const at = now.getTime();
    const names = { '#next': 'next' };
    for (let attempt = 0; attempt < MAX_RESERVE_ATTEMPTS; attempt++) {
      try {
        const out = await updateItem(
          this.table,
          key,
          { add: { next: slotMs, reservations: 1 } },
          {
            condition: { expression: '#next >= :now', names, values: { ':now': at } },
            returnValues: 'UPDATED_NEW',
          },
        );
        return new Date(Number(out?.next) - slotMs);
      } catch (err) {
        if (!(err instanceof ConditionFailedError)) throw err;
      }
      try {
        await updateItem(
          this.table,
          key,
          { set: { entity: 'sendRateLine', next: at + slotMs }, add: { reservations: 1 } },
          {
            condition: {
              expression: 'attribute_not_exists(#next) OR #next < :now',
              names,
              values: { ':now': at },
            },
          },
        );
        return now;
      } catch (err) {
        if (!(err instanceof ConditionFailedError)) throw err;
      }
    }
    throw new Error(`send rate: no slot reserved after ${MAX_RESERVE_ATTEMPTS} attempts`);
  }

  /** The line as stored (reports and benchmarks); undefined before the first reservation. */
  async line(): Promise<SendRateLine | undefined> {
    const item = await getItem(this.table, keys.sendRateLine(), { consistent: true });
    return item ? { next: Number(item.next), reservations: Number(item.reservations ?? 0) } : undefined;
  }
}
