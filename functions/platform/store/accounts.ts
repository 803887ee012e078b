/**
 * Accounts, their buying committees (contacts) and the email suppression list: who may be reached.
 * Profiles and contacts live in the account's partition; the suppression list has a partition per
 * address (docs/architecture.md, "Data model").
 */
import * as z from 'zod';
import {
  Account,
  AccountInput,
  Contact,
  IsoTimestamp,
  type FitResult,
  type Stage,
  type Tier,
} from '../../kernel/model';
import {
  decode,
  encode,
  Repository,
  definedFields,
  type PageRequest,
  allOf,
  oversized,
  type Oversized,
  pageOf,
  sizeChecked,
} from './codec';
import * as keys from './keys';
import { normaliseEmail } from './keys';
import {
  ConditionFailedError,
  PreconditionFailedError,
  type Item,
  type Page,
  type Precondition,
  batchGet,
  batchPut,
  deleteItem,
  encodeCursor,
  getItem,
  preconditionCondition,
  putIfAbsent,
  queryAll,
  queryPage,
  updateItem,
  updateVersioned,
} from './table';

/** What an import row or PUT carries for the profile; contacts are stored separately. */
export type AccountProfileInput = Omit<z.output<typeof AccountInput>, 'contacts'> & { fit?: FitResult };

export type ContactRecordInput = z.input<typeof Contact>;

/** A suppressed address: no email is sent to it, whatever account or sequence. */
export const SuppressionEntry = z.object({
  email: z.string(),
  reason: z.string(),
  source: z.string().optional(),
  at: IsoTimestamp,
});
export type SuppressionEntry = z.infer<typeof SuppressionEntry>;

/** The most accounts one audience query reads (a bound, not a page size). */
const MAX_AUDIENCE = 1_000_000;

const accountItem = (a: Account) => encode(a, keys.accountItem(a), 'account');
const contactItem = (c: Contact) => encode(c, keys.contactItem(c), 'contact');

/** The attributes a contact write replaces: every field but its identity and unsubscribedAt, and the email index. */
const CONTACT_REPLACED = [...Object.keys(Contact.shape), 'gsi1pk', 'gsi1sk'].filter(
  (a) => !['accountId', 'contactId', 'unsubscribedAt'].includes(a),
);

/** A contact with the version of its item (the API's ETag); 0 for an item written before contacts had one. */
export interface VersionedContact {
  contact: Contact;
  version: number;
}

/**
 * What the engine does with accounts: read a profile and its committee, update the profile
 * (versioned), check the suppression list. A class of its own so that ExecuteStep's bundle carries
 * none of the imports, contact writes and audience reads of the full repository (a class keeps
 * every method): each Lambda bundles only what it runs.
 */
export class AccountUpdater extends Repository {
  async get(accountId: string): Promise<Account | undefined> {
    return this.getParsed(keys.account(accountId), Account);
  }

  /** Versioned read-modify-write of an existing account; undefined when there is none. */
  async update(
    accountId: string,
    mutate: (account: Account) => Account | undefined,
  ): Promise<Account | undefined> {
    return this.updateExisting(keys.account(accountId), Account, accountItem, mutate);
  }

  /** Every contact of the account (a buying committee: small), by contact id. */
  async listContacts(accountId: string): Promise<Contact[]> {
    return allOf(this.table, keys.contactsOfAccount(accountId), Contact, 1000, { consistent: true });
  }

  async isSuppressed(email: string): Promise<boolean> {
    return (await getItem(this.table, keys.suppression(email))) !== undefined;
  }
}

export class AccountRepository extends AccountUpdater {
  // ----- profiles -----------------------------------------------------------

