/**
 * TransactWriteItems in local mode's DynamoDB (patches/dynalite+4.0.0.patch adds it; dynalite
 * 4.0.0 has none), as DynamoDB documents it
 * (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html):
 * every action or none, one cancellation reason per action in request order, one item at most
 * once per request, no update of a key attribute. The groundwork of campaign counters written with
 * the state they count. One difference stays: here a transaction that meets another on an item
 * waits for it, where DynamoDB cancels it with a TransactionConflict reason
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html#transaction-conflict-handling);
 * code that writes transactions must retry those on AWS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toWire, fromWire } from '../../../functions/platform/store/table';
import { DynamoError } from '../../../functions/platform/store/dynamo-client';
import { startDynalite, type LocalDynamo } from '../../support/dynalite';

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite();
});
afterAll(() => db?.stop());

const key = (sk: string) => toWire({ pk: 'T#1', sk });
const get = async (sk: string) => {
  const out = await db.client.send<{ Item?: unknown }>('GetItem', {
    TableName: db.tableName,
    Key: key(sk),
    ConsistentRead: true,
  });
  return out.Item ? fromWire<Record<string, unknown>>(out.Item) : undefined;
};
const addOne = (sk: string) => ({
  Update: {
    TableName: db.tableName,
    Key: key(sk),
    UpdateExpression: 'ADD #n :one',
    ExpressionAttributeNames: { '#n': 'n' },
    ExpressionAttributeValues: toWire({ ':one': 1 }),
  },
});

describe('TransactWriteItems (dynalite, patched)', () => {
  it('applies every action: a conditional put and a counter update', async () => {
    await db.client.send('TransactWriteItems', {
      TransactItems: [
        {
          Put: {
            TableName: db.tableName,
            Item: toWire({ pk: 'T#1', sk: 'ITEM#a', status: 'claimed' }),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        addOne('COUNTER'),
      ],
    });
    expect(await get('ITEM#a')).toMatchObject({ status: 'claimed' });
    expect(await get('COUNTER')).toMatchObject({ n: 1 });
  });

  it('applies none when a condition fails, with a reason per action in request order', async () => {
    const error = await db.client
      .send('TransactWriteItems', {
        TransactItems: [
          addOne('COUNTER'),
          {
            Update: {
              TableName: db.tableName,
              Key: key('ITEM#a'),
              UpdateExpression: 'SET #s = :sent',
              ConditionExpression: '#s = :handing',
              ExpressionAttributeNames: { '#s': 'status' },
              ExpressionAttributeValues: toWire({ ':sent': 'sent', ':handing': 'handing_over' }),
            },
          },
          {
            ConditionCheck: {
              TableName: db.tableName,
              Key: key('ITEM#none'),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DynamoError);
    expect(error).toMatchObject({
      name: 'TransactionCanceledException',
      cancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
    });
    expect(await get('COUNTER')).toMatchObject({ n: 1 });
    expect(await get('ITEM#a')).toMatchObject({ status: 'claimed' });
  });

  it('refuses two actions on one item, and a request without actions', async () => {
    await expect(
      db.client.send('TransactWriteItems', { TransactItems: [addOne('COUNTER'), addOne('COUNTER')] }),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Transaction request cannot include multiple operations on one item',
    });
    await expect(db.client.send('TransactWriteItems', { TransactItems: [] })).rejects.toMatchObject({
      name: 'ValidationException',
    });
    await expect(
      db.client.send('TransactWriteItems', {
        TransactItems: [{ ...addOne('X'), Delete: { TableName: db.tableName, Key: key('X') } }],
      }),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('refuses an update of a key attribute, and cancels on a write the item cannot take', async () => {
    await expect(
      db.client.send('TransactWriteItems', {
        TransactItems: [
          {
            Update: {
              TableName: db.tableName,
              Key: key('COUNTER'),
              UpdateExpression: 'SET pk = :x',
              ExpressionAttributeValues: toWire({ ':x': 'T#2' }),
            },
          },
        ],
      }),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringMatching(/part of the key/),
    });
    const error = await db.client
      .send('TransactWriteItems', {
        TransactItems: [
          addOne('C#ok'),
          {
            Update: {
              TableName: db.tableName,
              Key: key('ITEM#a'),
              UpdateExpression: 'ADD #s :one',
              ExpressionAttributeNames: { '#s': 'status' },
              ExpressionAttributeValues: toWire({ ':one': 1 }),
            },
          },
        ],
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'TransactionCanceledException',
      cancellationReasons: [{ Code: 'None' }, { Code: 'ValidationError' }],
    });
    expect(await get('C#ok')).toBeUndefined();
    expect(await get('COUNTER')).toMatchObject({ pk: 'T#1', n: 1 });
  });

  it('local mode: concurrent transactions on the same items wait for each other, no count lost', async () => {
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        db.client.send('TransactWriteItems', {
          TransactItems: i % 2 ? [addOne('C#x'), addOne('C#y')] : [addOne('C#y'), addOne('C#x')],
        }),
      ),
    );
    expect(await get('C#x')).toMatchObject({ n: 40 });
    expect(await get('C#y')).toMatchObject({ n: 40 });
  });

  it('deletes, and keeps the indexes in step with what it writes', async () => {
    await db.client.send('TransactWriteItems', {
      TransactItems: [
        {
          Put: {
            TableName: db.tableName,
            Item: toWire({ pk: 'T#1', sk: 'IDX#1', gsi1pk: 'G#1', gsi1sk: 'a' }),
          },
        },
        { Delete: { TableName: db.tableName, Key: key('ITEM#a') } },
      ],
    });
    expect(await get('ITEM#a')).toBeUndefined();
    const indexed = await db.client.send<{ Items: unknown[] }>('Query', {
      TableName: db.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :g',
      ExpressionAttributeValues: toWire({ ':g': 'G#1' }),
    });
    expect(indexed.Items.map((i) => fromWire<{ sk: string }>(i).sk)).toEqual(['IDX#1']);
  });
});
