/**
 * The account store: the domain-level repository over the single table (DESIGN 2.3). One entry
 * point, `AccountRepository`, used by every Lambda handler and by local mode.
 *
 * - Types come from `functions/kernel/model.ts`; items read back are validated with its schemas,
 *   and storage attributes (pk, sk, gsi*, ttl, entity) never reach callers.
 * - Only single-item conditional writes. Read-modify-writes go through `Table.updateVersioned`
 *   (numeric `version`, bounded retries, VersionConflictError when they run out).
 * - Score state and templates have no schema in the domain model yet: callers pass theirs.
 */
import * as z from 'zod';
import {
  Account,
  AccountInput,
  Campaign,
  Contact,
  Enrollment,
  IsoTimestamp,
  SdrTask,
  SequenceInput,
  Touch,
  type FitResult,
  type SdrOutcome,
  type Sequence,
  type SdrTaskStatus,
  type Tier,
  type TouchStatus,
} from '../../kernel/model';
import { keys, normaliseEmail, STORAGE_ATTRIBUTES, type KeyQuery, type PrimaryKey } from './keys';
import { TTL_ATTRIBUTE } from './table-definition';
import { Table, VersionConflictError, type Item, type Page, type QueryParams } from './table';

export {
  BatchWriteIncompleteError,
  ConditionFailedError,
  InvalidCursorError,
  VersionConflictError,
  type Page,
} from './table';

// ---------------------------------------------------------------------------
// Shapes
// ---------------------------------------------------------------------------

export interface PageRequest {
  limit?: number;
  cursor?: string;
}

/** What an import row or PUT carries for the profile; contacts are stored separately. */
export type AccountProfileInput = Omit<z.output<typeof AccountInput>, 'contacts'> & { fit?: FitResult };

export type ContactRecordInput = z.input<typeof Contact>;

export type RecordTouchResult =
  { recorded: true; touch: Touch } | { recorded: false; duplicate: true; existing: Touch };

export type TouchStatusPatch = {
  status: z.infer<typeof TouchStatus>;
  reason?: string;
  ref?: string;
  summary?: string;
  at?: string;
};

export interface TaskCompletion {
  outcome: SdrOutcome;
  notes?: string;
  completedAt?: string;
}

export type CreateResult<T> = { created: true; value: T } | { created: false; existing: T };

export interface VersionedState<T> {
  state: T;
  version: number;
  updatedAt: string;
}

/** The list view of a sequence (its head item). */
export const SequenceSummary = z.object({
  sequenceId: z.string(),
  name: z.string(),
  latestVersion: z.number().int().positive(),
  updatedAt: IsoTimestamp,
});
export type SequenceSummary = z.infer<typeof SequenceSummary>;

/** A suppressed address: no email is sent to it, whatever account or sequence. */
export const SuppressionEntry = z.object({
  email: z.string(),
  reason: z.string(),
  source: z.string().optional(),
  at: IsoTimestamp,
});
export type SuppressionEntry = z.infer<typeof SuppressionEntry>;

/** Templates are stored as given until the domain model has a schema for them. */
export const StoredTemplate = z.looseObject({ templateId: z.string() });
export type StoredTemplate = z.infer<typeof StoredTemplate>;

/** An item read back from the table failed its schema. */
export class StoredItemInvalidError extends Error {
  readonly code = 'STORED_ITEM_INVALID';
  constructor(
    readonly key: PrimaryKey,
    readonly issues: unknown,
  ) {
    super(`stored item ${key.pk} / ${key.sk} does not match its schema`);
    this.name = 'StoredItemInvalidError';
  }
}

export interface AccountRepositoryOptions {
  /** Injected clock (defaults to the system clock). */
  now?: () => Date;
  /** Bound on attempts for sequence version allocation. */
  maxSequenceAttempts?: number;
}

const SequenceVersionItem = z.object({
  version: z.number().int().positive(),
  createdAt: IsoTimestamp,
  definition: z.unknown(),
});

const ScoreStateItem = z.object({
  state: z.unknown(),
  version: z.number().int().nonnegative(),
  updatedAt: IsoTimestamp,
});

// ---------------------------------------------------------------------------
// Repository
// ---------------------------------------------------------------------------

