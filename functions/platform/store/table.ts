/**
 * A thin typed layer over DynamoDB for the single table. Only single-item
 * conditional writes (no transactions, no PartiQL: docs/architecture.md "Data model"); optimistic concurrency through a
 * numeric version attribute with bounded, jittered retries; paged queries with opaque cursors;
 * batch puts that retry unprocessed items, bounded.
 *
 * Items are plain objects here and typed attribute values on the wire: the SDK's own codec
 * (`@aws-sdk/util-dynamodb`) converts them, with the options below. The client
 * (`dynamo-client.ts`) is built once by the caller (module scope in a Lambda) and injected.
 */
import { marshall, unmarshall, type NativeAttributeValue } from '@aws-sdk/util-dynamodb';
import { fullJitter } from '../../kernel/async';
import type { DynamoClient } from './dynamo-client';
import { INDEXES, PARTITION_KEY, SORT_KEY, type IndexName } from './table-definition';
import type { PrimaryKey } from './keys';

export type Item = Record<string, unknown>;

/** Undefined attributes are left out; a class instance is an error, not a map; numbers are numbers. */
const MARSHALL_OPTIONS = { removeUndefinedValues: true, convertClassInstanceToMap: false } as const;
const UNMARSHALL_OPTIONS = { wrapNumbers: false } as const;

type Wire = Record<string, unknown>;

/** An item (or a key, or expression values) in DynamoDB's wire form. */
export function toWire(item: object): Wire {
  return marshall(item as Record<string, NativeAttributeValue>, MARSHALL_OPTIONS) as Wire;
}

/** An item from DynamoDB's wire form. */
export function fromWire<T = Item>(item: unknown): T {
  return unmarshall(item as Parameters<typeof unmarshall>[0], UNMARSHALL_OPTIONS) as T;
}

const fromWireAll = <T>(items: unknown): T[] =>
  ((items as unknown[] | undefined) ?? []).map((i) => fromWire<T>(i));

// ---------------------------------------------------------------------------
// Typed errors
// ---------------------------------------------------------------------------

/** A conditional put or delete whose condition did not hold. */
export class ConditionFailedError extends Error {
  readonly code = 'CONDITION_FAILED';
  constructor(readonly key: PrimaryKey) {
    super(`condition failed for ${key.pk} / ${key.sk}`);
    this.name = 'ConditionFailedError';
  }
}

/** A read-modify-write that kept losing the race until its retries ran out. */
export class VersionConflictError extends Error {
  readonly code = 'VERSION_CONFLICT';
  constructor(
    readonly key: PrimaryKey,
    readonly attempts: number,
  ) {
    super(`version conflict on ${key.pk} / ${key.sk}: gave up after ${attempts} attempts`);
    this.name = 'VersionConflictError';
  }
}

/** A batch call still returned unprocessed items (writes) or keys (reads) after the last retry. */
class BatchIncompleteError extends Error {
  constructor(
    readonly code: 'BATCH_WRITE_INCOMPLETE' | 'BATCH_GET_INCOMPLETE',
    readonly unprocessed: number,
    readonly attempts: number,
  ) {
    const what = code === 'BATCH_WRITE_INCOMPLETE' ? 'batch write left {n} items' : 'batch get left {n} keys';
    super(`${what.replace('{n}', String(unprocessed))} unprocessed after ${attempts} attempts`);
    this.name = new.target.name;
  }
}

export class BatchWriteIncompleteError extends BatchIncompleteError {
  constructor(unprocessed: number, attempts: number) {
    super('BATCH_WRITE_INCOMPLETE', unprocessed, attempts);
  }
}

export class BatchGetIncompleteError extends BatchIncompleteError {
  constructor(unprocessed: number, attempts: number) {
    super('BATCH_GET_INCOMPLETE', unprocessed, attempts);
  }
}

/** A paging cursor that this table did not produce (maps to HTTP 400). */
export class InvalidCursorError extends Error {
  readonly code = 'INVALID_CURSOR';
  constructor() {
    super('invalid cursor');
    this.name = 'InvalidCursorError';
  }
}

