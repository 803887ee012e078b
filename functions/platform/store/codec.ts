/**
 * What every repository shares: reading an item back through its schema (storage attributes never
 * reach callers; a mismatch is an error, not a silent default), writing a domain value as an item
 * (keys and the `entity` tag added, undefined fields left out), and the few read and write shapes
 * repeated across aggregates (a page, every page, a versioned update, a create-once).
 */
import type * as z from 'zod';
import { TABLE } from './client';
import { STORAGE_ATTRIBUTES, type ItemKeys, type KeyQuery, type PrimaryKey } from './keys';
import {
  VersionConflictError,
  type Item,
  type Page,
  type QueryParams,
  type TableRef,
  getItem,
  putIfAbsent,
  encodeCursor,
  queryAll,
  queryPage,
  updateVersioned,
} from './table';
import { INDEXES } from './table-definition';

export interface PageRequest {
  limit?: number;
  cursor?: string;
}

export type CreateResult<T> = { created: true; value: T } | { created: false; existing: T };

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

/** A copy without undefined values (so a merge never erases a stored field by accident). */
export function definedFields<T extends object>(value: T): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

/** The item without its storage attributes (keys, index keys, ttl, entity). */
export function stripStorage(item: Item): Item {
  const data: Item = { ...item };
  for (const attribute of STORAGE_ATTRIBUTES) delete data[attribute];
  return data;
}

export const keyOf = (item: Item): PrimaryKey => ({ pk: String(item.pk), sk: String(item.sk) });

/** Strips storage attributes and validates; a mismatch is a StoredItemInvalidError. */
export function decode<T>(schema: z.ZodType<T>, item: Item): T {
  const parsed = schema.safeParse(stripStorage(item));
  if (!parsed.success) throw new StoredItemInvalidError(keyOf(item), parsed.error.issues);
  return parsed.data;
}

/** A domain value as the item that stores it. */
export function encode(value: object, keys: ItemKeys, entity: string): Item & PrimaryKey {
  return { ...definedFields(value), ...keys, entity };
}

/**
 * The fields a patch gives, validated by `schema` (a partial of the item's schema): the defined ones
 * to set, as parsed, and the ones given as undefined to remove. Only those: parsing fills the
 * schema's defaults in, which must not overwrite what is stored.
 */
export function givenFields(schema: z.ZodType, patch: object): { set: Item; remove: string[] } {
  const parsed = schema.parse(patch) as Item;
  const set: Item = {};
  const remove: string[] = [];
  for (const [k, v] of Object.entries(patch))
    if (v === undefined) remove.push(k);
    else set[k] = parsed[k];
  return { set, remove };
}

/** DynamoDB's limit on one item: 400 KB, KB = 1024 bytes. */
export const MAX_ITEM_BYTES = 400 * 1024;

/**
 * An upper bound of the size DynamoDB counts for a value (docs: "DynamoDB item sizes and formats",
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html):
 * strings by their UTF-8 bytes, binary by its length, a number at most 21 bytes (38 significant digits, one byte per two,
 * plus one), booleans and null one byte, lists and maps 3 bytes plus one per element plus the
 * elements (and, in maps, their names).
 */
function valueBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number') return 21;
  // Binary: its length in bytes.
  if (value instanceof Uint8Array) return value.byteLength;
  if (Array.isArray(value)) return value.reduce<number>((n, v) => n + 1 + valueBytes(v), 3);
  if (value && typeof value === 'object')
    return Object.entries(value).reduce<number>(
      (n, [k, v]) => (v === undefined ? n : n + 1 + Buffer.byteLength(k, 'utf8') + valueBytes(v)),
      3,
    );
  return 1;
}

/** An item too large to write: its estimated size and the size of each attribute. */
export interface Oversized {
  bytes: number;
  attributes: Record<string, number>;
}

/**
 * When the item would exceed DynamoDB's 400 KB limit (a write of it would fail with a
 * ValidationException): its estimated size, attribute by attribute; undefined when it fits.
 */
export function oversized(item: Item): Oversized | undefined {
  let bytes = 0;
  const attributes: Record<string, number> = {};
  for (const [attribute, value] of Object.entries(item)) {
    if (value === undefined) continue;
    attributes[attribute] = Buffer.byteLength(attribute, 'utf8') + valueBytes(value);
    bytes += attributes[attribute];
  }
  return bytes > MAX_ITEM_BYTES ? { bytes, attributes } : undefined;
}

/** A write refused because the item would exceed DynamoDB's 400 KB item size limit. */
export class ItemTooLargeError extends Error {
  readonly code = 'ITEM_TOO_LARGE';
  constructor(readonly key: PrimaryKey) {
    super(`${key.pk} / ${key.sk} would exceed DynamoDB's 400 KB item size limit`);
    this.name = 'ItemTooLargeError';
  }
}

/** Runs a write; DynamoDB's "item size has exceeded the maximum allowed size" becomes ItemTooLargeError. */
export async function sizeChecked<T>(key: PrimaryKey, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    const e = err as { name?: string; message?: string } | undefined;
    if (e?.name === 'ValidationException' && /item size/i.test(e.message ?? ''))
      throw new ItemTooLargeError(key);
    throw err;
  }
}

