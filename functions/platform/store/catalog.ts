/**
 * The catalog: email templates (a partition each, listed under `TEMPLATES`) and versioned
 * sequences (a partition each: immutable `V#<version>` items and a `HEAD` listed under `SEQUENCES`).
 */
import * as z from 'zod';
import { IsoTimestamp, SequenceInput, type Sequence } from '../../kernel/model';
import { definedFields, Repository, StoredItemInvalidError, keyOf, type PageRequest, pageOf } from './codec';
import * as keys from './keys';
import {
  VersionConflictError,
  type Item,
  type Page,
  getItem,
  putIfAbsent,
  putItem,
  queryPage,
  updateVersioned,
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
  /** Bound on attempts for sequence version allocation. */
  maxSequenceAttempts?: number;
}

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
    this.maxSequenceAttempts = options.maxSequenceAttempts ?? 10;
  }

  // ----- templates ------------------------------------------------------------------

  async putTemplate(templateId: string, template: Record<string, unknown>): Promise<StoredTemplate> {
    const stored = { ...definedFields(template), templateId, updatedAt: this.isoNow() };
    await putItem(this.table, { ...stored, ...keys.templateItem(templateId), entity: 'template' });
    return stored;
  }

  async listTemplates<T>(page: PageRequest, schema: z.ZodType<T>): Promise<Page<T>> {
    return pageOf(this.table, keys.templateList(), schema, page);
  }

  // ----- sequences ------------------------------------------------------------------

  /**
   * Saves a new version of a sequence: validates it, takes the next version number and writes it
   * with attribute_not_exists, so a version is never overwritten; a concurrent save of the same
   * sequence takes the number after (bounded attempts, then VersionConflictError).
   */
  async saveSequence(input: z.input<typeof SequenceInput>): Promise<Sequence> {
    const definition = SequenceInput.parse(input);
    for (let attempt = 1; attempt <= this.maxSequenceAttempts; attempt++) {
      const latest = await this.latestSequenceItem(definition.id);
      const version = (latest ? parseSequence(latest).version : 0) + 1;
      const createdAt = this.isoNow();
      const result = await putIfAbsent(
        this.table,
        {
          ...keys.sequenceVersion(definition.id, version),
          entity: 'sequenceVersion',
          sequenceId: definition.id,
          version,
          createdAt,
          definition,
        },
        { fetchExisting: false },
      );
      if (!result.created) continue;
      await this.advanceSequenceHead(definition.id, definition.name, version);
      return { ...definition, version, createdAt };
    }
    throw new VersionConflictError(keys.sequenceHead(definition.id), this.maxSequenceAttempts);
  }

  /** Sequence ids with their latest version and name, by id, paged. */
  async listSequences(page: PageRequest = {}): Promise<Page<SequenceSummary>> {
    return pageOf(this.table, keys.sequenceList(), SequenceSummary, page);
  }

  /** Moves the head forward only (a slower writer of an older version never moves it back). */
  private async advanceSequenceHead(sequenceId: string, name: string, version: number): Promise<void> {
    await updateVersioned(this.table, keys.sequenceHead(sequenceId), (current) => {
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
}

function parseSequence(item: Item): Sequence {
  const envelope = SequenceVersionItem.safeParse(item);
  if (!envelope.success) throw new StoredItemInvalidError(keyOf(item), envelope.error.issues);
  const definition = SequenceInput.safeParse(envelope.data.definition);
  if (!definition.success) throw new StoredItemInvalidError(keyOf(item), definition.error.issues);
  return { ...definition.data, version: envelope.data.version, createdAt: envelope.data.createdAt };
}