export class AccountRepository {
  private readonly now: () => Date;
  private readonly maxSequenceAttempts: number;

  constructor(
    readonly table: Table,
    options: AccountRepositoryOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.maxSequenceAttempts = options.maxSequenceAttempts ?? 10;
  }

  // ----- accounts ---------------------------------------------------------

  /**
   * Creates or updates an account profile (versioned). On update the given profile fields replace
   * the stored ones (fields left undefined keep their stored value); createdAt, stage, suppressed,
   * directMailSpentCents, and fit/tier when not given, are preserved. A new account without a tier
   * takes `fit.suggestedTier`, else 3.
   */
  async upsertAccount(input: AccountProfileInput): Promise<{ account: Account; created: boolean }> {
    const profile = definedFields(input as Record<string, unknown>);
    delete profile.contacts;
    const result = await this.table.updateVersioned(keys.account(input.accountId), (current) => {
      const previous = current ? this.parse(Account, current) : undefined;
      const now = this.isoNow();
      const account = Account.parse({
        ...previous,
        ...profile,
        tier: input.tier ?? previous?.tier ?? input.fit?.suggestedTier ?? 3,
        stage: previous?.stage ?? 'target',
        suppressed: previous?.suppressed ?? false,
        directMailSpentCents: previous?.directMailSpentCents ?? 0,
        createdAt: previous?.createdAt ?? now,
        updatedAt: now,
      });
      return this.accountItem(account);
    });
    return { account: this.parse(Account, result.item as Item), created: result.created };
  }

  async getAccount(accountId: string): Promise<Account | undefined> {
    return this.getParsed(keys.account(accountId), Account);
  }

  /** Versioned read-modify-write of an existing account; undefined when there is none. */
  async updateAccount(
    accountId: string,
    mutate: (account: Account) => Account | undefined,
  ): Promise<Account | undefined> {
    return this.update(keys.account(accountId), Account, (a) => this.accountItem(a), mutate);
  }

  async findAccountsByDomain(domain: string): Promise<Account[]> {
    return this.all(keys.accountsByDomain(domain), Account, 100);
  }

  async findAccountByDomain(domain: string): Promise<Account | undefined> {
    return (await this.findAccountsByDomain(domain))[0];
  }

  /** Accounts of a tier, ordered by account id, paged. */
  async listAccountsByTier(tier: Tier, page: PageRequest = {}): Promise<Page<Account>> {
    return this.page(keys.accountsByTier(tier), Account, page);
  }

  // ----- contacts ---------------------------------------------------------

  /** Creates or replaces a contact (versioned). An unsubscribe is never undone by an update. */
  async putContact(contact: ContactRecordInput): Promise<Contact> {
    const key = keys.contact(contact.accountId, contact.contactId);
    const result = await this.table.updateVersioned(key, (current) => {
      const previous = current ? this.parse(Contact, current) : undefined;
      const next = Contact.parse({
        ...contact,
        unsubscribedAt: contact.unsubscribedAt ?? previous?.unsubscribedAt,
        updatedAt: this.isoNow(),
      });
      return this.contactItem(next);
    });
    return this.parse(Contact, result.item as Item);
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
    await this.table.batchPut(stored.map((c) => this.contactItem(c)));
    return stored;
  }

  async getContact(accountId: string, contactId: string): Promise<Contact | undefined> {
    return this.getParsed(keys.contact(accountId, contactId), Contact);
  }

  /** Every contact of the account (a buying committee: small), by contact id. */
  async listContacts(accountId: string): Promise<Contact[]> {
    return this.all(keys.contactsOfAccount(accountId), Contact, 1000, true);
  }

  async findContactsByEmail(email: string): Promise<Contact[]> {
    return this.all(keys.contactsByEmail(email), Contact, 100);
  }

  /** Resolves a contact (and so its account) from an email address. */
  async findContactByEmail(email: string): Promise<Contact | undefined> {
    return (await this.findContactsByEmail(email))[0];
  }

  /** Every account's contact with this id (erasure: DELETE /contacts/{contactId}). */
  async findContactsById(contactId: string): Promise<Contact[]> {
    return this.all(keys.contactsById(contactId), Contact, 100);
  }

  async findContactById(contactId: string): Promise<Contact | undefined> {
    return (await this.findContactsById(contactId))[0];
  }

