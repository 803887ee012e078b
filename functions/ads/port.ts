/**
 * The ad-platform adapter port: what the audience sync service (functions/ads/sync.ts) asks of each
 * provider adapter (functions/ads/adapters/<provider>.ts). An adapter turns the members of a change
 * into the provider's own identifiers (normalised and hashed by that provider's rules), and adds or
 * removes batches of them, each batch at most `maxBatch` members. The identifiers an add sent are
 * recorded in the membership ledger, so a later remove (even after the contact is erased) sends the
 * very identifiers the provider holds.
 */

export type AdsProviderName = 'linkedin' | 'google' | 'meta';

/** Consent as Google's EEA consent fields express it (from the contact's ads consent). */
export type ConsentStatus = 'granted' | 'denied' | 'unspecified';

/** A person of the buying committee, as the sync service reads it from the store. */
export interface ContactMember {
  kind: 'contact';
  /** The contact id: the member's key in the membership ledger. */
  memberId: string;
  accountId: string;
  email: string;
  firstName?: string;
  lastName?: string;
  /** ISO 3166-1 alpha-2, when known. */
  countryCode?: string;
  consent: { adUserData: ConsentStatus; adPersonalization: ConsentStatus };
}

/** The account as a company (account-level targeting: LinkedIn company lists). */
export interface CompanyMember {
  kind: 'company';
  /** The account id: the member's key in the membership ledger. */
  memberId: string;
  name: string;
  /** The company's web domain (e.g. northwind.example), when known. */
  domain?: string;
}

export type AudienceMember = ContactMember | CompanyMember;

/**
 * The provider-side identifiers of one member, as sent to the provider (JSON-serialisable; no
 * clear-text personal data: emails and names are hashed as the provider requires; a company's
 * name and domain are not personal data and go as they are).
 */
export interface IdentifiedMember {
  memberId: string;
  kind: 'contact' | 'company';
  ids: Record<string, string>;
  /** Consent travels with a contact to providers that take it (Google); absent for companies. */
  consent?: ContactMember['consent'];
}

/** The provider's list that one of this product's audience names maps to, for one member kind. */
export interface ProviderAudience {
  /** The product's audience name (the `audience` of an `ads` step). */
  audience: string;
  kind: 'contact' | 'company';
  /** The provider's list id (LinkedIn DMP segment id, Meta custom audience id, Google user list id). */
  listId: string;
}

export interface BatchOutcome {
  /** Members the provider accepted (or already held, for an idempotent add). */
  done: string[];
  /** Members the provider refused inside an otherwise accepted batch. */
  failed: { memberId: string; reason: string; retryable: boolean }[];
}

export interface AudienceAdapter {
  readonly provider: AdsProviderName;
  /** The provider's largest batch (members per request) for `add`/`remove`. */
  readonly maxBatch: number;
  /** The member kinds this provider can target (only LinkedIn takes companies). */
  readonly kinds: readonly ('contact' | 'company')[];
  /** The identifiers to send for a member; undefined when the provider cannot take it. */
  identify(member: AudienceMember): IdentifiedMember | undefined;
  /**
   * Add or remove one batch (<= maxBatch). Retries 429 (honouring Retry-After) and 5xx with
   * backoff and jitter within a bounded budget; past it throws `ProviderError` (retryable), so the
   * sync service leaves the change on its queue for redelivery.
   */
  add(target: ProviderAudience, members: IdentifiedMember[]): Promise<BatchOutcome>;
  remove(target: ProviderAudience, members: IdentifiedMember[]): Promise<BatchOutcome>;
}

/** What a provider call ended with when it could not complete. */
export class ProviderError extends Error {
  constructor(
    readonly provider: string,
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(`${provider}: ${message}`);
    this.name = 'ProviderError';
  }
}
