/**
 * Enrollments: one per account per campaign, in the account's partition, indexed by campaign. The
 * launcher writes them in batches (it alone writes a campaign's new enrollments, under the
 * campaign's launch lease); the engine, the scorer and the operator's controls move them on with
 * versioned updates.
 */
import type * as z from 'zod';
import { ACTIVE_ENROLLMENT, Enrollment, type EnrollmentStatus } from '../../kernel/model';
import {
  decode,
  encode,
  givenFields,
  Repository,
  type CreateResult,
  type PageRequest,
  allOf,
  createOnce,
  pageOf,
} from './codec';
import * as keys from './keys';
import {
  ConditionFailedError,
  type Page,
  type TableRef,
  batchGet,
  batchPut,
  isIn,
  queryAll,
  updateItem,
} from './table';

/** The most enrollments one campaign read returns (a bound, not a page size). */
const MAX_CAMPAIGN_ENROLLMENTS = 1_000_000;

/** An enrollment read for its status alone (campaign progress). */
const EnrollmentStatusItem = Enrollment.pick({ status: true });
const EnrollmentPositionItem = Enrollment.pick({ status: true, stepId: true });

/** What moveActive may change (validated as the enrollment's own fields are). */
const EnrollmentPatch = Enrollment.partial();

const enrollmentItem = (e: Enrollment) =>
  encode(e, keys.enrollmentItem(e, ACTIVE_ENROLLMENT.has(e.status)), 'enrollment');

/**
 * One enrollment at a time: read it, move it on with a versioned update. All the park does with
 * enrollments; a class of its own so that function carries none of the launcher's batch writes
 * and the campaign and account listings.
 */
export class EnrollmentUpdater extends Repository {
  async get(accountId: string, campaignId: string): Promise<Enrollment | undefined> {
    return this.getParsed(keys.enrollment(accountId, campaignId), Enrollment);
  }

  async update(
    accountId: string,
    campaignId: string,
    mutate: (enrollment: Enrollment) => Enrollment | undefined,
  ): Promise<Enrollment | undefined> {
    return this.updateExisting(keys.enrollment(accountId, campaignId), Enrollment, enrollmentItem, mutate);
  }
}

/** Every enrollment operation: the updates above, creation, listings and the launcher's batches. */
export class EnrollmentRepository extends EnrollmentUpdater {
  /** Enrolls once per account and campaign: an existing enrollment is returned, not replaced. */
  async create(enrollment: z.input<typeof Enrollment>): Promise<CreateResult<Enrollment>> {
    return createOnce(
      this.table,
      enrollmentItem(Enrollment.parse({ ...enrollment, version: 1 })),
      Enrollment,
    );
  }

  /** Enrollments of a campaign, ordered by account id, paged. */
  async listOfCampaign(campaignId: string, page: PageRequest = {}): Promise<Page<Enrollment>> {
    return pageOf(this.table, keys.enrollmentsOfCampaign(campaignId), Enrollment, page);
  }

  /** Every enrollment of a campaign (paged GSI query, 1,000 per page). */
  async allOfCampaign(campaignId: string): Promise<Enrollment[]> {
    return allOf(this.table, keys.enrollmentsOfCampaign(campaignId), Enrollment, MAX_CAMPAIGN_ENROLLMENTS, {
      limit: 1000,
    });
  }

  /** The status of every enrollment of a campaign: the same query as allOfCampaign, projected to the status. */
  async statusesOfCampaign(campaignId: string): Promise<EnrollmentStatus[]> {
    const items = await allOf(
      this.table,
      keys.enrollmentsOfCampaign(campaignId),
      EnrollmentStatusItem,
      MAX_CAMPAIGN_ENROLLMENTS,
      { limit: 1000, projection: ['status'] },
    );
    return items.map((i) => i.status);
  }

  /** Each enrollment's status and the step its execution is at (projected: nothing else is read). */
  async positionsOfCampaign(campaignId: string): Promise<{ status: EnrollmentStatus; stepId?: string }[]> {
    return allOf(
      this.table,
      keys.enrollmentsOfCampaign(campaignId),
      EnrollmentPositionItem,
      MAX_CAMPAIGN_ENROLLMENTS,
      { limit: 1000, projection: ['status', 'stepId'] },
    );
  }