  /** Sets unsubscribedAt once (the first time wins); undefined when the contact does not exist. */
  async markContactUnsubscribed(
    accountId: string,
    contactId: string,
    at?: string,
  ): Promise<Contact | undefined> {
    return this.update(
      keys.contact(accountId, contactId),
      Contact,
      (c) => this.contactItem(c),
      (c) =>
        c.unsubscribedAt
          ? undefined
          : { ...c, unsubscribedAt: at ?? this.isoNow(), updatedAt: this.isoNow() },
    );
  }

  /** Deletes the contact item; returns what was deleted. */
  async deleteContact(accountId: string, contactId: string): Promise<Contact | undefined> {
    const old = await this.table.delete(keys.contact(accountId, contactId));
    return old ? this.parse(Contact, old) : undefined;
  }

  // ----- enrollments ------------------------------------------------------

  /** Enrolls once per account and campaign: an existing enrollment is returned, not replaced. */
  async createEnrollment(enrollment: z.input<typeof Enrollment>): Promise<CreateResult<Enrollment>> {
    const e = Enrollment.parse({ ...enrollment, version: 1 });
    return this.createOnce(this.enrollmentItem(e), Enrollment);
  }

  /** Creates or replaces an enrollment (versioned write; the stored version is incremented). */
  async putEnrollment(enrollment: z.input<typeof Enrollment>): Promise<Enrollment> {
    const e = Enrollment.parse(enrollment);
    const result = await this.table.updateVersioned(keys.enrollment(e.accountId, e.campaignId), () =>
      this.enrollmentItem(e),
    );
    return this.parse(Enrollment, result.item as Item);
  }

  async getEnrollment(accountId: string, campaignId: string): Promise<Enrollment | undefined> {
    return this.getParsed(keys.enrollment(accountId, campaignId), Enrollment);
  }

  async updateEnrollment(
    accountId: string,
    campaignId: string,
    mutate: (enrollment: Enrollment) => Enrollment | undefined,
  ): Promise<Enrollment | undefined> {
    return this.update(
      keys.enrollment(accountId, campaignId),
      Enrollment,
      (e) => this.enrollmentItem(e),
      mutate,
    );
  }

  /** Enrollments of a campaign, ordered by account id, paged. */
  async listEnrollmentsOfCampaign(campaignId: string, page: PageRequest = {}): Promise<Page<Enrollment>> {
    return this.page(keys.enrollmentsOfCampaign(campaignId), Enrollment, page);
  }

  async listEnrollmentsOfAccount(accountId: string): Promise<Enrollment[]> {
    return this.all(keys.enrollmentsOfAccount(accountId), Enrollment, 1000, true);
  }

  // ----- touches ----------------------------------------------------------

  /**
   * Writes the touch only if no touch with its id exists (one item per step per contact). A
   * duplicate is reported with the stored touch, never thrown: a retried step sees what happened.
   */
  async recordTouch(touch: z.input<typeof Touch>): Promise<RecordTouchResult> {
    const t = Touch.parse(touch);
    const result = await this.createOnce(this.touchItem(t), Touch);
    return result.created
      ? { recorded: true, touch: result.value }
      : { recorded: false, duplicate: true, existing: result.existing };
  }

  async getTouch(accountId: string, touchId: string): Promise<Touch | undefined> {
    return this.getParsed(keys.touch(accountId, touchId), Touch);
  }

  /**
   * Moves a touch to a new status (versioned). With `from`, only a touch currently in one of those
   * statuses changes (e.g. pending -> sent exactly once); `updated` says whether it did.
   */
  async updateTouchStatus(
    accountId: string,
    touchId: string,
    patch: TouchStatusPatch,
    options: { from?: z.infer<typeof TouchStatus>[] } = {},
  ): Promise<{ updated: boolean; touch?: Touch }> {
    const result = await this.table.updateVersioned(keys.touch(accountId, touchId), (current) => {
      if (!current) return undefined;
      const t = this.parse(Touch, current);
      if (options.from && !options.from.includes(t.status)) return undefined;
      return this.touchItem(Touch.parse({ ...t, ...definedFields(patch) }));
    });
    return { updated: result.written, touch: result.item ? this.parse(Touch, result.item) : undefined };
  }