const isConditionalCheckFailed = (err: unknown): boolean =>
  (err as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';

// ---------------------------------------------------------------------------
// Options and shapes
// ---------------------------------------------------------------------------

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Full-jitter exponential backoff: delay = random(0, min(maxDelayMs, baseDelayMs * 2^(attempt-1))). */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 10, baseDelayMs: 25, maxDelayMs: 1000 };

export interface TableOptions {
  /** Optimistic-concurrency retries (updateVersioned). */
  versionRetry?: Partial<RetryPolicy>;
  /** UnprocessedItems and UnprocessedKeys retries (batchPut, batchGet). */
  batchRetry?: Partial<RetryPolicy>;
  /** Injected for tests. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** A condition expression with its placeholders. */
export interface Condition {
  expression: string;
  names?: Record<string, string>;
  values?: Record<string, unknown>;
}

export type SortKeyCondition =
  | { beginsWith: string }
  | { eq: string }
  | { between: [string, string] }
  | { gt: string }
  | { gte: string }
  | { lt: string }
  | { lte: string };

export interface QueryParams {
  index?: IndexName;
  /** Value of the table's or the index's partition key. */
  pk: string;
  sk?: SortKeyCondition;
  filter?: Condition;
  /** Page size (1..1000). Note that DynamoDB applies Limit before the filter. */
  limit?: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
  /** Ascending sort-key order (default true). */
  forward?: boolean;
  /** Strongly consistent read; ignored on GSIs, which only support eventual consistency. */
  consistent?: boolean;
  /** Only these attributes (top-level or dotted) of each item; a page still reads up to 1 MB of items. */
  projection?: readonly string[];
}

export interface Page<T> {
  items: T[];
  /** Present when there may be more: pass it back as `cursor`. */
  cursor?: string;
}

export type PutIfAbsentResult<T> = { created: true } | { created: false; existing?: T };

export interface VersionedOptions {
  /** The numeric concurrency attribute (default `version`). */
  versionAttribute?: string;
  maxAttempts?: number;
}

export interface VersionedResult<T> {
  /** The item as stored after the call (undefined when absent and mutate declined). */
  item: T | undefined;
  attempts: number;
  /** False when mutate returned undefined (nothing written). */
  written: boolean;
  /** True when this call created the item. */
  created: boolean;
}

export type Mutate<T> = (current: T | undefined, attempt: number) => T | undefined | Promise<T | undefined>;

// ---------------------------------------------------------------------------
// The table and its operations
// ---------------------------------------------------------------------------

const KEY_ATTRIBUTES = new Set<string>([
  PARTITION_KEY,
  SORT_KEY,
  ...Object.values(INDEXES).flatMap((i) => [i.partitionKey, i.sortKey]),
]);

/**
 * What the operations below work on: the document client, the table's name and the retry policies.
 * The operations are functions of it, not methods, so a bundle carries only those its repositories
 * call (a class keeps every method); `Table` offers them all as methods, for scripts and tests.
 */
export interface TableRef {
  readonly client: DynamoClient;
  readonly tableName: string;
  readonly versionRetry: RetryPolicy;
  readonly batchRetry: RetryPolicy;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
}

export function tableRef(client: DynamoClient, tableName: string, options: TableOptions = {}): TableRef {
  if (!tableName) throw new Error('Table: a table name is required');
  return {
    client,
    tableName,
    versionRetry: { ...DEFAULT_RETRY, ...options.versionRetry },
    batchRetry: { ...DEFAULT_RETRY, ...options.batchRetry },
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    random: options.random ?? Math.random,
  };
}

export async function getItem<T extends Item = Item>(
  t: TableRef,
  key: PrimaryKey,
  options: { consistent?: boolean } = {},
): Promise<T | undefined> {
  const out = await t.client.send<{ Item?: unknown }>('GetItem', {
    TableName: t.tableName,
    Key: toWire(pick(key)),
    ConsistentRead: options.consistent ?? true,
  });
  return out.Item ? fromWire<T>(out.Item) : undefined;
}

/**
 * Puts the item only when no item has its key (or when `orIf` holds for the existing one, e.g. an
 * expired TTL). A failed condition is a duplicate, reported, not thrown; the existing item is read
 * back (consistent) unless `fetchExisting` is false.
 */
export async function putIfAbsent<T extends Item = Item>(
  t: TableRef,
  item: T & PrimaryKey,
  options: { orIf?: Condition; fetchExisting?: boolean } = {},
): Promise<PutIfAbsentResult<T>> {
  const absent: Condition = { expression: 'attribute_not_exists(#pk)', names: { '#pk': PARTITION_KEY } };
  const condition = options.orIf ? or(absent, options.orIf) : absent;
  try {
    await t.client.send('PutItem', {
      TableName: t.tableName,
      Item: toWire(item),
      ...conditionParams(condition),
    });
    return { created: true };
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
    if (options.fetchExisting === false) return { created: false };
    const existing = await getItem<T>(t, pick(item));
    return { created: false, existing };
  }
}

/** Puts (replaces) the item; with a condition, throws ConditionFailedError when it does not hold. */
export async function putItem(
  t: TableRef,
  item: Item & PrimaryKey,
  options: { condition?: Condition } = {},
): Promise<void> {
  await conditional(item, () =>
    t.client.send('PutItem', {
      TableName: t.tableName,
      Item: toWire(item),
      ...conditionParams(options.condition),
    }),
  );
}

/** Sends a conditional write; a condition that does not hold becomes ConditionFailedError for the key. */
async function conditional<O>(key: PrimaryKey, send: () => Promise<O>): Promise<O> {
  try {
    return await send();
  } catch (err) {
    if (isConditionalCheckFailed(err)) throw new ConditionFailedError(pick(key));
    throw err;
  }
}

/**
 * Read-modify-write under optimistic concurrency. Reads the item (strongly consistent), calls
 * `mutate`, and writes the result with the version attribute incremented, on the condition that
 * the stored version is still the one read. On a lost race it retries (jittered backoff), up to
 * `maxAttempts`, then throws VersionConflictError. `mutate` may run more than once: keep it free
 * of side effects. Returning undefined from `mutate` writes nothing.
 */
export async function updateVersioned<T extends Item = Item>(
  t: TableRef,
  key: PrimaryKey,
  mutate: Mutate<T>,
  options: VersionedOptions = {},
): Promise<VersionedResult<T>> {
  const va = options.versionAttribute ?? 'version';
  const maxAttempts = options.maxAttempts ?? t.versionRetry.maxAttempts;
  const k = pick(key);
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const current = await getItem<T>(t, k);
    const next = await mutate(current, attempt);
    if (next === undefined) return { item: current, attempts: attempt, written: false, created: false };
    const currentVersion = current?.[va];
    const hasVersion = typeof currentVersion === 'number';
    const stored = { ...next, ...k, [va]: (hasVersion ? currentVersion : 0) + 1 } as T;
    const condition: Condition =
      current === undefined
        ? { expression: 'attribute_not_exists(#pk)', names: { '#pk': PARTITION_KEY } }
        : hasVersion
          ? { expression: '#v = :v', names: { '#v': va }, values: { ':v': currentVersion } }
          : {
              expression: 'attribute_exists(#pk) AND attribute_not_exists(#v)',
              names: { '#pk': PARTITION_KEY, '#v': va },
            };
    try {
      await t.client.send('PutItem', {
        TableName: t.tableName,
        Item: toWire(stored),
        ...conditionParams(condition),
      });
      return { item: stored, attempts: attempt, written: true, created: current === undefined };
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
      if (attempt < maxAttempts) await t.sleep(backoff(t, t.versionRetry, attempt));
    }
  }
  throw new VersionConflictError(k, maxAttempts);
}

