/**
 * The ad-audience membership ledger (docs/architecture.md "Data model"): what the audience sync
 * (functions/ads/sync.ts) last did for one member in one provider's audience, with the identifiers
 * it sent, so a remove goes only where an add went and sends what the provider holds (even after
 * the contact is erased), and a redelivered or stale change is recognised (`at`, the time of the
 * change applied last).
 */
import { TABLE } from './client';
import * as keys from './keys';
import { batchGet, batchPut, queryAll, type TableRef } from './table';

export type AdsMembership = {
  provider: string;
  audience: string;
  kind: 'contact' | 'company';
  memberId: string;
  accountId: string;
  /** The provider's list the member was sent to. */
  listId: string;
  status: 'added' | 'removed';
  /** The identifiers sent (hashed as the provider requires; no clear-text personal data). */
  ids: Record<string, string>;
  consent?: { adUserData: string; adPersonalization: string };
  /** `occurredAt` of the change applied last: an older change for this member is stale. */
  at: string;
  changeId: string;
  updatedAt: string;
};

export type AdsMembershipKey = Pick<AdsMembership, 'kind' | 'memberId' | 'provider' | 'audience'>;

const keyOf = (k: AdsMembershipKey) => keys.adsMembership(k.kind, k.memberId, k.provider, k.audience);

export class AdsMembershipRepository {
  static readonly tablePort = TABLE;

  constructor(
    private readonly table: TableRef,
    private readonly options: { now: () => Date },
  ) {}

  /** The ledger entries of these keys (absent keys are simply missing), strongly consistent. */
  async getMany(wanted: readonly AdsMembershipKey[]): Promise<AdsMembership[]> {
    const items = await batchGet<AdsMembership & { pk: string; sk: string }>(this.table, wanted.map(keyOf), {
      consistent: true,
    });
    return items.map(strip);
  }

  /** Every audience a member is or was in, across providers. */
  async ofMember(kind: 'contact' | 'company', memberId: string): Promise<AdsMembership[]> {
    const items = await queryAll<AdsMembership & { pk: string; sk: string }>(this.table, {
      pk: keys.adsMemberships(kind, memberId),
      consistent: true,
    });
    return items.map(strip);
  }

  /**
   * Records what a provider accepted. Unconditional batch writes: the sync reads the entries first
   * and skips stale changes, and one batch of the queue writes each key once.
   */
  async record(entries: readonly Omit<AdsMembership, 'updatedAt'>[]): Promise<void> {
    if (entries.length === 0) return;
    const updatedAt = this.options.now().toISOString();
    await batchPut(
      this.table,
      entries.map((e) => ({ ...keyOf(e), entity: 'adsMembership', ...e, updatedAt })),
    );
  }
}

function strip(item: AdsMembership & { pk: string; sk: string; entity?: string }): AdsMembership {
  const { pk: _pk, sk: _sk, entity: _entity, ...rest } = item;
  return rest;
}