  /** Touches of an account, most recent first, paged. */
  async listTouchesOfAccount(accountId: string, page: PageRequest = {}): Promise<Page<Touch>> {
    return this.page(keys.touchesOfAccount(accountId), Touch, page, { forward: false });
  }

  /** Touches of a campaign in time order (oldest first unless `newestFirst`), paged. */
  async listTouchesOfCampaign(
    campaignId: string,
    page: PageRequest & { newestFirst?: boolean } = {},
  ): Promise<Page<Touch>> {
    return this.page(keys.touchesOfCampaign(campaignId), Touch, page, { forward: !page.newestFirst });
  }

  // ----- SDR tasks --------------------------------------------------------

  /** Creates the task unless one with its id exists for the account (idempotent generation). */
  async putTask(task: z.input<typeof SdrTask>): Promise<CreateResult<SdrTask>> {
    return this.createOnce(this.taskItem(SdrTask.parse(task)), SdrTask);
  }

  async getTaskOfAccount(accountId: string, taskId: string): Promise<SdrTask | undefined> {
    return this.getParsed(keys.task(accountId, taskId), SdrTask);
  }

  /** Finds a task by id alone: the GSI gives its account, then a consistent read gives the task. */
  async getTask(taskId: string): Promise<SdrTask | undefined> {
    const accountId = await this.accountOfTask(taskId);
    return accountId ? this.getTaskOfAccount(accountId, taskId) : undefined;
  }

  async updateTask(
    accountId: string,
    taskId: string,
    mutate: (task: SdrTask) => SdrTask | undefined,
  ): Promise<SdrTask | undefined> {
    return this.update(keys.task(accountId, taskId), SdrTask, (t) => this.taskItem(t), mutate);
  }

  /**
   * Completes an open task (versioned). `completed` is false when the task was no longer open
   * (a repeated POST): the stored task is returned unchanged. Undefined when there is no such task.
   */
  async completeTask(
    taskId: string,
    completion: TaskCompletion,
  ): Promise<{ task: SdrTask; completed: boolean } | undefined> {
    const accountId = await this.accountOfTask(taskId);
    if (!accountId) return undefined;
    const result = await this.table.updateVersioned(keys.task(accountId, taskId), (current) => {
      if (!current) return undefined;
      const task = this.parse(SdrTask, current);
      if (task.status !== 'open') return undefined;
      return this.taskItem(
        SdrTask.parse({
          ...task,
          status: 'completed',
          outcome: completion.outcome,
          notes: completion.notes,
          completedAt: completion.completedAt ?? this.isoNow(),
        }),
      );
    });
    if (!result.item) return undefined;
    return { task: this.parse(SdrTask, result.item), completed: result.written };
  }

  /** An SDR's queue: tasks of one owner and status, by priority (1 first) then due time, paged. */
  async listTasks(
    owner: string,
    status: z.infer<typeof SdrTaskStatus>,
    page: PageRequest = {},
  ): Promise<Page<SdrTask>> {
    return this.page(keys.tasksOfOwner(owner, status), SdrTask, page);
  }

  async listTasksOfAccount(accountId: string): Promise<SdrTask[]> {
    return this.all(keys.tasksOfAccount(accountId), SdrTask, 1000, true);
  }

  // ----- engagement event dedup ---------------------------------------------

  /**
   * Records that an engagement event was seen; true the first time. The marker expires after
   * `ttlDays` (TTL attribute); an expired marker that DynamoDB has not yet deleted counts as unseen.
   */
  async markEventSeen(eventId: string, accountId: string, ttlDays: number): Promise<boolean> {
    const now = this.now();
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const result = await this.table.putIfAbsent(
      {
        ...keys.event(accountId, eventId),
        entity: 'event',
        eventId,
        accountId,
        seenAt: now.toISOString(),
        [TTL_ATTRIBUTE]: nowSeconds + Math.ceil(ttlDays * 86_400),
      },
      {
        orIf: {
          expression: '#ttl <= :now',
          names: { '#ttl': TTL_ATTRIBUTE },
          values: { ':now': nowSeconds },
        },
        fetchExisting: false,
      },
    );
    return result.created;
  }

  // ----- score state ------------------------------------------------------