/** One page of a query on the table or a GSI. */
export async function queryPage<T extends Item = Item>(t: TableRef, params: QueryParams): Promise<Page<T>> {
  const keyNames = params.index
    ? { pk: INDEXES[params.index].partitionKey, sk: INDEXES[params.index].sortKey }
    : { pk: PARTITION_KEY, sk: SORT_KEY };
  const names: Record<string, string> = { '#qpk': keyNames.pk };
  const values: Record<string, unknown> = { ':qpk': params.pk };
  let keyCondition = '#qpk = :qpk';
  if (params.sk) {
    names['#qsk'] = keyNames.sk;
    keyCondition += ` AND ${sortKeyExpression(params.sk, values)}`;
  }
  if (params.filter) {
    Object.assign(names, params.filter.names);
    Object.assign(values, params.filter.values);
  }
  const limit =
    params.limit === undefined ? undefined : Math.min(Math.max(Math.trunc(params.limit), 1), 1000);
  const input = {
    TableName: t.tableName,
    IndexName: params.index,
    KeyConditionExpression: keyCondition,
    FilterExpression: params.filter?.expression,
    ProjectionExpression: params.projection && projectionExpression(params.projection, names),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: toWire(values),
    ScanIndexForward: params.forward ?? true,
    Limit: limit,
    ExclusiveStartKey: params.cursor ? toWire(decodeCursor(params.cursor, params)) : undefined,
    ConsistentRead: params.index ? undefined : (params.consistent ?? false),
  };
  const out = await t.client.send<{ Items?: unknown[]; LastEvaluatedKey?: unknown }>('Query', input);
  return {
    items: fromWireAll<T>(out.Items),
    cursor: out.LastEvaluatedKey ? encodeCursor(fromWire(out.LastEvaluatedKey)) : undefined,
  };
}

