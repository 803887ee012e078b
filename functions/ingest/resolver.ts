/**
 * Resolving the account (and contact) of an engagement event: from an account id, a contact
 * email, or an email domain (docs/architecture.md "HTTP API", POST /events). Behind a port so ingestion is testable;
 * the DynamoDB version uses the repository's indexes (gsi1 EMAIL#, DOMAIN#) and caches per call site.
 */
import type { Clock } from '../kernel/clock';
import { PUBLISHER, type EventPublisher } from '../platform/bus';
import type { Platform } from '../platform/compose';
import { AccountRepository } from '../platform/store/accounts';
import { UnresolvedEventRepository, type UnresolvedStore } from '../platform/store/unresolved';
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

/** What ingesting engagement from one source needs: a resolver, the bus, the unresolved store. */
export interface IngestionDeps {
  resolver: AccountResolver;
  publisher: EventPublisher;
  unresolved: UnresolvedStore;
  clock: Clock;
  /** Suppress an address for email (a hard bounce or a complaint). */
  suppress: (email: string, reason: string) => Promise<void>;
  /**
   * Unsubscribe an address: on the suppression list, and the contact (when known) marked
   * unsubscribed, as the one-click unsubscribe does (functions/api/unsubscribe-service.ts).
   */
  unsubscribe: (email: string, contact?: { accountId: string; contactId: string }) => Promise<void>;
}

/**
 * The dependencies of one ingestion (a request, an SES event) from a platform: its own resolver,
 * whose cache must not outlive it (accounts get imported), and suppressions credited to `source`.
 */
export function ingestionDeps(platform: Platform, source: 'api' | 'ses'): IngestionDeps {
  const accounts = platform.repository(AccountRepository);
  return {
    resolver: new RepositoryAccountResolver(accounts),
    publisher: platform.port(PUBLISHER),
    unresolved: platform.repository(UnresolvedEventRepository),
    clock: platform.clock,
    suppress: async (email, reason) => {
      await accounts.addSuppression(email, { reason, source });
    },
    unsubscribe: async (email, contact) => {
      const at = platform.clock.now().toISOString();
      await accounts.addSuppression(email, { reason: 'unsubscribed', source, at });
      if (contact) await accounts.markContactUnsubscribed(contact.accountId, contact.contactId, at);
    },
  };
}
