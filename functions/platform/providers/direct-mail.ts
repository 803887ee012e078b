/**
 * Direct mail (a `direct_mail` step): the engine decides who gets a piece within budget and
 * hands each order to a provider. The default provider publishes `direct_mail.requested` for a
 * fulfilment team or integration to route; real print-and-mail adapters implement the same port.
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
}

export interface DirectMailProvider {
  request(order: DirectMailOrder): Promise<{ ref: string }>;
}

export class EventBridgeDirectMailProvider implements DirectMailProvider {
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
