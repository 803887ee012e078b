/**
 * Ad audiences (an `ads` step, docs/architecture.md "The engine"): the engine computes who to add
 * or remove (SHA-256 of the trimmed, lower-cased email of consenting committee members) and hands
 * the change to a provider; an erasure removes a person from every audience. The default provider
 * publishes `ads.audience.changed` on the bus; real ad-platform adapters implement the same port.
 */
import type { AdsTarget } from '../../kernel/ads-providers';
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
  /** SHA-256 of the normalised emails (what a team's own sync matches on). */
  add: string[];
  remove: string[];
  /** What the step targets: contacts, the account as a company, or both (default contacts). */
  target?: AdsTarget;
  /** The contacts behind `add` / `remove`, by id: what the audience sync reads (or forgets) them by. */
  addContactIds?: string[];
  removeContactIds?: string[];
  /** The account as a company joins or leaves the audience's company lists. */
  company?: 'add' | 'remove';
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
        target: change.target,
        addContactIds: change.addContactIds ?? [],
        removeContactIds: change.removeContactIds ?? [],
        company: change.company,
        reason: change.reason,
      }),
    ]);
    return { ref: change.changeId };
  }
}