  /**
   * Creates or updates an account profile (versioned). On update the given profile fields replace
   * the stored ones (fields left undefined keep their stored value); createdAt, stage, suppressed,
   * directMailSpentCents, and fit/tier when not given, are preserved. A new account without a tier
   * takes `fit.suggestedTier`, else 3.
   */
  async upsert(input: AccountProfileInput): Promise<{ account: Account; created: boolean }> {
    const profile = definedFields(input as Record<string, unknown>);
    delete profile.contacts;
    const result = await updateVersioned(this.table, keys.account(input.accountId), (current) => {
      const previous = current ? decode(Account, current) : undefined;
      const now = this.isoNow();
      return accountItem(
        Account.parse({
          ...previous,
          ...profile,
          tier: input.tier ?? previous?.tier ?? input.fit?.suggestedTier ?? 3,
          stage: previous?.stage ?? 'target',
          suppressed: previous?.suppressed ?? false,
          directMailSpentCents: previous?.directMailSpentCents ?? 0,
          createdAt: previous?.createdAt ?? now,
          updatedAt: now,
        }),
      );
    });
    return { account: decode(Account, result.item as Item), created: result.created };
  }

  /**
   * Sets the stage without reading first (the scorer's mirror of a stage change): it cannot clobber
   * a concurrent profile edit, and it moves the optimistic-concurrency version so versioned writers
   * notice. No profile (events for an account not imported yet): nothing is written.
   */
  async setStage(accountId: string, stage: Stage, now: Date): Promise<void> {
    try {
      await updateItem(
        this.table,
        keys.account(accountId),
        { set: { stage, updatedAt: now.toISOString() }, add: { version: 1 } },
        { condition: { expression: 'attribute_exists(#pk)', names: { '#pk': 'pk' } } },
      );
    } catch (err) {
      if (!(err instanceof ConditionFailedError)) throw err;
    }
  }

  async findByDomain(domain: string): Promise<Account | undefined> {
    return (await allOf(this.table, keys.accountsByDomain(domain), Account, 1))[0];
  }

  /** Accounts of a tier, ordered by account id, paged. */
  async listByTier(tier: Tier, page: PageRequest = {}): Promise<Page<Account>> {
    return pageOf(this.table, keys.accountsByTier(tier), Account, page);
  }

  /**
   * A read of the tier index (account id order) for a listing that filters (`GET /accounts`): at
   * most `limit` profiles evaluated, the stage, cluster and owner filters applied by DynamoDB (they
   * cost the read all the same), each account kept with the cursor that resumes right after it, so
   * a caller filtering further can stop at any account without skipping one.
   */
  async readTier(
    tier: Tier,
    filters: { stage?: Stage; cluster?: string; owner?: string },
    page: { limit: number; cursor?: string },
  ): Promise<{ items: { account: Account; after: string }[]; cursor?: string }> {
    const q = keys.accountsByTier(tier);
    const clauses: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const field = { stage: 'stage', cluster: 'cluster', owner: 'ownerSdr' } as const;
    for (const [name, value] of Object.entries(filters)) {
      if (value === undefined) continue;
      clauses.push(`#${name} = :${name}`);
      names[`#${name}`] = field[name as keyof typeof field];
      values[`:${name}`] = value;
    }
    const result = await queryPage(this.table, {
      index: q.index,
      pk: q.pk,
      limit: page.limit,
      cursor: page.cursor,
      ...(clauses.length ? { filter: { expression: clauses.join(' AND '), names, values } } : {}),
    });
    return {
      items: result.items.map((item) => ({
        account: decode(Account, item),
        after: encodeCursor({ pk: item.pk, sk: item.sk, gsi2pk: item.gsi2pk, gsi2sk: item.gsi2sk }),
      })),
      cursor: result.cursor,
    };
  }