  /** The account's score state, validated with the caller's schema. */
  async getScoreState<T>(accountId: string, schema: z.ZodType<T>): Promise<VersionedState<T> | undefined> {
    const key = keys.score(accountId);
    const item = await this.table.get(key);
    return item ? this.parseScoreState(key, item, schema) : undefined;
  }

  /** Versioned read-modify-write of the score state; mutate gets undefined when there is none yet. */
  async updateScoreState<T>(
    accountId: string,
    schema: z.ZodType<T>,
    mutate: (current: T | undefined) => T | undefined,
  ): Promise<VersionedState<T> | undefined> {
    const key = keys.score(accountId);
    const result = await this.table.updateVersioned(key, (current) => {
      const previous = current ? this.parseScoreState(key, current, schema).state : undefined;
      const next = mutate(previous);
      if (next === undefined) return undefined;
      return { ...key, entity: 'score', accountId, state: schema.parse(next), updatedAt: this.isoNow() };
    });
    return result.item ? this.parseScoreState(key, result.item, schema) : undefined;
  }

  // ----- sequences --------------------------------------------------------

  /**
   * Saves a new version of a sequence: validates it, takes the next version number and writes it
   * with attribute_not_exists, so a version is never overwritten; a concurrent save of the same
   * sequence takes the number after (bounded attempts, then VersionConflictError).
   */
  async saveSequence(input: z.input<typeof SequenceInput>): Promise<Sequence> {
    const definition = SequenceInput.parse(input);
    for (let attempt = 1; attempt <= this.maxSequenceAttempts; attempt++) {
      const latest = await this.latestSequenceItem(definition.id);
      const version = (latest ? this.parseSequence(latest).version : 0) + 1;
      const sequence: Sequence = { ...definition, version, createdAt: this.isoNow() };
      const result = await this.putSequenceVersion(sequence);
      if (result.created) return sequence;
    }
    throw new VersionConflictError(keys.sequenceHead(definition.id), this.maxSequenceAttempts);
  }

  /** Writes one explicit version; an existing version is reported, never overwritten. */
  async putSequenceVersion(sequence: Sequence): Promise<{ created: boolean; existing?: Sequence }> {
    const { version, createdAt, ...rest } = sequence;
    const definition = SequenceInput.parse(rest);
    const result = await this.table.putIfAbsent({
      ...keys.sequenceVersion(definition.id, version),
      entity: 'sequenceVersion',
      sequenceId: definition.id,
      version,
      createdAt: IsoTimestamp.parse(createdAt),
      definition,
    });
    if (!result.created)
      return { created: false, existing: result.existing && this.parseSequence(result.existing) };
    await this.advanceSequenceHead(definition.id, definition.name, version);
    return { created: true };
  }

  /** A specific version, or the latest when `version` is omitted. */
  async getSequence(sequenceId: string, version?: number): Promise<Sequence | undefined> {
    const item =
      version === undefined
        ? await this.latestSequenceItem(sequenceId)
        : await this.table.get(keys.sequenceVersion(sequenceId, version));
    return item ? this.parseSequence(item) : undefined;
  }

  /** Sequence ids with their latest version and name, by id, paged. */
  async listSequences(page: PageRequest = {}): Promise<Page<SequenceSummary>> {
    return this.page(keys.sequenceList(), SequenceSummary, page);
  }

  // ----- templates --------------------------------------------------------

  async putTemplate(templateId: string, template: Record<string, unknown>): Promise<StoredTemplate> {
    const stored = { ...definedFields(template), templateId, updatedAt: this.isoNow() };
    await this.table.put({ ...stored, ...keys.templateItem(templateId), entity: 'template' });
    return stored;
  }

  /** A template, validated with the caller's schema when given. */
  async getTemplate(templateId: string): Promise<StoredTemplate | undefined>;
  async getTemplate<T>(templateId: string, schema: z.ZodType<T>): Promise<T | undefined>;
  async getTemplate(templateId: string, schema: z.ZodType<unknown> = StoredTemplate): Promise<unknown> {
    return this.getParsed(keys.template(templateId), schema);
  }