export function queryParams(query: KeyQuery): QueryParams {
  return {
    index: query.index,
    pk: query.pk,
    sk: query.beginsWith === undefined ? undefined : { beginsWith: query.beginsWith },
  };
}

export interface RepositoryOptions {
  /** Injected clock (defaults to the system clock). */
  now?: () => Date;
}

/**
 * The base of every repository: the table, the clock, and the one-item shapes every aggregate uses
 * (a read through the schema, a versioned update); the collection and create shapes follow it.
 */
export abstract class Repository {
  /** The platform builds repositories over this port's table. */
  static readonly tablePort = TABLE;
  protected readonly now: () => Date;

  constructor(
    protected readonly table: TableRef,
    options: RepositoryOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  protected isoNow(): string {
    return this.now().toISOString();
  }

  protected async getParsed<T>(key: PrimaryKey, schema: z.ZodType<T>): Promise<T | undefined> {
    const item = await getItem(this.table, key);
    return item ? decode(schema, item) : undefined;
  }

  /** Versioned update of an existing entity; undefined when absent, the current value when mutate declines. */
  protected async updateExisting<T>(
    key: PrimaryKey,
    schema: z.ZodType<T>,
    toItem: (value: T) => Item,
    mutate: (value: T) => T | undefined,
    versionAttribute?: string,
  ): Promise<T | undefined> {
    const result = await updateVersioned(
      this.table,
      key,
      (current) => {
        if (!current) return undefined;
        const next = mutate(decode(schema, current));
        return next === undefined ? undefined : toItem(schema.parse({ ...next, updatedAt: this.isoNow() }));
      },
      { versionAttribute },
    );
    return result.item ? decode(schema, result.item) : undefined;
  }
}

// The collection and create shapes, as functions so that a repository class that never lists or
// creates (and its bundle) does not carry them, or the table operations they call.

/** One page of a key query, every item decoded with the schema. */
export async function pageOf<T>(
  table: TableRef,
  query: KeyQuery,
  schema: z.ZodType<T>,
  page: PageRequest,
  extra: Partial<QueryParams> = {},
): Promise<Page<T>> {
  const result = await queryPage(table, {
    ...queryParams(query),
    limit: page.limit ?? 50,
    cursor: page.cursor,
    ...extra,
  });
  return { items: result.items.map((item) => decode(schema, item)), cursor: result.cursor };
}

/**
 * A page of a query that has a filter: DynamoDB applies `Limit` before the filter, so one read may
 * hold fewer matches than asked for. This reads on until the page is full, the query is exhausted,
 * or `maxRead` items have been evaluated (the bound on one request's work: the page then comes back
 * short, with a cursor to go on from). A read that matches more than the page still needs is cut
 * after the last item kept, and the cursor is that item's key (what DynamoDB's LastEvaluatedKey
 * would be), so no match is skipped.
 */
export async function filteredPageOf<T>(
  table: TableRef,
  params: Omit<QueryParams, 'limit' | 'cursor'>,
  schema: z.ZodType<T>,
  page: { limit: number; cursor?: string; maxRead: number },
): Promise<Page<T> & { evaluated: number }> {
  const items: T[] = [];
  let cursor = page.cursor;
  let evaluated = 0;
  const keyNames = ['pk', 'sk', ...(params.index ? Object.values(INDEXES[params.index]) : [])];
  do {
    const want = page.limit - items.length;
    const read = params.filter ? Math.max(1, Math.min(1000, page.maxRead - evaluated)) : want;
    const result = await queryPage(table, { ...params, limit: read, cursor });
    // Limit counts the items read before the filter: with one, `read` bounds what this call evaluated.
    evaluated += params.filter ? read : result.items.length;
    cursor = result.cursor;
    if (result.items.length > want) {
      const kept = result.items.slice(0, want);
      const last = kept[kept.length - 1];
      cursor = encodeCursor(Object.fromEntries(keyNames.map((k) => [k, last[k]])));
      for (const item of kept) items.push(decode(schema, item));
      break;
    }
    for (const item of result.items) items.push(decode(schema, item));
  } while (cursor && items.length < page.limit && evaluated < page.maxRead);
  return { items, cursor, evaluated };
}

/** Every page of a key query up to `maxItems`, every item decoded with the schema. */
export async function allOf<T>(
  table: TableRef,
  query: KeyQuery,
  schema: z.ZodType<T>,
  maxItems: number,
  extra: Partial<QueryParams> = {},
): Promise<T[]> {
  const items = await queryAll(table, { ...queryParams(query), ...extra }, { maxItems });
  return items.map((item) => decode(schema, item));
}

/** Put-if-absent that always reports the existing value on a duplicate (bounded re-tries on a racing delete). */
export async function createOnce<T>(
  table: TableRef,
  item: Item & PrimaryKey,
  schema: z.ZodType<T>,
): Promise<CreateResult<T>> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const result = await putIfAbsent(table, item);
    if (result.created) return { created: true, value: decode(schema, item) };
    if (result.existing) return { created: false, existing: decode(schema, result.existing) };
  }
  throw new VersionConflictError({ pk: item.pk, sk: item.sk }, 3);
}