  /**
   * Every account of a tier (optionally of one cluster), one GSI query of about a thousand profiles
   * per page; items that do not parse are left out (a launch audience, not a listing).
   */
  async allOfTier(tier: number, cluster?: string): Promise<Account[]> {
    const q = keys.accountsByTier(tier);
    const items = await queryAll(
      this.table,
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
    return parsedOnly(Account, items);
  }

  /** Profiles by id (BatchGetItem, strongly consistent), by account id; missing ids are absent. */
  async getMany(accountIds: readonly string[]): Promise<Map<string, Account>> {
    const items = await batchGet(
      this.table,
      [...new Set(accountIds)].map((id) => keys.account(id)),
      { consistent: true },
    );
    return new Map(parsedOnly(Account, items).map((a) => [a.accountId, a]));
  }

  /**
   * Writes an imported profile in one UpdateItem, without reading first (docs/api.md "Import rows"):
   * the fields given replace the stored ones and fields left out keep theirs; stage, suppressed,
   * spend and createdAt, and the tier when none is given (then `suggestedTier`), are set only where
   * the account has none. The version is an atomic counter (ADD): concurrent imports of one account
   * each count and none has to retry. `created`: no account had this id before. An update that would
   * grow the item past 400 KB throws ItemTooLargeError and changes nothing.
   */
  async importProfile(input: AccountProfileInput, suggestedTier: Tier): Promise<{ created: boolean }> {
    const { tier, ...given } = definedFields(input as Record<string, unknown>) as AccountProfileInput;
    delete (given as { contacts?: unknown }).contacts;
    const now = this.isoNow();
    const key = keys.account(input.accountId);
    const { gsi2pk, ...indexKeys } = keys.accountItem({ ...input, tier: tier ?? suggestedTier });
    delete (indexKeys as Partial<typeof indexKeys>).pk;
    delete (indexKeys as Partial<typeof indexKeys>).sk;
    const old = await sizeChecked(key, () =>
      updateItem(
        this.table,
        key,
        {
          set: {
            ...given,
            ...indexKeys,
            ...(tier === undefined ? {} : { tier, gsi2pk }),
            updatedAt: now,
            entity: 'account',
          },
          setIfAbsent: {
            stage: 'target',
            suppressed: false,
            directMailSpentCents: 0,
            createdAt: now,
            ...(tier === undefined ? { tier: suggestedTier, gsi2pk } : {}),
          },
          add: { version: 1 },
        },
        { returnValues: 'UPDATED_OLD' },
      ),
    );
    return { created: old?.accountId === undefined };
  }

  /**
   * New accounts and contacts in bulk (an import), BatchWriteItem, 25 items per call, each at
   * version 1. Unconditional: only for accounts read as absent a moment before, or that the import's
   * own `importProfile` just reported `created` (their contacts).
   */
  async writeNew(accounts: readonly Account[], contacts: readonly Contact[]): Promise<void> {
    await batchPut(this.table, [
      ...accounts.map((a) => accountItem({ ...a, version: 1 })),
      ...contacts.map((c) => ({ ...contactItem(c), version: 1 })),
    ]);
  }

  /** When this profile would not fit in one item: its estimated size and largest field. */
  oversizedProfile(account: Account): Oversized | undefined {
    return oversized(accountItem(account));
  }

  // ----- contacts -------------------------------------------------------------

  /** Creates or replaces a contact (see `writeContact`). An unsubscribe is never undone by an update. */
  async putContact(contact: ContactRecordInput): Promise<Contact> {
    return (await this.writeContact(contact)).contact;
  }

  /**
   * Creates or replaces a contact in one UpdateItem, without reading first: every field is replaced
   * (fields left out are removed) except unsubscribedAt, which is kept (and set only if absent), so an
   * unsubscribe is never undone. The version is an atomic counter: concurrent writers each count,
   * the last one's fields win. With a precondition (If-Match) the write happens only if it holds,
   * else PreconditionFailedError with the stored version.
   */
  async writeContact(
    contact: ContactRecordInput,
    options: { precondition?: Precondition } = {},
  ): Promise<VersionedContact> {
    const { unsubscribedAt, ...fields } = contact;
    const parsed = Contact.parse({ ...fields, updatedAt: this.isoNow() });
    const key = keys.contact(parsed.accountId, parsed.contactId);
    const set = contactItem(parsed);
    delete (set as Partial<typeof set>).pk;
    delete (set as Partial<typeof set>).sk;
    const changes = {
      set,
      remove: CONTACT_REPLACED.filter((a) => !(a in set)),
      add: { version: 1 },
      ...(unsubscribedAt ? { setIfAbsent: { unsubscribedAt } } : {}),
    };
    const { precondition } = options;
    try {
      const item = await sizeChecked(key, () =>
        updateItem(this.table, key, changes, {
          returnValues: 'ALL_NEW',
          ...(precondition ? { condition: preconditionCondition(precondition) } : {}),
        }),
      );
      return versioned(item as Item);
    } catch (err) {
      if (precondition && err instanceof ConditionFailedError) {
        const current = await getItem(this.table, key);
        throw new PreconditionFailedError(key, current ? versioned(current).version : undefined);
      }
      throw err;
    }
  }

  /** A contact with its version (the API's ETag). */
  async getVersionedContact(accountId: string, contactId: string): Promise<VersionedContact | undefined> {
    const item = await getItem(this.table, keys.contact(accountId, contactId));
    return item ? versioned(item) : undefined;
  }

  /** When this contact would not fit in one item: its estimated size and largest field. */
  oversizedContact(contact: Contact): Oversized | undefined {
    return oversized(contactItem(contact));
  }

  /**
   * Bulk upsert of one account's contacts (import): one query, then BatchWriteItem, 25 per call.
   * Keeps stored unsubscribes; an unsubscribe landing between the read and the write can be lost
   * on the contact item, which is why senders check the suppression list (by email) as well.
   */
  async putContacts(accountId: string, contacts: ContactRecordInput[]): Promise<Contact[]> {
    const existing = new Map((await this.listContacts(accountId)).map((c) => [c.contactId, c]));
    const byId = new Map<string, Contact>();
    const now = this.isoNow();
    for (const c of contacts) {
      byId.set(
        c.contactId,
        Contact.parse({
          ...c,
          accountId,
          unsubscribedAt: c.unsubscribedAt ?? existing.get(c.contactId)?.unsubscribedAt,
          updatedAt: now,
        }),
      );
    }
    const stored = [...byId.values()];
    await batchPut(this.table, stored.map(contactItem));
    return stored;
  }

  async getContact(accountId: string, contactId: string): Promise<Contact | undefined> {
    return this.getParsed(keys.contact(accountId, contactId), Contact);
  }

  /** The contacts with this email address, in every account (resolving engagement to an account). */
  async findContactsByEmail(email: string): Promise<Contact[]> {
    return allOf(this.table, keys.contactsByEmail(email), Contact, 100);
  }

  /** Every account's contact with this id (erasure: DELETE /contacts/{contactId}). */
  async findContactsById(contactId: string): Promise<Contact[]> {
    return allOf(this.table, keys.contactsById(contactId), Contact, 100);
  }

  /** Sets unsubscribedAt once (the first time wins); undefined when the contact does not exist. */
  async markContactUnsubscribed(
    accountId: string,
    contactId: string,
    at?: string,
  ): Promise<Contact | undefined> {
    return this.updateExisting(keys.contact(accountId, contactId), Contact, contactItem, (c) =>
      c.unsubscribedAt ? undefined : { ...c, unsubscribedAt: at ?? this.isoNow(), updatedAt: this.isoNow() },
    );
  }

  /** Deletes the contact item; returns what was deleted. */
  async deleteContact(accountId: string, contactId: string): Promise<Contact | undefined> {
    const old = await deleteItem(this.table, keys.contact(accountId, contactId));
    return old ? decode(Contact, old) : undefined;
  }

  // ----- suppression ------------------------------------------------------------

  /** Adds an address to the suppression list; false when it was already there (first entry kept). */
  async addSuppression(
    email: string,
    entry: { reason: string; source?: string; at?: string },
  ): Promise<boolean> {
    const value = SuppressionEntry.parse({
      ...entry,
      email: normaliseEmail(email),
      at: entry.at ?? this.isoNow(),
    });
    const result = await putIfAbsent(this.table, encode(value, keys.suppression(email), 'suppression'), {
      fetchExisting: false,
    });
    return result.created;
  }

  async getSuppression(email: string): Promise<SuppressionEntry | undefined> {
    return this.getParsed(keys.suppression(email), SuppressionEntry);
  }
}

function versioned(item: Item): VersionedContact {
  return { contact: decode(Contact, item), version: typeof item.version === 'number' ? item.version : 0 };
}

/** The items that parse, the others left out (bulk reads for launches and reports). */
export function parsedOnly<T>(schema: z.ZodType<T>, items: readonly Item[]): T[] {
  return items.flatMap((item) => {
    try {
      return [decode(schema, item)];
    } catch {
      return [];
    }
  });
}
