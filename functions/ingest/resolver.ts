/**
 * Resolving the account (and contact) of an engagement event: from an account id, a contact
 * email, or an email domain (DESIGN 2.6.1, POST /events). Behind a port so ingestion is testable;
 * the DynamoDB version uses the repository's indexes (gsi1 EMAIL#, DOMAIN#) and caches per call site.
 */
import type { AccountRepository } from '../platform/store/accounts';
import type { Role } from '../kernel/model';

export interface Resolution {
  accountId: string;
  contactId?: string;
  role?: Role;
}

export interface AccountResolver {
  resolve(ref: {
    accountId?: string;
    contactId?: string;
    contactEmail?: string;
    domain?: string;
  }): Promise<Resolution | undefined>;
}

export const emailDomain = (email: string): string | undefined =>
  email.split('@')[1]?.trim().toLowerCase() || undefined;

export class RepositoryAccountResolver implements AccountResolver {
  private readonly cache = new Map<string, Promise<unknown>>();

  constructor(private readonly accounts: AccountRepository) {}

  private cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    let p = this.cache.get(key) as Promise<T> | undefined;
    if (!p) {
      p = load();
      this.cache.set(key, p);
    }
    return p;
  }

  async resolve(ref: { accountId?: string; contactId?: string; contactEmail?: string; domain?: string }) {
    if (ref.accountId) {
      const account = await this.cached(`a:${ref.accountId}`, () => this.accounts.get(ref.accountId!));
      if (!account) return undefined;
      if (ref.contactId) {
        const c = await this.cached(`c:${ref.accountId}:${ref.contactId}`, () =>
          this.accounts.getContact(ref.accountId!, ref.contactId!),
        );
        return { accountId: account.accountId, contactId: ref.contactId, role: c?.role };
      }
      if (ref.contactEmail) {
        const contacts = await this.cached(`e:${ref.contactEmail}`, () =>
          this.accounts.findContactsByEmail(ref.contactEmail!),
        );
        const c = contacts.find((x) => x.accountId === account.accountId);
        return { accountId: account.accountId, ...(c ? { contactId: c.contactId, role: c.role } : {}) };
      }
      return { accountId: account.accountId };
    }
    if (ref.contactEmail) {
      const contacts = await this.cached(`e:${ref.contactEmail}`, () =>
        this.accounts.findContactsByEmail(ref.contactEmail!),
      );
      const c = contacts[0];
      if (c) return { accountId: c.accountId, contactId: c.contactId, role: c.role };
    }
    const domain = ref.domain ?? (ref.contactEmail ? emailDomain(ref.contactEmail) : undefined);
    if (domain) {
      const account = await this.cached(`d:${domain}`, () => this.accounts.findByDomain(domain));
      if (account) return { accountId: account.accountId };
    }
    return undefined;
  }
}
