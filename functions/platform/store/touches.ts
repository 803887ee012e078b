/**
 * The touch ledger's items: one per step per contact (`touchId = execution#step#contact`), written
 * with a condition before any side effect, so a retried step never acts twice. The engine's ledger
 * (functions/engine/ledger.ts) owns the states and their transitions; this is their storage.
 */
import * as z from 'zod';
import { Touch, TouchStatus } from '../../kernel/model';
import {
  encode,
  givenFields,
  Repository,
  decode,
  type PageRequest,
  allOf,
  createOnce,
  pageOf,
} from './codec';
import * as keys from './keys';
import { and, ConditionFailedError, isIn, type Condition, type Page, updateItem } from './table';

export type RecordTouchResult =
  { recorded: true; touch: Touch } | { recorded: false; duplicate: true; existing: Touch };

export type TouchStatusPatch = {
  status: z.infer<typeof TouchStatus>;
  attempt?: string;
  reason?: string;
  ref?: string;
  summary?: string;
  at?: string;
};

/** The most touches one campaign read returns (a bound, not a page size). */
const MAX_CAMPAIGN_TOUCHES = 2_000_000;

const touchItem = (t: Touch) => encode(t, keys.touchItem(t), 'touch');

/** What a status change may set (validated as the touch's own fields are). */
const TouchPatch = Touch.pick({
  status: true,
  attempt: true,
  reason: true,
  at: true,
  ref: true,
  summary: true,
}).partial({ attempt: true, reason: true, at: true, ref: true, summary: true });

/** What campaign progress counts of a touch: its step and its ledger status (with the reason). */
export const TouchOutcome = Touch.pick({
  touchId: true,
  accountId: true,
  stepId: true,
  channel: true,
  status: true,
  reason: true,
});
export type TouchOutcome = z.infer<typeof TouchOutcome>;
const OUTCOME_ATTRIBUTES = Object.keys(TouchOutcome.shape);

export class TouchRepository extends Repository {
  /**
   * Writes the touch only if no touch with its id exists. A duplicate is reported with the stored
   * touch, never thrown: a retried step sees what happened.
   */
  async record(touch: z.input<typeof Touch>): Promise<RecordTouchResult> {
    const result = await createOnce(this.table, touchItem(Touch.parse(touch)), Touch);
    return result.created
      ? { recorded: true, touch: result.value }
      : { recorded: false, duplicate: true, existing: result.existing };
  }

  async get(accountId: string, touchId: string): Promise<Touch | undefined> {
    return this.getParsed(keys.touch(accountId, touchId), Touch);
  }

  /**
   * Moves a touch to a new status in one conditional UpdateItem (the version goes up by one). With
   * `from`, only a touch currently in one of those statuses changes (e.g. handing_over -> sent
   * exactly once); with `attempt`, only a touch held by that attempt (the ledger's fence); `updated`
   * says whether it did, `touch` is the touch as stored after the call (read again only when the
   * condition did not hold). One call where a read and a conditional put were two: the ledger moves
   * every touch two or three times.
   */
  async updateStatus(
    accountId: string,
    touchId: string,
    patch: TouchStatusPatch,
    options: { from?: readonly z.infer<typeof TouchStatus>[]; attempt?: string } = {},
  ): Promise<{ updated: boolean; touch?: Touch }> {
    const { set } = givenFields(TouchPatch, patch);
    // The indexes order touches by time: they follow a new one.
    if (typeof set.at === 'string') Object.assign(set, keys.touchTimeKeys(touchId, set.at));
    const conditions: Condition[] = [{ expression: 'attribute_exists(#tpk)', names: { '#tpk': 'pk' } }];
    if (options.from) {
      // A touch stored by an older version as `pending` reads as handing_over (LegacyTouchStatus).
      const legacy = options.from.includes('handing_over') ? ['pending'] : [];
      conditions.push(isIn('status', [...options.from, ...legacy], 'tf'));
    }
    if (options.attempt !== undefined)
      conditions.push({
        expression: '#tat = :tat',
        names: { '#tat': 'attempt' },
        values: { ':tat': options.attempt },
      });
    try {
      const stored = await updateItem(
        this.table,
        keys.touch(accountId, touchId),
        { set, add: { version: 1 } },
        { condition: and(...conditions), returnValues: 'ALL_NEW' },
      );
      return { updated: true, touch: decode(Touch, stored!) };
    } catch (err) {
      if (!(err instanceof ConditionFailedError)) throw err;
      return { updated: false, touch: await this.get(accountId, touchId) };
    }
  }