/** Every page of a query, up to `maxItems` (a bound, not a page size; default 10,000). */
export async function queryAll<T extends Item = Item>(
  t: TableRef,
  params: Omit<QueryParams, 'cursor'>,
  options: { maxItems?: number } = {},
): Promise<T[]> {
  const maxItems = options.maxItems ?? 10_000;
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await queryPage<T>(t, { ...params, cursor });
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor && items.length < maxItems);
  return items.slice(0, maxItems);
}

/**
 * Puts many items, 25 per BatchWriteItem, retrying UnprocessedItems with jittered backoff up to the
 * batch retry policy's attempts; throws BatchWriteIncompleteError when items remain. Unconditional:
 * use only where overwriting is right. Items must have distinct keys.
 */
export async function batchPut(
  t: TableRef,
  items: (Item & PrimaryKey)[],
): Promise<{ written: number; calls: number }> {
  let calls = 0;
  for (let i = 0; i < items.length; i += 25) {
    // Unprocessed requests come back in wire form, as they were sent: resent as they are.
    let requests: unknown[] = items.slice(i, i + 25).map((item) => ({ PutRequest: { Item: toWire(item) } }));
    for (let attempt = 1; ; attempt++) {
      calls++;
      const out = await t.client.send<{ UnprocessedItems?: Record<string, unknown[]> }>('BatchWriteItem', {
        RequestItems: { [t.tableName]: requests },
      });
      const unprocessed = out.UnprocessedItems?.[t.tableName] ?? [];
      if (unprocessed.length === 0) break;
      if (attempt >= t.batchRetry.maxAttempts)
        throw new BatchWriteIncompleteError(unprocessed.length, attempt);
      requests = unprocessed;
      await t.sleep(backoff(t, t.batchRetry, attempt));
    }
  }
  return { written: items.length, calls };
}

/**
 * Reads many items by key, 100 keys per BatchGetItem, retrying UnprocessedKeys with jittered backoff
 * up to the batch retry policy's attempts. Items come back in no particular order; absent keys are
 * simply missing. `projection` names top-level or dotted attributes to read (e.g. `state.history`).
 */
