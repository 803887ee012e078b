import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import {
  BatchWriteIncompleteError,
  ConditionFailedError,
  InvalidCursorError,
  Table,
  VersionConflictError,
  decodeCursor,
  encodeCursor,
  toWire,
} from '../../../functions/platform/store/table';
import type { DynamoClient, DynamoOperation } from '../../../functions/platform/store/dynamo-client';
import { startDynalite, type LocalDynamo } from '../../support/dynalite';

let db: LocalDynamo;
let table: Table;
const noSleep = { sleep: async () => undefined };

beforeAll(async () => {
  db = await startDynalite();
  table = new Table(db.client, db.tableName);
});
afterAll(async () => {
  await db?.stop();
});

describe('Table single-item writes', () => {
  it('putIfAbsent creates once and reports the existing item as a duplicate', async () => {
    const first = await table.putIfAbsent({ pk: 'T#1', sk: 'A', value: 1 });
    expect(first).toEqual({ created: true });
    const second = await table.putIfAbsent({ pk: 'T#1', sk: 'A', value: 2 });
    expect(second.created).toBe(false);
    expect(second.created === false && second.existing).toMatchObject({ value: 1 });
    expect(await table.get({ pk: 'T#1', sk: 'A' })).toMatchObject({ value: 1 });
  });

  it('putIfAbsent overwrites when the orIf condition holds (expired marker)', async () => {
    await table.put({ pk: 'T#ttl', sk: 'A', ttl: 100 });
    const orIf = { expression: '#t <= :now', names: { '#t': 'ttl' }, values: { ':now': 200 } };
    expect((await table.putIfAbsent({ pk: 'T#ttl', sk: 'A', ttl: 500 }, { orIf })).created).toBe(true);
    expect(
      await table.putIfAbsent({ pk: 'T#ttl', sk: 'A', ttl: 900 }, { orIf, fetchExisting: false }),
    ).toEqual({
      created: false,
    });
  });

  it('put with a failing condition throws ConditionFailedError; delete returns the old item', async () => {
    await table.put({ pk: 'T#2', sk: 'A', state: 'open' });
    const condition = { expression: '#s = :s', names: { '#s': 'state' }, values: { ':s': 'closed' } };
    await expect(table.put({ pk: 'T#2', sk: 'A', state: 'x' }, { condition })).rejects.toBeInstanceOf(
      ConditionFailedError,
    );
    await expect(table.delete({ pk: 'T#2', sk: 'A' }, { condition })).rejects.toBeInstanceOf(
      ConditionFailedError,
    );
    expect(await table.delete({ pk: 'T#2', sk: 'A' })).toMatchObject({ state: 'open' });
    expect(await table.delete({ pk: 'T#2', sk: 'A' })).toBeUndefined();
  });
});

