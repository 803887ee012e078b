/**
 * Audience reads for a launch, priced per page rather than per account: a tier is one GSI query
 * (`TIER#<tier>`, about a thousand profiles per 1 MB page), named accounts are BatchGetItem (100
 * keys per call), and the eligibility data (who is enrolled where) is one paged GSI query per
 * active campaign (`CAMPAIGN#<id>` enrollments), never a read per account.
 */
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { Account, Enrollment, type CampaignAudience } from '../kernel/model';
import type { AccountRepository } from '../platform/store/repository';
import { keys, STORAGE_ATTRIBUTES } from '../platform/store/keys';
import type { Item, Table } from '../platform/store/table';

const MAX_AUDIENCE = 1_000_000;

function strip(item: Item): Record<string, unknown> {
  const data: Record<string, unknown> = { ...item };
  for (const a of STORAGE_ATTRIBUTES) delete data[a];
  return data;
}

/** Profiles by id with BatchGetItem, 100 keys per call, retrying UnprocessedKeys (bounded). */
export async function batchGetAccounts(
  table: Table,
  accountIds: readonly string[],
): Promise<Map<string, Account>> {
  const found = new Map<string, Account>();
  const unique = [...new Set(accountIds)];
  for (let i = 0; i < unique.length; i += 100) {
    let requestKeys: Record<string, unknown>[] = unique
      .slice(i, i + 100)
      .map((id) => keys.account(id) as unknown as Record<string, unknown>);
    for (let attempt = 1; requestKeys.length > 0; attempt++) {
      const out = await table.client.send(
        new BatchGetCommand({
          RequestItems: { [table.tableName]: { Keys: requestKeys, ConsistentRead: true } },
        }),
      );
      for (const item of out.Responses?.[table.tableName] ?? []) {
        const parsed = Account.safeParse(strip(item));
        if (parsed.success) found.set(parsed.data.accountId, parsed.data);
      }
      requestKeys = (out.UnprocessedKeys?.[table.tableName]?.Keys ?? []) as Record<string, unknown>[];
      if (requestKeys.length > 0) {
        if (attempt >= 8) throw new Error(`BatchGetItem left ${requestKeys.length} keys unprocessed`);
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(400, 10 * 2 ** attempt)));
      }
    }
  }
  return found;
}

async function accountsOfTier(table: Table, tier: number, cluster?: string): Promise<Account[]> {
  const q = keys.accountsByTier(tier);
  const items = await table.queryAll(
    {
      index: q.index,
      pk: q.pk,
      ...(cluster
        ? {
            filter: {
              expression: '#cluster = :cluster',
              names: { '#cluster': 'cluster' },
              values: { ':cluster': cluster },
            },
          }
        : {}),
    },
    { maxItems: MAX_AUDIENCE },
  );
  return items.flatMap((item) => {
    const parsed = Account.safeParse(strip(item));
    return parsed.success ? [parsed.data] : [];
  });
}

export interface ResolvedAudience {
  /** In a stable order (account id). */
  accounts: Account[];
  /** Named account ids that do not exist. */
  notFound: string[];
}

/** The accounts matching every given criterion (tier AND cluster AND ids). */
export async function resolveAudience(table: Table, audience: CampaignAudience): Promise<ResolvedAudience> {
  let accounts: Account[];
  const notFound: string[] = [];
  if (audience.accountIds) {
    const found = await batchGetAccounts(table, audience.accountIds);
    for (const id of new Set(audience.accountIds)) if (!found.has(id)) notFound.push(id);
    accounts = [...found.values()];
    if (audience.tier !== undefined) accounts = accounts.filter((a) => a.tier === audience.tier);
    if (audience.cluster !== undefined) accounts = accounts.filter((a) => a.cluster === audience.cluster);
  } else if (audience.tier !== undefined) {
    accounts = await accountsOfTier(table, audience.tier, audience.cluster);
  } else {
    accounts = (await Promise.all([1, 2, 3].map((t) => accountsOfTier(table, t, audience.cluster)))).flat();
  }
  accounts.sort((a, b) => (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0));
  return { accounts, notFound };
}

export const ACTIVE_ENROLLMENT = new Set(['running', 'waiting', 'paused']);
export const ACTIVE_CAMPAIGN = new Set(['launching', 'running', 'paused']);

/** Every enrollment of a campaign (paged GSI query, 1,000 per page). */
export async function enrollmentsOfCampaign(
  repo: AccountRepository,
  campaignId: string,
): Promise<Enrollment[]> {
  const out: Enrollment[] = [];
  let cursor: string | undefined;
  do {
    const page = await repo.listEnrollmentsOfCampaign(campaignId, { limit: 1000, cursor });
    out.push(...page.items);
    cursor = page.cursor;
  } while (cursor && out.length < MAX_AUDIENCE);
  return out;
}

/**
 * Active and held-out enrollments in other active campaigns, by account id: the eligibility data of
 * a launch (an account held out of an active campaign must stay untreated: its lift depends on it).
 */
export async function activeEnrollmentsElsewhere(
  repo: AccountRepository,
  campaignId: string,
): Promise<Map<string, Enrollment[]>> {
  const byAccount = new Map<string, Enrollment[]>();
  let cursor: string | undefined;
  do {
    const page = await repo.listCampaigns({ limit: 100, cursor });
    for (const c of page.items) {
      if (c.campaignId === campaignId || !ACTIVE_CAMPAIGN.has(c.status)) continue;
      for (const e of await enrollmentsOfCampaign(repo, c.campaignId)) {
        if (!ACTIVE_ENROLLMENT.has(e.status) && e.status !== 'held_out') continue;
        const list = byAccount.get(e.accountId) ?? [];
        list.push(e);
        byAccount.set(e.accountId, list);
      }
    }
    cursor = page.cursor;
  } while (cursor);
  return byAccount;
}