export async function batchGet<T extends Item = Item>(
  t: TableRef,
  keys: readonly PrimaryKey[],
  options: { consistent?: boolean; projection?: readonly string[] } = {},
): Promise<T[]> {
  const found: T[] = [];
  const projection = options.projection ? projectionParams(options.projection) : {};
  for (let i = 0; i < keys.length; i += 100) {
    let requestKeys: unknown[] = keys.slice(i, i + 100).map((k) => toWire(pick(k)));
    for (let attempt = 1; requestKeys.length > 0; attempt++) {
      const out = await t.client.send<{
        Responses?: Record<string, unknown[]>;
        UnprocessedKeys?: Record<string, { Keys?: unknown[] }>;
      }>('BatchGetItem', {
        RequestItems: {
          [t.tableName]: { Keys: requestKeys, ConsistentRead: options.consistent, ...projection },
        },
      });
      found.push(...fromWireAll<T>(out.Responses?.[t.tableName]));
      requestKeys = out.UnprocessedKeys?.[t.tableName]?.Keys ?? [];
      if (requestKeys.length === 0) break;
      if (attempt >= t.batchRetry.maxAttempts) throw new BatchGetIncompleteError(requestKeys.length, attempt);
      await t.sleep(backoff(t, t.batchRetry, attempt));
    }
  }
  return found;
}

/** What an UpdateItem changes: `set` values, `setIfAbsent` values only where the item has none, `add` to numbers, `remove` attributes. */
export interface ItemChanges {
  set?: Item;
  /** `SET #a = if_not_exists(#a, :v)`: a value kept once written (createdAt, the first stage). */
  setIfAbsent?: Item;
  /** Numbers (an atomic counter), or string sets (adding an element twice is a no-op). */
  add?: Record<string, number | ReadonlySet<string>>;
  remove?: readonly string[];
}

/**
 * An UpdateItem of named attributes, for writes that must not read first: `set` values, `add` to
 * numbers (an atomic counter: concurrent adds all count, none is lost) or elements to string sets,
 * `remove` attributes. With a condition, throws ConditionFailedError when it does not hold.
 * `returnValues` asks for the item after the write (`ALL_NEW`) or the updated attributes as they
 * were before it (`UPDATED_OLD`: nothing when the write created the item); DynamoDB returns them from
 * the same atomic write
 * (https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/dynamodb/aws.sdk.kotlin.services.dynamodb.model/-update-item-request/return-values.html).
 */
export async function updateItem(
  t: TableRef,
  key: PrimaryKey,
  changes: ItemChanges,
  options: { condition?: Condition; returnValues?: 'ALL_NEW' | 'UPDATED_OLD' | 'UPDATED_NEW' } = {},
): Promise<Item | undefined> {
  const names: Record<string, string> = { ...options.condition?.names };
  const values: Record<string, unknown> = { ...options.condition?.values };
  const clauses: string[] = [];
  const placeholder = (kind: string, attribute: string, i: number) => {
    names[`#${kind}${i}`] = attribute;
    return `#${kind}${i}`;
  };
  const set = Object.entries(changes.set ?? {}).map(([attribute, value], i) => {
    values[`:s${i}`] = value;
    return `${placeholder('s', attribute, i)} = :s${i}`;
  });
  // if_not_exists (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html#Expressions.UpdateExpressions.SET.PreventingAttributeOverwrites)
  const setIfAbsent = Object.entries(changes.setIfAbsent ?? {}).map(([attribute, value], i) => {
    values[`:i${i}`] = value;
    const name = placeholder('i', attribute, i);
    return `${name} = if_not_exists(${name}, :i${i})`;
  });
  if (set.length + setIfAbsent.length > 0) clauses.push(`SET ${[...set, ...setIfAbsent].join(', ')}`);
  const add = Object.entries(changes.add ?? {}).map(([attribute, value], i) => {
    values[`:a${i}`] = value;
    return `${placeholder('a', attribute, i)} :a${i}`;
  });
  if (add.length > 0) clauses.push(`ADD ${add.join(', ')}`);
  const remove = (changes.remove ?? []).map((attribute, i) => placeholder('r', attribute, i));
  if (remove.length > 0) clauses.push(`REMOVE ${remove.join(', ')}`);
  const out = await conditional(key, () =>
    t.client.send<{ Attributes?: unknown }>('UpdateItem', {
      TableName: t.tableName,
      Key: toWire(pick(key)),
      UpdateExpression: clauses.join(' '),
      ConditionExpression: options.condition?.expression,
      ExpressionAttributeNames: names,
      ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: toWire(values) } : {}),
      ...(options.returnValues ? { ReturnValues: options.returnValues } : {}),
    }),
  );
  return out.Attributes ? fromWire<Item>(out.Attributes) : undefined;
}

