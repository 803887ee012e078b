/**
 * Email pacing's storage (docs/architecture.md "Email pacing", functions/kernel/send-rate.ts): one
 * ticket counter per slot of the sending rate, in the partition `SENDRATE`.
 *
 * A ticket is one UpdateItem (`ADD tickets 1`, returning the new count): no read first, no
 * condition that can fail, so every concurrent caller gets a distinct number in one round trip,
 * and DynamoDB serialises the writes to one item. Slots expire a day later (TTL).
 */
import { Repository } from './codec';
import * as keys from './keys';
import { TTL_ATTRIBUTE } from './table-definition';
import { queryAll, updateItem } from './table';

/** Slot items outlive any wait they can cause by far, then expire. */
export const SEND_RATE_SLOT_TTL_SECONDS = 86_400;

export interface SlotCount {
  /** The slot's start (epoch ms). */
  slot: number;
  tickets: number;
}

export class SendRateRepository extends Repository {
  /** The next ticket of the slot starting at `slotStartMs` (1 for the first caller). */
  async ticket(slotStartMs: number): Promise<number> {
    const out = await updateItem(
      this.table,
      keys.sendRateSlot(slotStartMs),
      {
        set: {
          entity: 'sendRateSlot',
          slot: slotStartMs,
          [TTL_ATTRIBUTE]: Math.floor(slotStartMs / 1000) + SEND_RATE_SLOT_TTL_SECONDS,
        },
        add: { tickets: 1 },
      },
      { returnValues: 'UPDATED_NEW' },
    );
    const n = out?.tickets;
    return typeof n === 'number' ? n : 1;
  }

  /** The slots between two instants with their ticket counts (reports and benchmarks). */
  async slots(from: Date, to: Date): Promise<SlotCount[]> {
    const items = await queryAll(
      this.table,
      {
        pk: keys.sendRatePartition,
        sk: {
          between: [keys.sendRateSlot(from.getTime()).sk, keys.sendRateSlot(to.getTime()).sk],
        },
        consistent: true,
      },
      { maxItems: 1_000_000 },
    );
    return items.map((i) => ({ slot: Number(i.slot), tickets: Number(i.tickets) }));
  }
}
