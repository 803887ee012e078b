/**
 * Brings a persisted local-mode table up to the current definition (docs/architecture.md "Data
 * model"). dynalite cannot add a GSI to an existing table (its UpdateTable changes throughput
 * only), so a table missing an index is rebuilt: every item read, the table created again with
 * every index, and the items written back with the index keys of this version (an SDR task gains
 * its gsi3 entry, a campaign its
 * creation-time keys). Local mode's data folder is small; on AWS CloudFormation adds the index instead.
 */
import type { DynamoClient } from './dynamo-client';
import * as keys from './keys';
import { batchPut, fromWire, tableRef, type Item } from './table';
import { createTable, describeTable, INDEXES, waitForTable } from './table-definition';

/** The index keys this version gives an item that an older one stored (none for most items). */
export function currentIndexKeys(item: Item): Item {
  if (item.entity === 'task' && typeof item.taskId === 'string' && typeof item.dueAt === 'string')
    return { ...item, ...keys.taskItem(item as Parameters<typeof keys.taskItem>[0]) };
  if (item.entity === 'campaign' && typeof item.campaignId === 'string' && typeof item.createdAt === 'string')
    return { ...item, ...keys.campaignItem(item as Parameters<typeof keys.campaignItem>[0]) };
  return item;
}

/**
 * Rebuilds `tableName` when it lacks an index of the current definition; returns the number of
 * items carried over, or undefined when the table was current.
 */
export async function upgradeTable(client: DynamoClient, tableName: string): Promise<number | undefined> {
  const { Table } = await describeTable(client, tableName);
  const present = new Set((Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
  if (Object.keys(INDEXES).every((name) => present.has(name))) return undefined;
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await client.send<{ Items?: unknown[]; LastEvaluatedKey?: Record<string, unknown> }>(
      'Scan',
      { TableName: tableName, ExclusiveStartKey: start },
    );
    items.push(...(page.Items ?? []).map((i) => fromWire<Item>(i)));
    start = page.LastEvaluatedKey;
  } while (start);
  await client.send('DeleteTable', { TableName: tableName });
  await waitForTable(client, tableName, 'gone');
  await createTable(client, tableName);
  await batchPut(
    tableRef(client, tableName),
    items.map((i) => currentIndexKeys(i) as Item & keys.PrimaryKey),
  );
  return items.length;
}
