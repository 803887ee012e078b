/**
 * Campaigns (a partition each, listed under `CAMPAIGNS`) and their launch lease: one launch of a
 * campaign at a time, a conditional put of a lease item in the campaign's partition, so two
 * concurrent launches can never both write the same enrollment (the second is refused until the
 * first has finished or its lease has expired).
 */
import type * as z from 'zod';
import { Campaign } from '../../kernel/model';
import {
  encode,
  Repository,
  type CreateResult,
  type PageRequest,
  allOf,
  createOnce,
  filteredPageOf,
  pageOf,
} from './codec';
import * as keys from './keys';
import { ConditionFailedError, type Condition, type Page, deleteItem, putItem } from './table';

const campaignItem = (c: Campaign) => encode(c, keys.campaignItem(c), 'campaign');

/** The most campaign items one list request evaluates when a sequence filter drops some. */
const MAX_LIST_READ = 1000;

export class CampaignRepository extends Repository {
  /** Creates the campaign once (POST /campaigns is idempotent on campaignId). */
  async create(campaign: z.input<typeof Campaign>): Promise<CreateResult<Campaign>> {
    return createOnce(this.table, campaignItem(Campaign.parse(campaign)), Campaign);
  }

  async get(campaignId: string): Promise<Campaign | undefined> {
    return this.getParsed(keys.campaign(campaignId), Campaign);
  }

  /**
   * Versioned update of a campaign. Campaign.version is the sequence version, so the concurrency
   * attribute of campaign items is `revision`.
   */
  async update(
    campaignId: string,
    mutate: (campaign: Campaign) => Campaign | undefined,
  ): Promise<Campaign | undefined> {
    return this.updateExisting(keys.campaign(campaignId), Campaign, campaignItem, mutate, 'revision');
  }

  /**
   * A running (or paused) campaign whose enrollments have all ended becomes `completed`; a
   * launching, stopped or completed one is left as it is. True when this call completed it.
   */
  async complete(campaignId: string): Promise<boolean> {
    let completed = false;
    await this.update(campaignId, (c) => {
      // A program's campaign runs as long as the program: its accounts come as triggers fire.
      completed = (c.status === 'running' || c.status === 'paused') && c.programId === undefined;
      return completed ? { ...c, status: 'completed' } : undefined;
    });
    return completed;
  }

  async list(page: PageRequest = {}): Promise<Page<Campaign>> {
    return pageOf(this.table, keys.campaignList(), Campaign, page);
  }

  /**
   * Campaigns newest first (`GET /campaigns`): the `CAMPAIGNS` index, or the status's when one is
   * asked for (docs/architecture.md "Data model"); a sequence is a filter on that query, so one
   * request evaluates at most MAX_LIST_READ campaigns and may answer a short page with a cursor.
   */
  async listNewest(q: {
    status?: Campaign['status'];
    sequenceId?: string;
    limit: number;
    cursor?: string;
  }): Promise<Page<Campaign>> {
    const index = q.status ? keys.campaignsOfStatus(q.status) : keys.campaignList();
    const { items, cursor } = await filteredPageOf(
      this.table,
      {
        index: index.index,
        pk: index.pk,
        forward: false,
        ...(q.sequenceId
          ? {
              filter: {
                expression: '#sequenceId = :sequenceId',
                names: { '#sequenceId': 'sequenceId' },
                values: { ':sequenceId': q.sequenceId },
              },
            }
          : {}),
      },
      Campaign,
      { limit: q.limit, cursor: q.cursor, maxRead: MAX_LIST_READ },
    );
    return { items, cursor };
  }

  /** Every campaign (a small collection: tens to hundreds). */
  async listAll(): Promise<Campaign[]> {
    return allOf(this.table, keys.campaignList(), Campaign, 100_000, { limit: 100 });
  }

  // ----- the launch lease ----------------------------------------------------------

  /** True when this launch now holds the campaign's lease. */
  async acquireLease(campaignId: string, owner: string, now: Date, ttlMs: number): Promise<boolean> {
    return this.putLease(campaignId, owner, now, ttlMs, {
      expression: 'attribute_not_exists(#pk) OR #exp < :now',
      names: { '#pk': 'pk', '#exp': 'expiresAtMs' },
      values: { ':now': now.getTime() },
    });
  }

  /** Moves the expiry of a lease `owner` holds; false when it is no longer theirs. */
  async extendLease(campaignId: string, owner: string, now: Date, ttlMs: number): Promise<boolean> {
    return this.putLease(campaignId, owner, now, ttlMs, {
      expression: '#owner = :owner',
      names: { '#owner': 'owner' },
      values: { ':owner': owner },
    });
  }

  async releaseLease(campaignId: string): Promise<void> {
    await deleteItem(this.table, keys.launchLease(campaignId));
  }

  private async putLease(
    campaignId: string,
    owner: string,
    now: Date,
    ttlMs: number,
    condition: Condition,
  ): Promise<boolean> {
    try {
      await putItem(
        this.table,
        {
          ...keys.launchLease(campaignId),
          entity: 'launch_lease',
          owner,
          acquiredAt: now.toISOString(),
          expiresAtMs: now.getTime() + ttlMs,
        },
        { condition },
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionFailedError) return false;
      throw err;
    }
  }
}
