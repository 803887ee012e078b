/**
 * dynalite 4.0.0 turns each abstract-level iterator into a stream whose destroy() calls
 * `iterator.return()`, which abstract-level iterators do not have: every Query and Scan left its
 * iterator open (and, on LevelDB, the snapshot it reads), about 25,000 after a load test and
 * 1.7 GB of RSS. patches/dynalite+4.0.0.patch closes them; this checks it at that depth, by
 * counting the iterators abstract-level holds open (`attachResource` / `detachResource`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynalite, type LocalDynamo } from '../../support/dynalite';

// The abstract-level that dynalite's level and memory-level extend (one copy in node_modules).
type Resources = { attachResource(r: object): void; detachResource(r: object): void };
const { AbstractLevel } = createRequire(require.resolve('dynalite'))('abstract-level') as {
  AbstractLevel: { prototype: Resources };
};

const open = new Set<object>();
let restore = () => {};
const isIterator = (r: object) => typeof (r as { next?: unknown }).next === 'function';

beforeAll(() => {
  const proto = AbstractLevel.prototype;
  const { attachResource, detachResource } = proto;
  restore = () => Object.assign(proto, { attachResource, detachResource });
  proto.attachResource = function (this: Resources, r: object) {
    if (isIterator(r)) open.add(r);
    return attachResource.call(this, r);
  };
  proto.detachResource = function (this: Resources, r: object) {
    open.delete(r);
    return detachResource.call(this, r);
  };
});

afterAll(() => restore());

/** Lets the closes that destroy() started settle (they are asynchronous). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

async function seed(db: LocalDynamo, items: number): Promise<void> {
  for (let i = 0; i < items; i += 25) {
    const batch = Array.from({ length: Math.min(25, items - i) }, (_, j) => ({
      PutRequest: {
        Item: {
          pk: { S: 'ACCOUNT#a' },
          sk: { S: `TOUCH#${String(i + j).padStart(4, '0')}` },
          gsi1pk: { S: 'CAMPAIGN#c' },
          gsi1sk: { S: `TOUCH#${String(i + j).padStart(4, '0')}` },
        },
      },
    }));
    await db.client.send('BatchWriteItem', { RequestItems: { [db.tableName]: batch } });
  }
}

/** Every way a read ends: the whole range, a page cut by Limit, an index, a scan. */
async function readAllWays(db: LocalDynamo, times: number): Promise<void> {
  const TableName = db.tableName;
  const account = { ':p': { S: 'ACCOUNT#a' } };
  for (let i = 0; i < times; i++) {
    await db.client.send('Query', {
      TableName,
      KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: account,
    });
    await db.client.send('Query', {
      TableName,
      KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: account,
      Limit: 3,
    });
    await db.client.send('Query', {
      TableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :c AND begins_with(gsi1sk, :t)',
      ExpressionAttributeValues: { ':c': { S: 'CAMPAIGN#c' }, ':t': { S: 'TOUCH#' } },
      Limit: 5,
      ScanIndexForward: false,
    });
    await db.client.send('Scan', { TableName, Limit: 4 });
  }
}

describe.each([
  ['in memory (memory-level)', false],
  ['persisted (LevelDB)', true],
])('dynalite %s closes the iterator of every read', (_name, persisted) => {
  let db: LocalDynamo;
  let dir: string | undefined;

  beforeAll(async () => {
    dir = persisted ? mkdtempSync(path.join(tmpdir(), 'abm-iterators-')) : undefined;
    db = await startDynalite({ path: dir, tableName: 'abm-iterators' });
    await seed(db, 40);
  });

  afterAll(async () => {
    await db.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the count of open iterators returns to its baseline after 100 queries and scans', async () => {
    await settle();
    const baseline = open.size;
    await readAllWays(db, 25);
    await settle();
    expect(open.size).toBe(baseline);
  });

  it('the counter sees an iterator while one is open (negative control)', async () => {
    const before = open.size;
    const { MemoryLevel } = createRequire(require.resolve('dynalite'))('memory-level') as {
      MemoryLevel: new () => { iterator(): { close(): Promise<void> }; open(): Promise<void> };
    };
    const level = new MemoryLevel();
    await level.open();
    const iterator = level.iterator();
    expect(open.size).toBe(before + 1);
    await iterator.close();
    expect(open.size).toBe(before);
  });
});
