/**
 * Ad audiences (DESIGN 2.2 `ads`): the engine computes who to add or remove (SHA-256 of the trimmed,
 * lower-cased email of consenting committee members) and hands the change to a provider. The default
 * provider publishes `ads.audience.changed` on the bus; real ad-platform adapters implement the same
 * port later.
 */
import { DETAIL_TYPES, SOURCES } from '../../kernel/events';
import { busEvent } from './events';
import type { EventPublisher } from '../bus';

export interface AudienceChange {
  /** Stable id of this change (a retried step reuses it, so consumers can deduplicate). */
  changeId: string;
  audienceId: string;
  accountId: string;
  campaignId: string;
  stepId?: string;
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
      busEvent(SOURCES.ads, DETAIL_TYPES.adsAudienceChanged, {
        eventId: change.changeId,
        occurredAt: change.occurredAt,
        accountId: change.accountId,
        campaignId: change.campaignId,
        stepId: change.stepId,
        audienceId: change.audienceId,
        add: change.add,
        remove: change.remove,
        reason: change.reason,
      }),
    ]);
    return { ref: change.changeId };
  }
}
