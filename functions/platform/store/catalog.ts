/**
 * The catalog: email templates (a partition each, listed under `TEMPLATES`) and versioned
 * sequences (a partition each: immutable `V#<version>` items and a `HEAD` listed under `SEQUENCES`).
 *
 * Concurrent writers (docs/api.md "Concurrent writes"): no read-modify-write with retries, which
 * under contention gives up (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/BestPractices_OptimisticLocking.html,
 * "Retry overhead in high contention"). A template is replaced by one UpdateItem whose version is an
 * atomic counter; a sequence takes its next version number from an atomic counter on its head
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/example_dynamodb_Scenario_AtomicCounterOperations_section.html)
 * and writes that version with attribute_not_exists. Every accepted write gets its own version.
 */
import * as z from 'zod';
import { IsoTimestamp, SequenceInput, type Sequence } from '../../kernel/model';
import {
  decode,
  definedFields,
  ItemTooLargeError,
  oversized,
  Repository,
  StoredItemInvalidError,
  keyOf,
  type PageRequest,
  pageOf,
  sizeChecked,
} from './codec';
import * as keys from './keys';
import {
  ConditionFailedError,
  type Condition,
  PreconditionFailedError,
  VersionConflictError,
  type Item,
  type Page,
  type Precondition,
  getItem,
  preconditionCondition,
  putIfAbsent,
  queryPage,
  updateItem,
} from './table';

/** The list view of a sequence (its head item). */
export const SequenceSummary = z.object({
  sequenceId: z.string(),
  name: z.string(),
  latestVersion: z.number().int().positive(),
  updatedAt: IsoTimestamp,
});
export type SequenceSummary = z.infer<typeof SequenceSummary>;

/** Templates are stored as given; readers validate with their schema. */
export const StoredTemplate = z.looseObject({ templateId: z.string() });
export type StoredTemplate = z.infer<typeof StoredTemplate>;

const SequenceVersionItem = z.object({
  version: z.number().int().positive(),
  createdAt: IsoTimestamp,
  definition: z.unknown(),
});

export interface CatalogRepositoryOptions {
  now?: () => Date;
  /**
   * Bound on version numbers one sequence save takes from the counter. A number is taken again only
   * when a conditional (If-Match) save wrote that version first, or the counter lags behind
   * versions written before it existed; each retry follows another writer's success.
   */
  maxSequenceAttempts?: number;
}

/** The parts of an email template: a save replaces them all (a part not given is removed). */
const TEMPLATE_PARTS = ['subject', 'html', 'text', 'byRole', 'byAccount'];

/** The attribute holding a template's compiled form (bytes: functions/kernel/template-compiled.ts). */
const COMPILED = 'compiledTemplate';

/** The head's counter of sequence version numbers handed out. */
const ALLOCATED = 'allocatedVersion';

/**
 * The catalog's reads at run time: one template, one sequence version (the engine, the scorer,
 * launches, reports). A class of its own so those functions carry none of the API's writes.
 */
export class CatalogReader extends Repository {
  /** A template, validated with the caller's schema when given. */
  async getTemplate(templateId: string): Promise<StoredTemplate | undefined>;
  async getTemplate<T>(templateId: string, schema: z.ZodType<T>): Promise<T | undefined>;
  async getTemplate(templateId: string, schema: z.ZodType<unknown> = StoredTemplate): Promise<unknown> {
    return this.getParsed(keys.template(templateId), schema);
  }

  /**
   * A template with the bytes of its compiled form as stored (absent for a template saved before
   * compiled forms existed): what the engine renders.
   */
  async getTemplateToRender(
    templateId: string,
  ): Promise<{ template: StoredTemplate; compiled?: Uint8Array } | undefined> {
    const item = await getItem(this.table, keys.template(templateId));
    if (!item) return undefined;
    const compiled = item[COMPILED];
    return {
      template: decode(StoredTemplate, item),
      ...(compiled instanceof Uint8Array ? { compiled } : {}),
    };
  }