describe('Table.updateVersioned', () => {
  it('creates with version 1, then increments; mutate returning undefined writes nothing', async () => {
    const key = { pk: 'V#1', sk: 'A' };
    const created = await table.updateVersioned<{ n: number }>(key, (cur) => ({ n: (cur?.n ?? 0) + 1 }));
    expect(created).toMatchObject({ created: true, written: true, attempts: 1, item: { n: 1, version: 1 } });
    const updated = await table.updateVersioned<{ n: number }>(key, (cur) => ({ n: (cur?.n ?? 0) + 1 }));
    expect(updated.item).toMatchObject({ n: 2, version: 2, pk: 'V#1', sk: 'A' });
    const declined = await table.updateVersioned(key, () => undefined);
    expect(declined).toMatchObject({ written: false, item: { version: 2 } });
  });

  it('20 concurrent writers lose no update', async () => {
    const key = { pk: 'V#race', sk: 'A' };
    await table.put({ ...key, ids: [], version: 5 });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        table.updateVersioned<{ ids: string[] }>(key, (cur) => ({ ids: [...(cur?.ids ?? []), `w${i}`] })),
      ),
    );
    const final = await table.get<{ ids: string[]; version: number }>(key);
    expect(final?.ids).toHaveLength(20);
    expect(new Set(final?.ids)).toEqual(new Set(Array.from({ length: 20 }, (_, i) => `w${i}`)));
    expect(final?.version).toBe(25);
    expect(results.some((r) => r.attempts > 1)).toBe(true);
  });

  it('a writer that always loses gets a VersionConflictError after exactly maxAttempts', async () => {
    const sleeps: number[] = [];
    const t = new Table(db.client, db.tableName, {
      versionRetry: { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 40 },
      sleep: async (ms) => void sleeps.push(ms),
    });
    const key = { pk: 'V#loser', sk: 'A' };
    await t.put({ ...key, n: 0, version: 1 });
    let calls = 0;
    const error = await t
      .updateVersioned<{ n: number }>(key, async (cur) => {
        calls++;
        // A competing writer slips in between this read and its write, every time.
        await table.updateVersioned<{ n: number }>(key, (c) => ({ n: (c?.n ?? 0) + 100 }));
        return { n: (cur?.n ?? 0) + 1 };
      })
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(VersionConflictError);
    expect((error as VersionConflictError).attempts).toBe(4);
    expect((error as VersionConflictError).code).toBe('VERSION_CONFLICT');
    expect(calls).toBe(4);
    expect(sleeps).toHaveLength(3);
    sleeps.forEach((ms, i) => expect(ms).toBeLessThanOrEqual(Math.min(40, 10 * 2 ** i)));
    expect(await t.get(key)).toMatchObject({ n: 400, version: 5 });
  });

  it('uses a custom version attribute', async () => {
    const key = { pk: 'V#rev', sk: 'A' };
    await table.updateVersioned(key, () => ({ version: 7 }), { versionAttribute: 'revision' });
    const r = await table.updateVersioned(key, (c) => ({ ...c, version: 7 }), {
      versionAttribute: 'revision',
    });
    expect(r.item).toMatchObject({ version: 7, revision: 2 });
  });
});

