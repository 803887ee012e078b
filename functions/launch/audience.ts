/**
 * Audience reads for a launch, priced per page rather than per account: a tier is one GSI query
 * (`TIER#<tier>`, about a thousand profiles per 1 MB page), named accounts are BatchGetItem (100
 * keys per call), and the eligibility data (who is enrolled where) is one paged GSI query per
 * active campaign (`CAMPAIGN#<id>` enrollments), never a read per account.
 */
import { ACTIVE_ENROLLMENT, type Account, type CampaignAudience, type Enrollment } from '../kernel/model';
import type { AccountRepository } from '../platform/store/accounts';
import type { CampaignRepository } from '../platform/store/campaigns';
import type { EnrollmentRepository } from '../platform/store/enrollments';

export interface ResolvedAudience {
  /** In a stable order (account id). */
  accounts: Account[];
  /** Named account ids that do not exist. */
  notFound: string[];
}

/** The accounts matching every given criterion (tier AND cluster AND ids). */
export async function resolveAudience(
  accounts: Pick<AccountRepository, 'getMany' | 'allOfTier'>,
  audience: CampaignAudience,
): Promise<ResolvedAudience> {
  let found: Account[];
  const notFound: string[] = [];
  if (audience.accountIds) {
    const byId = await accounts.getMany(audience.accountIds);
    for (const id of new Set(audience.accountIds)) if (!byId.has(id)) notFound.push(id);
    found = [...byId.values()];
    if (audience.tier !== undefined) found = found.filter((a) => a.tier === audience.tier);
    if (audience.cluster !== undefined) found = found.filter((a) => a.cluster === audience.cluster);
  } else if (audience.tier !== undefined) {
    found = await accounts.allOfTier(audience.tier, audience.cluster);
  } else {
    found = (await Promise.all([1, 2, 3].map((t) => accounts.allOfTier(t, audience.cluster)))).flat();
  }
  found.sort((a, b) => (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0));
  return { accounts: found, notFound };
}

export const ACTIVE_CAMPAIGN = new Set(['launching', 'running', 'paused']);

/**
 * Active and held-out enrollments in other active campaigns, by account id: the eligibility data of
 * a launch (an account held out of an active campaign must stay untreated: its lift depends on it).
 */
export async function activeEnrollmentsElsewhere(
  campaigns: Pick<CampaignRepository, 'listAll'>,
  enrollments: Pick<EnrollmentRepository, 'allOfCampaign'>,
  campaignId: string,
): Promise<Map<string, Enrollment[]>> {
  const byAccount = new Map<string, Enrollment[]>();
  for (const c of await campaigns.listAll()) {
    if (c.campaignId === campaignId || !ACTIVE_CAMPAIGN.has(c.status)) continue;
    for (const e of await enrollments.allOfCampaign(c.campaignId)) {
      if (!ACTIVE_ENROLLMENT.has(e.status) && e.status !== 'held_out') continue;
      const list = byAccount.get(e.accountId) ?? [];
      list.push(e);
      byAccount.set(e.accountId, list);
    }
  }
  return byAccount;
}