  async listTemplates(page?: PageRequest): Promise<Page<StoredTemplate>>;
  async listTemplates<T>(page: PageRequest, schema: z.ZodType<T>): Promise<Page<T>>;
  async listTemplates(
    page: PageRequest = {},
    schema: z.ZodType<unknown> = StoredTemplate,
  ): Promise<Page<unknown>> {
    return this.page(keys.templateList(), schema, page);
  }

  // ----- campaigns --------------------------------------------------------

  /** Creates the campaign once (POST /campaigns is idempotent on campaignId). */
  async createCampaign(campaign: z.input<typeof Campaign>): Promise<CreateResult<Campaign>> {
    return this.createOnce(this.campaignItem(Campaign.parse(campaign)), Campaign);
  }

  async getCampaign(campaignId: string): Promise<Campaign | undefined> {
    return this.getParsed(keys.campaign(campaignId), Campaign);
  }

  /**
   * Versioned update of a campaign. Campaign.version is the sequence version, so the concurrency
   * attribute of campaign items is `revision`.
   */
  async updateCampaign(
    campaignId: string,
    mutate: (campaign: Campaign) => Campaign | undefined,
  ): Promise<Campaign | undefined> {
    return this.update(keys.campaign(campaignId), Campaign, (c) => this.campaignItem(c), mutate, 'revision');
  }

  async listCampaigns(page: PageRequest = {}): Promise<Page<Campaign>> {
    return this.page(keys.campaignList(), Campaign, page);
  }