describe('Table.query paging', () => {
  it('pages with opaque cursors, both directions, and on a GSI', async () => {
    const items = Array.from({ length: 23 }, (_, i) => ({
      pk: 'Q#1',
      sk: `ITEM#${String(i).padStart(3, '0')}`,
      gsi1pk: 'QIDX',
      gsi1sk: `ITEM#${String(i).padStart(3, '0')}`,
      i,
    }));
    await table.batchPut(items);
    const seen: number[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await table.query<{ i: number }>({
        pk: 'Q#1',
        sk: { beginsWith: 'ITEM#' },
        limit: 10,
        cursor,
      });
      seen.push(...page.items.map((x) => x.i));
      cursor = page.cursor;
      pages++;
      expect(pages).toBeLessThan(10);
    } while (cursor);
    expect(seen).toEqual(items.map((x) => x.i));
    expect(cursor).toBeUndefined();

    const backwards = await table.query<{ i: number }>({
      index: 'gsi1',
      pk: 'QIDX',
      forward: false,
      limit: 5,
    });
    expect(backwards.items.map((x) => x.i)).toEqual([22, 21, 20, 19, 18]);
    expect(backwards.cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    const next = await table.query<{ i: number }>({
      index: 'gsi1',
      pk: 'QIDX',
      forward: false,
      limit: 5,
      cursor: backwards.cursor,
    });
    expect(next.items.map((x) => x.i)).toEqual([17, 16, 15, 14, 13]);

    const between = await table.query<{ i: number }>({
      pk: 'Q#1',
      sk: { between: ['ITEM#005', 'ITEM#007'] },
    });
    expect(between.items.map((x) => x.i)).toEqual([5, 6, 7]);
    expect(await table.queryAll({ pk: 'Q#1' }, { maxItems: 12 })).toHaveLength(12);
  });

  it('rejects a cursor it did not make', async () => {
    await expect(table.query({ pk: 'Q#1', cursor: 'not-json' })).rejects.toBeInstanceOf(InvalidCursorError);
    const foreign = encodeCursor({ pk: 'Q#1', other: 'x' });
    expect(() => decodeCursor(foreign)).toThrow(InvalidCursorError);
    expect(decodeCursor(encodeCursor({ pk: 'a', sk: 'b' }))).toEqual({ pk: 'a', sk: 'b' });
  });
});

describe('Table.batchPut', () => {
  it('writes more than 25 items in chunks', async () => {
    const items = Array.from({ length: 60 }, (_, i) => ({
      pk: 'B#1',
      sk: `I#${String(i).padStart(2, '0')}`,
    }));
    expect(await table.batchPut(items)).toEqual({ written: 60, calls: 3 });
    expect(await table.queryAll({ pk: 'B#1' })).toHaveLength(60);
  });

  it('retries UnprocessedItems with backoff', async () => {
    const wire = (item: object) => ({ PutRequest: { Item: toWire(item) } });
    const items = Array.from({ length: 3 }, (_, i) => ({ pk: 'B#m', sk: `I#${i}` }));
    const answers = [{ UnprocessedItems: { mocked: [wire(items[2]!)] } }, { UnprocessedItems: {} }];
    const fake = scripted({ BatchWriteItem: () => answers.shift() });
    const sleeps: number[] = [];
    const t = new Table(fake.client, 'mocked', {
      batchRetry: { baseDelayMs: 10 },
      sleep: async (ms) => void sleeps.push(ms),
      random: () => 0.5,
    });
    expect(await t.batchPut(items)).toEqual({ written: 3, calls: 2 });
    const calls = fake.calls('BatchWriteItem');
    expect(calls).toHaveLength(2);
    expect((calls[0]!.RequestItems as Record<string, unknown[]>).mocked).toEqual(items.map(wire));
    // The unprocessed request is sent again as DynamoDB returned it.
    expect((calls[1]!.RequestItems as Record<string, unknown[]>).mocked).toEqual([wire(items[2]!)]);
    expect(sleeps).toEqual([5]);
  });

  it('gives up with BatchWriteIncompleteError after the bounded attempts', async () => {
    const fake = scripted({
      BatchWriteItem: () => ({
        UnprocessedItems: { mocked: [{ PutRequest: { Item: toWire({ pk: 'x', sk: 'y' }) } }] },
      }),
    });
    const t = new Table(fake.client, 'mocked', { batchRetry: { maxAttempts: 3 }, ...noSleep });
    const error = await t.batchPut([{ pk: 'x', sk: 'y' }]).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(BatchWriteIncompleteError);
    expect(error).toMatchObject({ unprocessed: 1, attempts: 3 });
    expect(fake.calls('BatchWriteItem')).toHaveLength(3);
  });

  it('passes non-conditional errors through', async () => {
    const fake = scripted({
      PutItem: () => {
        throw Object.assign(new Error('boom'), { name: 'ProvisionedThroughputExceededException' });
      },
      GetItem: () => ({}),
    });
    const t = new Table(fake.client, 'mocked', noSleep);
    await expect(t.putIfAbsent({ pk: 'a', sk: 'b' })).rejects.toThrow('boom');
    await expect(t.updateVersioned({ pk: 'a', sk: 'b' }, () => ({}))).rejects.toThrow('boom');
    expect(fake.calls('PutItem')).toHaveLength(2);
  });
});

/** A client answering each operation from a script, keeping every input it was sent. */
function scripted(answers: Partial<Record<DynamoOperation, (input: Record<string, unknown>) => unknown>>) {
  const sent: { operation: DynamoOperation; input: Record<string, unknown> }[] = [];
  const client: DynamoClient = {
    async send<O>(operation: DynamoOperation, input: Record<string, unknown>) {
      sent.push({ operation, input });
      const answer = answers[operation];
      if (!answer) throw new Error(`unscripted ${operation}`);
      return answer(input) as O;
    },
    destroy() {},
  };
  return {
    client,
    calls: (op: DynamoOperation) => sent.filter((s) => s.operation === op).map((s) => s.input),
  };
}