/**
 * What a conditional write requires of the stored item (an HTTP `If-Match`): that it exists, or
 * that its version is one of these. Version 0 also matches an item written before it had a version.
 */
export type Precondition = { exists: true } | { versions: readonly number[] };

/** The precondition as a condition expression on the item's version attribute (default `version`). */
export function preconditionCondition(p: Precondition, versionAttribute = 'version'): Condition {
  const exists = 'attribute_exists(#ppk)';
  // No version can match (only weak or foreign entity tags): a condition that never holds.
  if ('exists' in p || p.versions.length === 0)
    return {
      expression: 'exists' in p ? exists : `${exists} AND attribute_not_exists(#ppk)`,
      names: { '#ppk': PARTITION_KEY },
    };
  const known = isIn(versionAttribute, p.versions, 'pv');
  const alternatives = [known.expression];
  if (p.versions.includes(0)) alternatives.push('attribute_not_exists(#pv)');
  return {
    expression: `${exists} AND (${alternatives.join(' OR ')})`,
    names: { '#ppk': PARTITION_KEY, ...known.names },
    values: known.values,
  };
}

/** `#<tag> IN (:<tag>0, ...)`: the attribute is one of the values (placeholders named by `tag`). */
export function isIn(attribute: string, values: readonly unknown[], tag: string): Condition {
  const placeholders: Record<string, unknown> = {};
  values.forEach((v, i) => (placeholders[`:${tag}${i}`] = v));
  return {
    expression: `#${tag} IN (${Object.keys(placeholders).join(', ')})`,
    names: { [`#${tag}`]: attribute },
    values: placeholders,
  };
}

/** `a AND b AND ...`; the placeholders of all must not clash. */
export function and(...conditions: Condition[]): Condition {
  return {
    expression: conditions.map((c) => `(${c.expression})`).join(' AND '),
    names: Object.assign({}, ...conditions.map((c) => c.names)),
    values: Object.assign({}, ...conditions.map((c) => c.values)),
  };
}

/** A conditional write whose precondition did not hold; `current` is the stored version (absent: no item). */
export class PreconditionFailedError extends Error {
  readonly code = 'PRECONDITION_FAILED';
  constructor(
    readonly key: PrimaryKey,
    readonly current: number | undefined,
  ) {
    super(
      current === undefined
        ? `${key.pk} / ${key.sk} does not exist`
        : `${key.pk} / ${key.sk} is at version ${current}`,
    );
    this.name = 'PreconditionFailedError';
  }
}

/** Deletes the item and returns what was there; with a condition, throws ConditionFailedError. */
export async function deleteItem<T extends Item = Item>(
  t: TableRef,
  key: PrimaryKey,
  options: { condition?: Condition } = {},
): Promise<T | undefined> {
  const out = await conditional(key, () =>
    t.client.send<{ Attributes?: unknown }>('DeleteItem', {
      TableName: t.tableName,
      Key: toWire(pick(key)),
      ReturnValues: 'ALL_OLD',
      ...conditionParams(options.condition),
    }),
  );
  return out.Attributes ? fromWire<T>(out.Attributes) : undefined;
}

function backoff(t: TableRef, policy: RetryPolicy, attempt: number): number {
  return fullJitter(attempt - 1, policy.baseDelayMs, policy.maxDelayMs, t.random);
}

/** The table with every operation above as a method (scripts, tests, local mode's seeding). */
export class Table implements TableRef {
  readonly versionRetry: RetryPolicy;
  readonly batchRetry: RetryPolicy;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;

  constructor(
    readonly client: DynamoClient,
    readonly tableName: string,
    options: TableOptions = {},
  ) {
    const ref = tableRef(client, tableName, options);
    this.versionRetry = ref.versionRetry;
    this.batchRetry = ref.batchRetry;
    this.sleep = ref.sleep;
    this.random = ref.random;
  }