  /**
   * Stores the compiled form of a template saved without one, if the template is still at that
   * version (a save in between brought its own); whether it was stored.
   */
  async saveCompiledTemplate(
    templateId: string,
    version: number | undefined,
    compiled: Uint8Array,
  ): Promise<boolean> {
    const condition: Condition =
      version === undefined
        ? {
            expression: 'attribute_exists(#t) AND attribute_not_exists(#v)',
            names: { '#t': 'templateId', '#v': 'version' },
          }
        : { expression: '#v = :v', names: { '#v': 'version' }, values: { ':v': version } };
    try {
      await sizeChecked(keys.template(templateId), () =>
        updateItem(this.table, keys.template(templateId), { set: { [COMPILED]: compiled } }, { condition }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionFailedError) return false;
      throw err;
    }
  }

  /** A specific version, or the latest when `version` is omitted. */
  async getSequence(sequenceId: string, version?: number): Promise<Sequence | undefined> {
    const item =
      version === undefined
        ? await this.latestSequenceItem(sequenceId)
        : await getItem(this.table, keys.sequenceVersion(sequenceId, version));
    return item ? parseSequence(item) : undefined;
  }

  protected async latestSequenceItem(sequenceId: string): Promise<Item | undefined> {
    const q = keys.sequenceVersions(sequenceId);
    const { items } = await queryPage(this.table, {
      pk: q.pk,
      sk: { beginsWith: q.beginsWith as string },
      forward: false,
      limit: 1,
      consistent: true,
    });
    return items[0];
  }
}

/** The whole catalog: the reads above, and the API's template and sequence writes and listings. */
export class CatalogRepository extends CatalogReader {
  private readonly maxSequenceAttempts: number;

  constructor(table: ConstructorParameters<typeof Repository>[0], options: CatalogRepositoryOptions = {}) {
    super(table, options);
    this.maxSequenceAttempts = options.maxSequenceAttempts ?? 25;
  }

  // ----- templates ------------------------------------------------------------------

  /**
   * Saves a template in one UpdateItem, without reading first: its parts are replaced and its
   * version (an atomic counter) goes up by one, so concurrent saves each count and the last one's
   * parts win. With a precondition (If-Match) it is written only if that holds, else
   * PreconditionFailedError with the stored version.
   */
  async putTemplate(
    templateId: string,
    template: Record<string, unknown>,
    options: { precondition?: Precondition; compiled?: Uint8Array } = {},
  ): Promise<{ template: StoredTemplate; version: number; created: boolean }> {
    const { version: _ignored, ...parts } = definedFields(template);
    const stored = { ...parts, templateId, updatedAt: this.isoNow() };
    const key = keys.template(templateId);
    const set: Record<string, unknown> = {
      ...stored,
      ...keys.templateItem(templateId),
      entity: 'template',
      // Its compiled form replaced with the parts (none given: removed, compiled when first rendered).
      ...(options.compiled ? { [COMPILED]: options.compiled } : {}),
    };
    delete set.pk;
    delete set.sk;
    const { precondition } = options;
    let old: Item | undefined;
    try {
      old = await sizeChecked(key, () =>
        updateItem(
          this.table,
          key,
          { set, remove: [...TEMPLATE_PARTS, COMPILED].filter((p) => !(p in set)), add: { version: 1 } },
          {
            returnValues: 'UPDATED_OLD',
            ...(precondition ? { condition: preconditionCondition(precondition) } : {}),
          },
        ),
      );
    } catch (err) {
      if (precondition && err instanceof ConditionFailedError)
        throw new PreconditionFailedError(key, await this.versionAt(key));
      throw err;
    }
    // UPDATED_OLD holds the version before this write's ADD: the one write between it and ours.
    const version = (typeof old?.version === 'number' ? old.version : 0) + 1;
    return { template: { ...stored, version }, version, created: old?.templateId === undefined };
  }

  async listTemplates<T>(page: PageRequest, schema: z.ZodType<T>): Promise<Page<T>> {
    return pageOf(this.table, keys.templateList(), schema, page);
  }

  // ----- sequences ------------------------------------------------------------------

  /**
   * Saves a new version of a sequence: validates it, takes the next number from the head's counter
   * (ADD, atomic: concurrent saves get distinct numbers without retrying) and writes that version
   * with attribute_not_exists, so a version is never overwritten. With a precondition (If-Match:
   * the latest version) the next version is written only if the latest is still the one matched,
   * else PreconditionFailedError with the latest version.
   */
  async saveSequence(
    input: z.input<typeof SequenceInput>,
    options: { precondition?: Precondition } = {},
  ): Promise<Sequence> {
    const definition = SequenceInput.parse(input);
    const createdAt = this.isoNow();
    const item = (version: number) => ({
      ...keys.sequenceVersion(definition.id, version),
      entity: 'sequenceVersion',
      sequenceId: definition.id,
      version,
      createdAt,
      definition,
    });
    // Checked before a number is taken, so a version too large to store leaves no gap.
    if (oversized(item(99_999_999))) throw new ItemTooLargeError(keys.sequenceHead(definition.id));
    const write = async (version: number) =>
      (await putIfAbsent(this.table, item(version), { fetchExisting: false })).created;
    const version = options.precondition
      ? await this.saveIfMatches(definition.id, options.precondition, write)
      : await this.saveNext(definition.id, write);
    await this.advanceSequenceHead(definition.id, definition.name, version);
    return { ...definition, version, createdAt };
  }