  // ----- suppression ------------------------------------------------------

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
    const result = await this.table.putIfAbsent(
      { ...definedFields(value), ...keys.suppression(email), entity: 'suppression' },
      { fetchExisting: false },
    );
    return result.created;
  }

  async getSuppression(email: string): Promise<SuppressionEntry | undefined> {
    return this.getParsed(keys.suppression(email), SuppressionEntry);
  }

  async isSuppressed(email: string): Promise<boolean> {
    return (await this.table.get(keys.suppression(email))) !== undefined;
  }

  /** Removes an address; false when it was not suppressed. */
  async removeSuppression(email: string): Promise<boolean> {
    return (await this.table.delete(keys.suppression(email))) !== undefined;
  }

  // ---------------------------------------------------------------------------
  // Internals
  // ---------------------------------------------------------------------------

  private isoNow(): string {
    return this.now().toISOString();
  }

  private accountItem(a: Account): Item & PrimaryKey {
    return { ...definedFields(a), ...keys.accountItem(a), entity: 'account' };
  }

  private contactItem(c: Contact): Item & PrimaryKey {
    return { ...definedFields(c), ...keys.contactItem(c), entity: 'contact' };
  }

  private enrollmentItem(e: Enrollment): Item & PrimaryKey {
    return { ...definedFields(e), ...keys.enrollmentItem(e), entity: 'enrollment' };
  }

  private touchItem(t: Touch): Item & PrimaryKey {
    return { ...definedFields(t), ...keys.touchItem(t), entity: 'touch' };
  }

  private taskItem(t: SdrTask): Item & PrimaryKey {
    return { ...definedFields(t), ...keys.taskItem(t), entity: 'task' };
  }

  private campaignItem(c: Campaign): Item & PrimaryKey {
    return { ...definedFields(c), ...keys.campaignItem(c.campaignId), entity: 'campaign' };
  }

  /** Strips storage attributes and validates; a mismatch is a StoredItemInvalidError. */
  private parse<T>(schema: z.ZodType<T>, item: Item): T {
    const data: Record<string, unknown> = { ...item };
    for (const attribute of STORAGE_ATTRIBUTES) delete data[attribute];
    const parsed = schema.safeParse(data);
    if (!parsed.success) {
      throw new StoredItemInvalidError({ pk: String(item.pk), sk: String(item.sk) }, parsed.error.issues);
    }
    return parsed.data;
  }

  private async getParsed<T>(key: PrimaryKey, schema: z.ZodType<T>): Promise<T | undefined> {
    const item = await this.table.get(key);
    return item ? this.parse(schema, item) : undefined;
  }

  private async page<T>(
    query: KeyQuery,
    schema: z.ZodType<T>,
    page: PageRequest,
    extra: Partial<QueryParams> = {},
  ): Promise<Page<T>> {
    const result = await this.table.query({
      ...this.queryParams(query),
      limit: page.limit ?? 50,
      cursor: page.cursor,
      ...extra,
    });
    return { items: result.items.map((item) => this.parse(schema, item)), cursor: result.cursor };
  }

  private async all<T>(
    query: KeyQuery,
    schema: z.ZodType<T>,
    maxItems: number,
    consistent = false,
  ): Promise<T[]> {
    const items = await this.table.queryAll({ ...this.queryParams(query), consistent }, { maxItems });
    return items.map((item) => this.parse(schema, item));
  }

  private queryParams(query: KeyQuery): QueryParams {
    return {
      index: query.index,
      pk: query.pk,
      sk: query.beginsWith === undefined ? undefined : { beginsWith: query.beginsWith },
    };
  }

  /** Versioned update of an existing entity; undefined when absent, the current value when mutate declines. */
  private async update<T>(
    key: PrimaryKey,
    schema: z.ZodType<T>,
    toItem: (value: T) => Item,
    mutate: (value: T) => T | undefined,
    versionAttribute?: string,
  ): Promise<T | undefined> {
    const result = await this.table.updateVersioned(
      key,
      (current) => {
        if (!current) return undefined;
        const next = mutate(this.parse(schema, current));
        return next === undefined ? undefined : toItem(schema.parse({ ...next, updatedAt: this.isoNow() }));
      },
      { versionAttribute },
    );
    return result.item ? this.parse(schema, result.item) : undefined;
  }

  /** Put-if-absent that always reports the existing value on a duplicate (bounded re-tries on a racing delete). */
  private async createOnce<T>(item: Item & PrimaryKey, schema: z.ZodType<T>): Promise<CreateResult<T>> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const result = await this.table.putIfAbsent(item);
      if (result.created) return { created: true, value: this.parse(schema, item) };
      if (result.existing) return { created: false, existing: this.parse(schema, result.existing) };
    }
    throw new VersionConflictError({ pk: item.pk, sk: item.sk }, 3);
  }

  private async accountOfTask(taskId: string): Promise<string | undefined> {
    const { items } = await this.table.query({ ...this.queryParams(keys.taskById(taskId)), limit: 1 });
    const accountId = items[0]?.accountId;
    return typeof accountId === 'string' ? accountId : undefined;
  }

  private async latestSequenceItem(sequenceId: string): Promise<Item | undefined> {
    const { items } = await this.table.query({
      ...this.queryParams(keys.sequenceVersions(sequenceId)),
      forward: false,
      limit: 1,
      consistent: true,
    });
    return items[0];
  }

  private parseSequence(item: Item): Sequence {
    const key = { pk: String(item.pk), sk: String(item.sk) };
    const envelope = SequenceVersionItem.safeParse(item);
    if (!envelope.success) throw new StoredItemInvalidError(key, envelope.error.issues);
    const definition = SequenceInput.safeParse(envelope.data.definition);
    if (!definition.success) throw new StoredItemInvalidError(key, definition.error.issues);
    return { ...definition.data, version: envelope.data.version, createdAt: envelope.data.createdAt };
  }

  /** Moves the head forward only (a slower writer of an older version never moves it back). */
  private async advanceSequenceHead(sequenceId: string, name: string, version: number): Promise<void> {
    await this.table.updateVersioned(keys.sequenceHead(sequenceId), (current) => {
      const latest = typeof current?.latestVersion === 'number' ? current.latestVersion : 0;
      if (latest >= version) return undefined;
      return {
        ...keys.sequenceHeadItem(sequenceId),
        entity: 'sequenceHead',
        sequenceId,
        name,
        latestVersion: version,
        updatedAt: this.isoNow(),
      };
    });
  }

  private parseScoreState<T>(key: PrimaryKey, item: Item, schema: z.ZodType<T>): VersionedState<T> {
    const envelope = ScoreStateItem.safeParse(item);
    if (!envelope.success) throw new StoredItemInvalidError(key, envelope.error.issues);
    const state = schema.safeParse(envelope.data.state);
    if (!state.success) throw new StoredItemInvalidError(key, state.error.issues);
    return { state: state.data, version: envelope.data.version, updatedAt: envelope.data.updatedAt };
  }
}

/** A copy without undefined values (so a merge never erases a stored field by accident). */
function definedFields<T extends object>(value: T): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}