  /** The same table with the methods (the ref itself when it is a Table already). */
  static of(ref: TableRef): Table {
    if (ref instanceof Table) return ref;
    const { client, tableName, versionRetry, batchRetry, sleep, random } = ref;
    return new Table(client, tableName, { versionRetry, batchRetry, sleep, random });
  }

  get<T extends Item = Item>(key: PrimaryKey, options?: { consistent?: boolean }): Promise<T | undefined> {
    return getItem<T>(this, key, options);
  }

  putIfAbsent<T extends Item = Item>(
    item: T & PrimaryKey,
    options?: { orIf?: Condition; fetchExisting?: boolean },
  ): Promise<PutIfAbsentResult<T>> {
    return putIfAbsent<T>(this, item, options);
  }

  put(item: Item & PrimaryKey, options?: { condition?: Condition }): Promise<void> {
    return putItem(this, item, options);
  }

  updateVersioned<T extends Item = Item>(
    key: PrimaryKey,
    mutate: Mutate<T>,
    options?: VersionedOptions,
  ): Promise<VersionedResult<T>> {
    return updateVersioned<T>(this, key, mutate, options);
  }

  query<T extends Item = Item>(params: QueryParams): Promise<Page<T>> {
    return queryPage<T>(this, params);
  }

  queryAll<T extends Item = Item>(
    params: Omit<QueryParams, 'cursor'>,
    options?: { maxItems?: number },
  ): Promise<T[]> {
    return queryAll<T>(this, params, options);
  }

  batchPut(items: (Item & PrimaryKey)[]): Promise<{ written: number; calls: number }> {
    return batchPut(this, items);
  }

  batchGet<T extends Item = Item>(
    keys: readonly PrimaryKey[],
    options?: { consistent?: boolean; projection?: readonly string[] },
  ): Promise<T[]> {
    return batchGet<T>(this, keys, options);
  }

  update(
    key: PrimaryKey,
    changes: ItemChanges,
    options?: { condition?: Condition; returnValues?: 'ALL_NEW' | 'UPDATED_OLD' | 'UPDATED_NEW' },
  ): Promise<Item | undefined> {
    return updateItem(this, key, changes, options);
  }

  delete<T extends Item = Item>(
    key: PrimaryKey,
    options?: { condition?: Condition },
  ): Promise<T | undefined> {
    return deleteItem<T>(this, key, options);
  }
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

function pick(key: PrimaryKey): PrimaryKey {
  return { pk: key.pk, sk: key.sk };
}

/** `a.b` paths as a ProjectionExpression, one `#p<n>` placeholder per name added to `names`. */
function projectionExpression(paths: readonly string[], names: Record<string, string>): string {
  let n = 0;
  return paths
    .map((p) =>
      p
        .split('.')
        .map((part) => {
          const ph = `#p${n++}`;
          names[ph] = part;
          return ph;
        })
        .join('.'),
    )
    .join(', ');
}

function projectionParams(paths: readonly string[]) {
  const names: Record<string, string> = {};
  return { ProjectionExpression: projectionExpression(paths, names), ExpressionAttributeNames: names };
}

function conditionParams(condition: Condition | undefined) {
  if (!condition) return {};
  const hasNames = condition.names && Object.keys(condition.names).length > 0;
  const hasValues = condition.values && Object.keys(condition.values).length > 0;
  return {
    ConditionExpression: condition.expression,
    ...(hasNames ? { ExpressionAttributeNames: condition.names } : {}),
    ...(hasValues ? { ExpressionAttributeValues: toWire(condition.values!) } : {}),
  };
}

/** `a OR b`; the placeholders of both must not clash. */
function or(a: Condition, b: Condition): Condition {
  return {
    expression: `(${a.expression}) OR (${b.expression})`,
    names: { ...a.names, ...b.names },
    values: { ...a.values, ...b.values },
  };
}

function sortKeyExpression(sk: SortKeyCondition, values: Record<string, unknown>): string {
  if ('beginsWith' in sk) {
    values[':qsk'] = sk.beginsWith;
    return 'begins_with(#qsk, :qsk)';
  }
  if ('between' in sk) {
    values[':qsk1'] = sk.between[0];
    values[':qsk2'] = sk.between[1];
    return '#qsk BETWEEN :qsk1 AND :qsk2';
  }
  const [op, value] = Object.entries(sk)[0] as [string, string];
  const symbol: Record<string, string> = { eq: '=', gt: '>', gte: '>=', lt: '<', lte: '<=' };
  values[':qsk'] = value;
  return `#qsk ${symbol[op]} :qsk`;
}

export function encodeCursor(lastEvaluatedKey: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(lastEvaluatedKey), 'utf8').toString('base64url');
}

