/**
 * Direct mail (a `direct_mail` step): the engine decides who gets a piece within budget and
 * hands each order to a provider (`config.providers.directMail`). The default provider publishes
 * `direct_mail.requested` for a fulfilment team or integration to route; Lob and PostGrid print and
 * mail the piece (functions/platform/providers/mail/).
 */
import { busEvent, DETAIL_TYPES } from '../../kernel/events';
import type { PostalAddress } from '../../kernel/model';
import type { EventPublisher } from '../bus';

export interface DirectMailOrder {
  /** Stable id (the touch id): a retried step reuses it. */
  orderId: string;
  accountId: string;
  campaignId: string;
  stepId: string;
  contactId: string;
  recipientName: string;
  address: PostalAddress;
  piece: string;
  costCents: number;
  occurredAt: string;
  /**
   * The order was handed to the provider before without a certain answer (a retry after a
   * timeout, or after a crash): the provider may already hold its piece.
   */
  resend?: boolean;
}

/** What a cancellation did: the piece will not be mailed, it is past its window, or no such piece. */
export type CancelOutcome = 'cancelled' | 'too_late' | 'unknown';

export interface DirectMailProvider {
  readonly name: string;
  /**
   * True when the provider makes one piece per order id however often the order is sent (Lob's
   * `Idempotency-Key`; PostGrid's key and lookup): the engine may then send an order again after an
   * open outcome instead of leaving it uncertain.
   */
  readonly idempotent: boolean;
  request(order: DirectMailOrder): Promise<{ ref: string }>;
  /** Cancels a piece (by the ref `request` returned) while the provider still can; absent: cannot. */
  cancel?(ref: string): Promise<CancelOutcome>;
}

export class EventBridgeDirectMailProvider implements DirectMailProvider {
  readonly name = 'eventbridge';
  readonly idempotent = false;
  constructor(private readonly publisher: EventPublisher) {}

  async request(order: DirectMailOrder): Promise<{ ref: string }> {
    await this.publisher.publish([
      busEvent(DETAIL_TYPES.directMailRequested, {
        eventId: order.orderId,
        occurredAt: order.occurredAt,
        accountId: order.accountId,
        campaignId: order.campaignId,
        stepId: order.stepId,
        contactId: order.contactId,
        recipientName: order.recipientName,
        address: order.address,
        piece: order.piece,
        costCents: order.costCents,
      }),
    ]);
    return { ref: order.orderId };
  }
}