  /** The next number from the counter; a number someone already wrote moves the counter past it. */
  private async saveNext(sequenceId: string, write: (version: number) => Promise<boolean>): Promise<number> {
    const head = keys.sequenceHead(sequenceId);
    for (let attempt = 1; attempt <= this.maxSequenceAttempts; attempt++) {
      const counted = await updateItem(
        this.table,
        head,
        { add: { [ALLOCATED]: 1 } },
        { returnValues: 'UPDATED_NEW' },
      );
      const version = Number(counted?.[ALLOCATED]);
      if (await write(version)) return version;
      // Written by a conditional save, or before the counter existed: catch up with the latest.
      const latest = await this.latestSequenceItem(sequenceId);
      if (latest) await this.raiseCounter(sequenceId, parseSequence(latest).version);
    }
    throw new VersionConflictError(head, this.maxSequenceAttempts);
  }

  /** The version after the latest, if the latest is one the precondition names. */
  private async saveIfMatches(
    sequenceId: string,
    precondition: Precondition,
    write: (version: number) => Promise<boolean>,
  ): Promise<number> {
    const latestItem = await this.latestSequenceItem(sequenceId);
    const latest = latestItem ? parseSequence(latestItem).version : undefined;
    const head = keys.sequenceHead(sequenceId);
    if (latest === undefined) throw new PreconditionFailedError(head, undefined);
    if ('exists' in precondition) return this.saveNext(sequenceId, write);
    if (!precondition.versions.includes(latest) || !(await write(latest + 1))) {
      const now = await this.latestSequenceItem(sequenceId);
      throw new PreconditionFailedError(head, now ? parseSequence(now).version : latest);
    }
    // Unconditional saves take their numbers from the counter: move it past this one.
    await this.raiseCounter(sequenceId, latest + 1);
    return latest + 1;
  }

  /** Sets the counter to `version` unless it is there already. */
  private async raiseCounter(sequenceId: string, version: number): Promise<void> {
    try {
      await updateItem(
        this.table,
        keys.sequenceHead(sequenceId),
        { set: { [ALLOCATED]: version } },
        {
          condition: {
            expression: 'attribute_not_exists(#c) OR #c < :v',
            names: { '#c': ALLOCATED },
            values: { ':v': version },
          },
        },
      );
    } catch (err) {
      if (!(err instanceof ConditionFailedError)) throw err;
    }
  }

  /** The stored version of an item (0 when it has none), undefined when there is no item. */
  private async versionAt(key: keys.PrimaryKey): Promise<number | undefined> {
    const item = await getItem(this.table, key);
    if (!item) return undefined;
    return typeof item.version === 'number' ? item.version : 0;
  }

  /** Sequence ids with their latest version and name, by id, paged. */
  async listSequences(page: PageRequest = {}): Promise<Page<SequenceSummary>> {
    return pageOf(this.table, keys.sequenceList(), SequenceSummary, page);
  }

  /** Moves the head forward only (a slower writer of an older version never moves it back). */
  private async advanceSequenceHead(sequenceId: string, name: string, version: number): Promise<void> {
    const set = {
      ...keys.sequenceHeadItem(sequenceId),
      entity: 'sequenceHead',
      sequenceId,
      name,
      latestVersion: version,
      updatedAt: this.isoNow(),
    };
    delete (set as Partial<typeof set>).pk;
    delete (set as Partial<typeof set>).sk;
    try {
      await updateItem(
        this.table,
        keys.sequenceHead(sequenceId),
        { set },
        {
          condition: {
            expression: 'attribute_not_exists(#l) OR #l < :v',
            names: { '#l': 'latestVersion' },
            values: { ':v': version },
          },
        },
      );
    } catch (err) {
      if (!(err instanceof ConditionFailedError)) throw err;
    }
  }
}

function parseSequence(item: Item): Sequence {
  const envelope = SequenceVersionItem.safeParse(item);
  if (!envelope.success) throw new StoredItemInvalidError(keyOf(item), envelope.error.issues);
  const definition = SequenceInput.safeParse(envelope.data.definition);
  if (!definition.success) throw new StoredItemInvalidError(keyOf(item), definition.error.issues);
  return { ...definition.data, version: envelope.data.version, createdAt: envelope.data.createdAt };
}
