/**
 * The launch's writes, priced per page rather than per account (issue: awsCallsPerAccount <= 2
 * counted over every call of a launch):
 * - `existingEnrollments`: BatchGetItem of a batch's enrollment keys (100 per call), so that only
 *   accounts with no enrollment are written and a retried batch never rewrites one that its
 *   execution has already moved on (BatchWriteItem has no conditions);
 * - `writeEnrollments`: BatchWriteItem, 25 per call (held-out records included);
 * - `LaunchLease`: one launch of a campaign at a time (a conditional put of a lease item in the
 *   campaign's partition), so two concurrent launches can never both write the same enrollment:
 *   the second is refused until the first has finished (or its lease has expired).
 */
import { BatchGetCommand, DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from './keys';
import { ConditionFailedError, type Item, type Table } from './table';
import { Enrollment } from '../../kernel/model';

const BATCH_GET_MAX_ATTEMPTS = 8;

function strip(item: Item): Item {
  const {
    pk: _p,
    sk: _s,
    gsi1pk: _a,
    gsi1sk: _b,
    gsi2pk: _c,
    gsi2sk: _d,
    ttl: _t,
    entity: _e,
    ...rest
  } = item;
  return rest;
}

/** The enrollments of `campaignId` that exist for these accounts (strongly consistent), by account. */
export async function existingEnrollments(
  table: Table,
  campaignId: string,
  accountIds: readonly string[],
): Promise<Map<string, Enrollment>> {
  const found = new Map<string, Enrollment>();
  const unique = [...new Set(accountIds)];
  for (let i = 0; i < unique.length; i += 100) {
    let requestKeys: Record<string, unknown>[] = unique
      .slice(i, i + 100)
      .map((id) => keys.enrollment(id, campaignId) as unknown as Record<string, unknown>);
    for (let attempt = 1; requestKeys.length > 0; attempt++) {
      const out = await table.client.send(
        new BatchGetCommand({
          RequestItems: { [table.tableName]: { Keys: requestKeys, ConsistentRead: true } },
        }),
      );
      for (const item of out.Responses?.[table.tableName] ?? []) {
        const parsed = Enrollment.safeParse(strip(item));
        if (parsed.success) found.set(parsed.data.accountId, parsed.data);
        // An enrollment item that does not parse still exists: never overwrite it.
        else if (typeof item.accountId === 'string') found.set(item.accountId, item as unknown as Enrollment);
      }
      requestKeys = (out.UnprocessedKeys?.[table.tableName]?.Keys ?? []) as Record<string, unknown>[];
      if (requestKeys.length > 0) {
        if (attempt >= BATCH_GET_MAX_ATTEMPTS)
          throw new Error(`BatchGetItem left ${requestKeys.length} enrollment keys unprocessed`);
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(400, 10 * 2 ** attempt)));
      }
    }
  }
  return found;
}

/** Writes new enrollments, 25 per BatchWriteItem (the item shape the repository writes). */
export async function writeEnrollments(table: Table, enrollments: readonly Enrollment[]): Promise<number> {
  if (enrollments.length === 0) return 0;
  const items = enrollments.map((e) => {
    const data = Object.fromEntries(Object.entries(Enrollment.parse(e)).filter(([, v]) => v !== undefined));
    return { ...data, ...keys.enrollmentItem(e), entity: 'enrollment' };
  });
  return (await table.batchPut(items)).calls;
}

const LEASE_SK = 'LAUNCH_LEASE';

export interface LaunchLease {
  /** True when this launch now holds the campaign's lease. */
  acquire(campaignId: string, owner: string, now: Date, ttlMs: number): Promise<boolean>;
  /** Moves the expiry of a lease `owner` holds; false when it is no longer theirs. */
  extend(campaignId: string, owner: string, now: Date, ttlMs: number): Promise<boolean>;
  release(campaignId: string): Promise<void>;
}

export function dynamoLaunchLease(table: Table): LaunchLease {
  const key = (campaignId: string) => ({ pk: keys.campaign(campaignId).pk, sk: LEASE_SK });
  return {
    async acquire(campaignId, owner, now, ttlMs) {
      try {
        await table.put(
          {
            ...key(campaignId),
            entity: 'launch_lease',
            owner,
            acquiredAt: now.toISOString(),
            expiresAtMs: now.getTime() + ttlMs,
          },
          {
            condition: {
              expression: 'attribute_not_exists(#pk) OR #exp < :now',
              names: { '#pk': 'pk', '#exp': 'expiresAtMs' },
              values: { ':now': now.getTime() },
            },
          },
        );
        return true;
      } catch (err) {
        if (err instanceof ConditionFailedError) return false;
        throw err;
      }
    },
    async extend(campaignId, owner, now, ttlMs) {
      try {
        await table.put(
          {
            ...key(campaignId),
            entity: 'launch_lease',
            owner,
            acquiredAt: now.toISOString(),
            expiresAtMs: now.getTime() + ttlMs,
          },
          {
            condition: {
              expression: '#owner = :owner',
              names: { '#owner': 'owner' },
              values: { ':owner': owner },
            },
          },
        );
        return true;
      } catch (err) {
        if (err instanceof ConditionFailedError) return false;
        throw err;
      }
    },
    async release(campaignId) {
      await table.client.send(new DeleteCommand({ TableName: table.tableName, Key: key(campaignId) }));
    },
  };
}