  /**
   * How many enrollments of the campaign are active (running, waiting, paused), counted on the
   * sparse index of active enrollments, projected to the account id, reading at most `max` entries:
   * `capped` says there may be more. Eventually consistent, like the index.
   */
  async countActive(campaignId: string, max: number): Promise<{ active: number; capped: boolean }> {
    const q = keys.activeEnrollmentsOfCampaign(campaignId);
    const items = await queryAll(
      this.table,
      { index: q.index, pk: q.pk, projection: ['accountId'], limit: Math.min(max, 1000) },
      { maxItems: max },
    );
    return { active: Math.min(items.length, max), capped: items.length >= max };
  }

  /**
   * Whether the campaign has an active enrollment other than `exceptAccountId` (one query on the
   * sparse index of active enrollments, at most two items read). The index is eventually
   * consistent: an enrollment that ended a moment ago may still be listed.
   */
  async anyActive(campaignId: string, exceptAccountId?: string): Promise<boolean> {
    const page = await pageOf(this.table, keys.activeEnrollmentsOfCampaign(campaignId), Enrollment, {
      limit: 2,
    });
    return page.items.some((e) => e.accountId !== exceptAccountId && ACTIVE_ENROLLMENT.has(e.status));
  }

  /** The account's enrollments, strongly consistent. */
  async listOfAccount(accountId: string): Promise<Enrollment[]> {
    return allOf(this.table, keys.enrollmentsOfAccount(accountId), Enrollment, 1000, { consistent: true });
  }

  /**
   * The enrollments of `campaignId` that exist for these accounts (BatchGetItem, strongly
   * consistent), by account. An item that does not parse still exists: it is returned as read, so
   * the launcher never overwrites it.
   */
  async existing(campaignId: string, accountIds: readonly string[]): Promise<Map<string, Enrollment>> {
    const items = await batchGet(
      this.table,
      [...new Set(accountIds)].map((id) => keys.enrollment(id, campaignId)),
      { consistent: true },
    );
    const found = new Map<string, Enrollment>();
    for (const item of items) {
      if (typeof item.accountId !== 'string') continue;
      try {
        found.set(item.accountId, decode(Enrollment, item));
      } catch {
        found.set(item.accountId, item as unknown as Enrollment);
      }
    }
    return found;
  }

  /**
   * Writes new enrollments, 25 per BatchWriteItem (no conditions: only the holder of the campaign's
   * launch lease calls this, for accounts `existing` just reported absent). Returns the calls made.
   */
  async writeNew(enrollments: readonly Enrollment[]): Promise<number> {
    if (enrollments.length === 0) return 0;
    return (
      await batchPut(
        this.table,
        enrollments.map((e) => enrollmentItem(Enrollment.parse(e))),
      )
    ).calls;
  }
}

/**
 * Changes fields of an ACTIVE enrollment (running, waiting, paused) in one conditional UpdateItem:
 * what `patch` gives is set, what it gives as undefined is removed, the version goes up by one; an
 * enrollment that is not active (or absent) is left as it is (false). The status may change only to
 * another active one, and the enrollment keeps (or, stored before the index existed, gains) its
 * entry in the sparse index of active enrollments. One call where `update` reads and writes: the
 * engine moves the cursor at every step. A function, not a method: only ExecuteStep's bundle
 * carries it.
 */
export async function moveActiveEnrollment(
  table: TableRef,
  now: Date,
  accountId: string,
  campaignId: string,
  patch: Partial<Enrollment>,
): Promise<boolean> {
  if (patch.status !== undefined && !ACTIVE_ENROLLMENT.has(patch.status))
    throw new Error(`moveActive: status ${patch.status}`);
  const { set, remove } = givenFields(EnrollmentPatch, patch);
  // The index keys too (not the item's own: a key attribute cannot be updated).
  const { pk: _pk, sk: _sk, ...indexKeys } = keys.enrollmentItem({ accountId, campaignId }, true);
  try {
    await updateItem(
      table,
      keys.enrollment(accountId, campaignId),
      { set: { ...set, ...indexKeys, updatedAt: now.toISOString() }, remove, add: { version: 1 } },
      { condition: isIn('status', [...ACTIVE_ENROLLMENT], 'es') },
    );
    return true;
  } catch (err) {
    if (err instanceof ConditionFailedError) return false;
    throw err;
  }
}
