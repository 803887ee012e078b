/**
 * Cursors (functions/platform/store/table.ts, decodeCursor): a cursor that decodes but is not a
 * start key DynamoDB would take for the query it is given to is an InvalidCursorError before any
 * call, whatever the index, so no list answers a forged cursor with a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InvalidCursorError,
  Table,
  decodeCursor,
  encodeCursor,
  type QueryParams,
} from '../../../functions/platform/store/table';
import { startDynalite, type LocalDynamo } from '../../support/dynalite';

let db: LocalDynamo;
let table: Table;

beforeAll(async () => {
  db = await startDynalite();
  table = new Table(db.client, db.tableName);
  await table.batchPut(
    Array.from({ length: 5 }, (_, i) => ({
      pk: 'C#1',
      sk: `ITEM#${i}`,
      gsi1pk: 'CIDX',
      gsi1sk: `ITEM#${i}`,
      gsi2pk: 'C2',
      gsi2sk: `ITEM#${i}`,
    })),
  );
});
afterAll(async () => {
  await db?.stop();
});

const onTable: QueryParams = { pk: 'C#1', sk: { beginsWith: 'ITEM#' }, limit: 2 };
const onGsi1: QueryParams = { index: 'gsi1', pk: 'CIDX', sk: { beginsWith: 'ITEM#' }, limit: 2 };

describe('decodeCursor against its query', () => {
  it('accepts the cursors the table hands out, on the table and on an index', async () => {
    for (const query of [onTable, onGsi1]) {
      const first = await table.query(query);
      expect(first.cursor).toBeDefined();
      const second = await table.query({ ...query, cursor: first.cursor });
      expect(second.items).toHaveLength(2);
    }
  });

  const forged: [string, QueryParams, Record<string, unknown>][] = [
    ['index keys on a table query', onTable, { pk: 'C#1', sk: 'ITEM#1', gsi1pk: 'CIDX', gsi1sk: 'ITEM#1' }],
    ['table keys only on an index query', onGsi1, { pk: 'C#1', sk: 'ITEM#1' }],
    ['keys of another index', onGsi1, { pk: 'C#1', sk: 'ITEM#1', gsi2pk: 'C2', gsi2sk: 'ITEM#1' }],
    ['another partition', onTable, { pk: 'C#2', sk: 'ITEM#1' }],
    ['another partition of the index', onGsi1, { pk: 'C#1', sk: 'ITEM#1', gsi1pk: 'X', gsi1sk: 'ITEM#1' }],
    ['a sort key outside the condition', onTable, { pk: 'C#1', sk: 'OTHER#1' }],
    ['an empty key', onTable, { pk: 'C#1', sk: '' }],
    ['a number for a key', onTable, { pk: 'C#1', sk: 1 }],
    ['a sort key over 1,024 bytes', onTable, { pk: 'C#1', sk: `ITEM#${'€'.repeat(340)}` }],
    [
      'a partition key over 2,048 bytes',
      onGsi1,
      { pk: 'x'.repeat(2049), sk: 's', gsi1pk: 'CIDX', gsi1sk: 'ITEM#1' },
    ],
    ['an unknown attribute', onTable, { pk: 'C#1', sk: 'ITEM#1', other: 'x' }],
  ];
  it.each(forged)('rejects %s before calling DynamoDB', async (_name, query, key) => {
    await expect(table.query({ ...query, cursor: encodeCursor(key) })).rejects.toBeInstanceOf(
      InvalidCursorError,
    );
  });

  it('checks every sort key condition as DynamoDB compares (UTF-8 bytes)', async () => {
    const key = (sk: string) => encodeCursor({ pk: 'C#1', sk });
    const ok = (sk: QueryParams['sk'], at: string) => table.query({ pk: 'C#1', sk, cursor: key(at) });
    await expect(ok({ between: ['ITEM#1', 'ITEM#3'] }, 'ITEM#2')).resolves.toBeDefined();
    await expect(ok({ between: ['ITEM#1', 'ITEM#3'] }, 'ITEM#4')).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(ok({ gt: 'ITEM#1' }, 'ITEM#2')).resolves.toBeDefined();
    await expect(ok({ gt: 'ITEM#1' }, 'ITEM#1')).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(ok({ lte: 'ITEM#3' }, 'ITEM#3')).resolves.toBeDefined();
    await expect(ok({ lt: 'ITEM#3' }, 'ITEM#3')).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(ok({ eq: 'ITEM#3' }, 'ITEM#2')).rejects.toBeInstanceOf(InvalidCursorError);
    // U+FFFD sorts after U+10000 in UTF-16 code units but before it in UTF-8 bytes, as DynamoDB
    // sorts (dynalite compares otherwise, so this one is checked without a call).
    const query = { pk: 'C#1', sk: { lt: '\u{10000}' } };
    expect(decodeCursor(key('\uFFFD'), query)).toEqual({ pk: 'C#1', sk: '\uFFFD' });
    expect(() => decodeCursor(key('\u{10001}'), query)).toThrow(InvalidCursorError);
  });
});
