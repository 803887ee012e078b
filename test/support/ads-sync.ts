/**
 * A tiny in-memory AudienceAdapter for the audience sync's tests (the provider adapters have their
 * own contract tests against the provider doubles): it holds each list's members by the identifiers
 * it was sent, so a remove only works with the identifiers an add sent, and can inject faults.
 * (No vitest import: bench/ may use it too.)
 */
import { hashEmailForAudience } from '../../functions/kernel/hash';
import type { AdsProvider } from '../../functions/kernel/ads-providers';
import {
  ProviderError,
  type AudienceAdapter,
  type AudienceMember,
  type BatchOutcome,
  type IdentifiedMember,
  type ProviderAudience,
} from '../../functions/ads/port';

export interface FakeCall {
  action: 'add' | 'remove';
  listId: string;
  memberIds: string[];
}

export class FakeAudienceAdapter implements AudienceAdapter {
  readonly kinds: readonly ('contact' | 'company')[];
  readonly calls: FakeCall[] = [];
  /** listId -> identifiers key -> memberId: what the provider holds. */
  private readonly lists = new Map<string, Map<string, string>>();
  /** The next calls throw this (each once). */
  readonly throwNext: ProviderError[] = [];
  /** Members refused inside the next batch that carries them (once each). */
  readonly refuse = new Map<string, { reason: string; retryable: boolean }>();

  constructor(
    readonly provider: AdsProvider,
    readonly maxBatch = 1000,
  ) {
    this.kinds = provider === 'linkedin' ? ['contact', 'company'] : ['contact'];
  }

  identify(member: AudienceMember): IdentifiedMember | undefined {
    if (!this.kinds.includes(member.kind)) return undefined;
    if (member.kind === 'company')
      return {
        memberId: member.memberId,
        kind: 'company',
        ids: { companyName: member.name, ...(member.domain ? { domain: member.domain } : {}) },
      };
    return {
      memberId: member.memberId,
      kind: 'contact',
      ids: { sha256Email: hashEmailForAudience(member.email) },
      ...(this.provider === 'google' ? { consent: member.consent } : {}),
    };
  }

  async add(target: ProviderAudience, members: IdentifiedMember[]): Promise<BatchOutcome> {
    return this.apply('add', target, members);
  }

  async remove(target: ProviderAudience, members: IdentifiedMember[]): Promise<BatchOutcome> {
    return this.apply('remove', target, members);
  }

  /** The member ids a list holds now. */
  members(listId: string): string[] {
    return [...(this.lists.get(listId)?.values() ?? [])].sort();
  }

  private async apply(
    action: 'add' | 'remove',
    target: ProviderAudience,
    members: IdentifiedMember[],
  ): Promise<BatchOutcome> {
    if (members.length > this.maxBatch) throw new Error(`batch of ${members.length} > ${this.maxBatch}`);
    this.calls.push({ action, listId: target.listId, memberIds: members.map((m) => m.memberId) });
    const error = this.throwNext.shift();
    if (error) throw error;
    const list = this.lists.get(target.listId) ?? new Map<string, string>();
    this.lists.set(target.listId, list);
    const outcome: BatchOutcome = { done: [], failed: [] };
    for (const m of members) {
      const refused = this.refuse.get(m.memberId);
      if (refused) {
        this.refuse.delete(m.memberId);
        outcome.failed.push({ memberId: m.memberId, ...refused });
        continue;
      }
      const key = JSON.stringify(m.ids);
      if (action === 'add') list.set(key, m.memberId);
      else list.delete(key);
      outcome.done.push(m.memberId);
    }
    return outcome;
  }
}

/** One fake per provider, as an adapter factory the sync feature takes. */
export function fakeAdapters(maxBatch?: number) {
  const fakes = {
    linkedin: new FakeAudienceAdapter('linkedin', maxBatch),
    google: new FakeAudienceAdapter('google', maxBatch),
    meta: new FakeAudienceAdapter('meta', maxBatch),
  };
  const settingsSeen: { provider: string; baseUrl?: string; secret: unknown }[] = [];
  return {
    fakes,
    settingsSeen,
    createAdapter: (settings: { provider: AdsProvider; baseUrl?: string }, secret: unknown) => {
      settingsSeen.push({ provider: settings.provider, baseUrl: settings.baseUrl, secret });
      return fakes[settings.provider];
    },
  };
}

/** The three providers of the example, mapping `tier1-committee` (LinkedIn companies too). */
export const ADS_PROVIDERS_EXAMPLE = [
  {
    provider: 'linkedin',
    secretName: 'abm/linkedin',
    audiences: { 'tier1-committee': { contacts: '123456', companies: '654321' } },
  },
  {
    provider: 'meta',
    secretName: 'abm/meta',
    audiences: { 'tier1-committee': { contacts: '23851234567890' } },
  },
  {
    provider: 'google',
    secretName: 'abm/google',
    audiences: { 'tier1-committee': { contacts: '8675309' } },
    customerId: '1234567890',
  },
] as const;
