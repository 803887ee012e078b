/**
 * Replay protection of the public webhook route by event id: a provider event is applied once.
 * One item per (provider, event id), `WEBHOOK#<provider>#<eventId>` / `RECEIPT`, with a TTL of
 * `WEBHOOK_RECEIPT_TTL_DAYS` (longer than any provider's redelivery: HubSpot retries for up to 24
 * hours, Lob for days; a replay older than the TTL is refused by the receivers' timestamp window).
 *
 * `claim` takes the event for one request (a lease, as SDR task publications do): it fails when
 * the event was applied (`appliedAt`) or another request holds a live claim. `markApplied` ends
 * it; `release` gives it back when applying failed, so the provider's retry applies it.
 */
import { TABLE } from './client';
import * as keys from './keys';
import { TTL_ATTRIBUTE } from './table-definition';
import { ConditionFailedError, deleteItem, updateItem, type TableRef } from './table';

export const WEBHOOK_RECEIPT_TTL_DAYS = 30;
const CLAIM = 'claimedAt';
const APPLIED = 'appliedAt';

export class WebhookReceiptRepository {
  static readonly tablePort = TABLE;

  constructor(
    private readonly table: TableRef,
    _options?: unknown,
  ) {}

  /** True when this request may apply the event; false when it was applied or is being applied. */
  async claim(provider: string, eventId: string, now: Date, leaseMs: number): Promise<boolean> {
    try {
      await updateItem(
        this.table,
        keys.webhookReceipt(provider, eventId),
        {
          set: {
            entity: 'webhookReceipt',
            provider,
            eventId,
            [CLAIM]: now.getTime(),
            [TTL_ATTRIBUTE]: Math.floor(now.getTime() / 1000) + WEBHOOK_RECEIPT_TTL_DAYS * 86_400,
          },
        },
        {
          condition: {
            expression:
              'attribute_not_exists(#applied) AND (attribute_not_exists(#claim) OR #claim < :stale)',
            names: { '#applied': APPLIED, '#claim': CLAIM },
            values: { ':stale': now.getTime() - leaseMs },
          },
        },
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionFailedError) return false;
      throw err;
    }
  }

  async markApplied(provider: string, eventId: string, now: Date): Promise<void> {
    await updateItem(this.table, keys.webhookReceipt(provider, eventId), {
      set: { [APPLIED]: now.getTime() },
      remove: [CLAIM],
    });
  }

  /** Gives a claimed event back (applying it failed); never forgets an applied one. */
  async release(provider: string, eventId: string): Promise<void> {
    try {
      await deleteItem(this.table, keys.webhookReceipt(provider, eventId), {
        condition: { expression: 'attribute_not_exists(#applied)', names: { '#applied': APPLIED } },
      });
    } catch (err) {
      if (!(err instanceof ConditionFailedError)) throw err;
    }
  }
}