/**
 * Decodes a cursor, accepting only an object of this table's key attributes with string values.
 * Given the query it is for, it accepts only what DynamoDB would take as that query's
 * ExclusiveStartKey, so a forged cursor is an InvalidCursorError (a 400), never a
 * ValidationException (a 500): exactly the key attributes of the table and of the queried index,
 * each 1 to 2,048 bytes (partition keys) or 1,024 bytes (sort keys)
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Constraints.html), the
 * query's own partition key value, and a sort key that satisfies the query's sort key condition.
 */
export function decodeCursor(
  cursor: string,
  query?: Pick<QueryParams, 'index' | 'pk' | 'sk'>,
): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new InvalidCursorError();
  const key = parsed as Record<string, unknown>;
  const entries = Object.entries(key);
  if (entries.length === 0 || !entries.every(([k, v]) => KEY_ATTRIBUTES.has(k) && typeof v === 'string')) {
    throw new InvalidCursorError();
  }
  if (query) {
    const index = query.index ? INDEXES[query.index] : undefined;
    const partitionKeys = [PARTITION_KEY, ...(index ? [index.partitionKey] : [])];
    const sortKeys = [SORT_KEY, ...(index ? [index.sortKey] : [])];
    if (entries.length !== partitionKeys.length + sortKeys.length) throw new InvalidCursorError();
    const fits = (name: string, max: number) => {
      const value = key[name];
      return typeof value === 'string' && value.length > 0 && Buffer.byteLength(value, 'utf8') <= max;
    };
    if (!partitionKeys.every((k) => fits(k, 2048)) || !sortKeys.every((k) => fits(k, 1024)))
      throw new InvalidCursorError();
    if (key[index?.partitionKey ?? PARTITION_KEY] !== query.pk) throw new InvalidCursorError();
    if (query.sk && !satisfies(key[index?.sortKey ?? SORT_KEY] as string, query.sk))
      throw new InvalidCursorError();
  }
  return key as Record<string, string>;
}

/** Whether a sort key value meets a key condition, compared as DynamoDB does (UTF-8 bytes). */
function satisfies(value: string, condition: SortKeyCondition): boolean {
  const cmp = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
  if ('beginsWith' in condition) return value.startsWith(condition.beginsWith);
  if ('between' in condition)
    return cmp(value, condition.between[0]) >= 0 && cmp(value, condition.between[1]) <= 0;
  if ('eq' in condition) return value === condition.eq;
  if ('gt' in condition) return cmp(value, condition.gt) > 0;
  if ('gte' in condition) return cmp(value, condition.gte) >= 0;
  if ('lt' in condition) return cmp(value, condition.lt) < 0;
  return cmp(value, condition.lte) <= 0;
}

/**
 * A client that counts the operations sent through it, by name (the benchmarks report DynamoDB
 * calls and writes per event or per account). `writes()` counts every write operation.
 */
export function countingClient(inner: DynamoClient) {
  const counts: Record<string, number> = {};
  const client: DynamoClient = {
    send(operation, input) {
      counts[operation] = (counts[operation] ?? 0) + 1;
      return inner.send(operation, input);
    },
    destroy: () => inner.destroy(),
  };
  const writes = () =>
    (counts.PutItem ?? 0) +
    (counts.UpdateItem ?? 0) +
    (counts.DeleteItem ?? 0) +
    (counts.BatchWriteItem ?? 0) +
    (counts.TransactWriteItems ?? 0);
  const calls = () => Object.values(counts).reduce((a, b) => a + b, 0);
  const reset = () => Object.keys(counts).forEach((k) => delete counts[k]);
  return { client, counts, writes, calls, reset };
}
