import { afterAll, describe, expect, it } from 'vitest';
import { keys, createStore, upgradeTable } from '../../../functions/platform/store';
import { Table, toWire } from '../../../functions/platform/store/table';
import {
  describeTable,
  tableDefinition,
  waitForTable,
} from '../../../functions/platform/store/table-definition';
import { startDynalite, type LocalDynamo } from '../../support/dynalite';

let db: LocalDynamo | undefined;
afterAll(() => db?.stop());

describe('upgradeTable (a local data folder written by an older version)', () => {
  it('rebuilds a table without gsi3 with every item, tasks and campaigns under their current index keys', async () => {
    db = await startDynalite();
    const name = 'abm-old';
    // The table as versions before gsi3 created it: gsi1 and gsi2 only.
    const current = tableDefinition(name);
    await db.client.send('CreateTable', {
      ...current,
      GlobalSecondaryIndexes: current.GlobalSecondaryIndexes.filter((i) => i.IndexName !== 'gsi3'),
      AttributeDefinitions: current.AttributeDefinitions.filter((a) => !a.AttributeName.startsWith('gsi3')),
    });
    // Written only once ACTIVE, as DynamoDB requires (a CREATING table answers ResourceNotFound).
    while ((await describeTable(db.client, name)).Table?.TableStatus !== 'ACTIVE')
      await new Promise((r) => setTimeout(r, 5));
    const task = {
      taskId: 't-1',
      accountId: 'acct-1',
      owner: 'sdr-ana',
      type: 'call',
      status: 'open',
      priority: 1,
      dueAt: '2026-11-23T10:00:00.000Z',
      reason: 'r',
      context: { talkingPoints: [], recentEngagement: [], lastTouches: [] },
      createdAt: '2026-11-23T08:00:00.000Z',
    };
    const { gsi3pk: _pk, gsi3sk: _sk, ...oldTaskKeys } = keys.taskItem(task);
    const put = (item: object) => db!.client.send('PutItem', { TableName: name, Item: toWire(item) });
    await put({ ...task, ...oldTaskKeys, entity: 'task' });
    const campaign = {
      campaignId: 'c-1',
      name: 'C',
      sequenceId: 's',
      version: 1,
      audience: { tier: 1 },
      holdoutPercent: 0,
      status: 'running',
      enrolled: 0,
      heldOut: 0,
      createdAt: '2026-11-23T08:00:00.000Z',
      updatedAt: '2026-11-23T08:00:00.000Z',
    };
    await put({
      ...campaign,
      ...keys.campaign('c-1'),
      gsi1pk: 'CAMPAIGNS',
      gsi1sk: 'CAMPAIGN#c-1',
      entity: 'campaign',
    });
    await put({ pk: 'OTHER', sk: 'X', n: 1 });

    expect(await upgradeTable(db.client, name)).toBe(3);
    const { Table: described } = await describeTable(db.client, name);
    expect(described!.GlobalSecondaryIndexes!.map((i) => i.IndexName).sort()).toEqual([
      'gsi1',
      'gsi2',
      'gsi3',
    ]);
    const store = createStore(new Table(db.client, name));
    expect((await store.tasks.listOfStatus('open')).items.map((t) => t.taskId)).toEqual(['t-1']);
    expect(
      (await store.campaigns.listNewest({ status: 'running', limit: 10 })).items.map((c) => c.campaignId),
    ).toEqual(['c-1']);
    // Current: nothing to do the second time.
    expect(await upgradeTable(db.client, name)).toBeUndefined();
  });
});

describe('waitForTable', () => {
  it('gives up with a named error when a deleted table never goes away, and when a table never turns ACTIVE', async () => {
    const deleting = { send: async () => ({ Table: { TableStatus: 'DELETING' } }), destroy() {} } as never;
    await expect(waitForTable(deleting, 'abm-stuck', 'gone', 60)).rejects.toThrow(
      'table abm-stuck not deleted after 60 ms',
    );
    await expect(waitForTable(deleting, 'abm-stuck', 'active', 60)).rejects.toThrow(
      'table abm-stuck not ACTIVE after 60 ms',
    );
  });

  it('returns once DescribeTable answers ResourceNotFoundException, and passes other errors on', async () => {
    let calls = 0;
    const goesAway = {
      send: async () => {
        calls += 1;
        if (calls < 3) return { Table: { TableStatus: 'DELETING' } };
        throw Object.assign(new Error('gone'), { name: 'ResourceNotFoundException' });
      },
      destroy() {},
    } as never;
    await waitForTable(goesAway, 'abm-old', 'gone', 5_000);
    expect(calls).toBe(3);
    const denied = {
      send: async () => {
        throw Object.assign(new Error('no'), { name: 'AccessDeniedException' });
      },
      destroy() {},
    } as never;
    await expect(waitForTable(denied, 'abm-old', 'gone', 5_000)).rejects.toThrow('no');
  });
});