  /** Every touch of one execution (a prefix query on the account's partition, strongly consistent). */
  async ofExecution(accountId: string, executionName: string): Promise<Touch[]> {
    return allOf(this.table, keys.touchesOfExecution(accountId, executionName), Touch, 100_000, {
      consistent: true,
    });
  }

  /** Touches of an account at or before `beforeIso` (UTC ISO), most recent first, at most `limit`. */
  async listOfAccountBefore(
    accountId: string,
    beforeIso: string | undefined,
    limit: number,
  ): Promise<Touch[]> {
    const found = await pageOf(
      this.table,
      keys.touchesOfAccount(accountId),
      Touch,
      { limit },
      {
        forward: false,
        ...(beforeIso ? { sk: { lt: `${keys.sortableTime(beforeIso)}#\uffff` } } : {}),
      },
    );
    return this.onePerTouch(found.items);
  }

  /** Touches of an account, most recent first, paged. */
  async listOfAccount(accountId: string, page: PageRequest = {}): Promise<Page<Touch>> {
    const found = await pageOf(this.table, keys.touchesOfAccount(accountId), Touch, page, { forward: false });
    return { ...found, items: await this.onePerTouch(found.items) };
  }

  /**
   * One entry per touch. A touch's index keys hold its time, so each status change moves its index
   * entries; dynalite (local mode) writes the new index entry before the item, and a process
   * killed between the two leaves that entry behind beside the one the next write makes. A touch
   * listed twice is read from the table (strongly consistent), where it is once and current.
   */
  private async onePerTouch<T extends TouchOutcome>(touches: T[]): Promise<T[]> {
    const seen = new Set<string>();
    const twice = new Map<string, string>();
    for (const t of touches) {
      if (seen.has(t.touchId)) twice.set(t.touchId, t.accountId);
      seen.add(t.touchId);
    }
    if (twice.size === 0) return touches;
    const current = new Map<string, T | undefined>();
    for (const [touchId, accountId] of twice)
      current.set(touchId, (await this.get(accountId, touchId)) as T | undefined);
    const out: T[] = [];
    const done = new Set<string>();
    for (const t of touches) {
      if (done.has(t.touchId)) continue;
      done.add(t.touchId);
      const item = current.has(t.touchId) ? current.get(t.touchId) : t;
      if (item) out.push(item);
    }
    return out;
  }

  /** Touches of a campaign in time order (oldest first unless `newestFirst`), paged. */
  async listOfCampaign(
    campaignId: string,
    page: PageRequest & { newestFirst?: boolean } = {},
  ): Promise<Page<Touch>> {
    return pageOf(this.table, keys.touchesOfCampaign(campaignId), Touch, page, {
      forward: !page.newestFirst,
    });
  }

  /**
   * The outcome of every touch of a campaign (step, status, reason): the same query as
   * allOfCampaign, projected to what progress counts, so each item read is a fraction of a touch.
   */
  async outcomesOfCampaign(campaignId: string): Promise<TouchOutcome[]> {
    return this.onePerTouch(
      await allOf(this.table, keys.touchesOfCampaign(campaignId), TouchOutcome, MAX_CAMPAIGN_TOUCHES, {
        limit: 1000,
        projection: OUTCOME_ATTRIBUTES,
      }),
    );
  }

  /** Every touch of a campaign, oldest first (paged GSI query, 1,000 per page). */
  async allOfCampaign(campaignId: string): Promise<Touch[]> {
    return this.onePerTouch(
      await allOf(this.table, keys.touchesOfCampaign(campaignId), Touch, MAX_CAMPAIGN_TOUCHES, {
        limit: 1000,
      }),
    );
  }
}
