/**
 * Ad audiences (an `ads` step, docs/architecture.md "The engine"): the engine computes who to add
 * or remove (SHA-256 of the trimmed, lower-cased email of consenting committee members) and hands
 * the change to a provider; an erasure removes a person from every audience. The default provider
 * publishes `ads.audience.changed` on the bus; real ad-platform adapters implement the same port.
 */
import { busEvent, DETAIL_TYPES } from '../../kernel/events';
import type { EventPublisher } from '../bus';

export interface AudienceChange {
  /** Stable id of this change (a retried step reuses it, so consumers can deduplicate). */
  changeId: string;
  /** The audience an `ads` step names; absent for an erasure (every audience). */
  audienceId?: string;
  accountId: string;
  campaignId?: string;
  stepId?: string;
  /** The person an erasure is for. */
  contactId?: string;
  add: string[];
  remove: string[];
  occurredAt: string;
  reason: string;
}

export interface AudienceProvider {
  apply(change: AudienceChange): Promise<{ ref: string }>;
}

export class EventBridgeAudienceProvider implements AudienceProvider {
  constructor(private readonly publisher: EventPublisher) {}

  async apply(change: AudienceChange): Promise<{ ref: string }> {
    await this.publisher.publish([
      busEvent(DETAIL_TYPES.adsAudienceChanged, {
        eventId: change.changeId,
        occurredAt: change.occurredAt,
        accountId: change.accountId,
        campaignId: change.campaignId,
        stepId: change.stepId,
        contactId: change.contactId,
        audienceId: change.audienceId,
        add: change.add,
        remove: change.remove,
        reason: change.reason,
      }),
    ]);
    return { ref: change.changeId };
  }
}
