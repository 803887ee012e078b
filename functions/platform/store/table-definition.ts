/**
 * The account store's table definition (docs/architecture.md "Data model"), shared by tests (dynalite) and local mode.
 * The CDK store construct creates the same table: keep the attribute and index names below in
 * step with it (they are exported so the construct can import them instead of repeating them).
 */
import type { DynamoClient } from './dynamo-client';

export const PARTITION_KEY = 'pk';
export const SORT_KEY = 'sk';
/** Epoch seconds. DynamoDB deletes expired items lazily (and dynalite never): readers filter too. */
export const TTL_ATTRIBUTE = 'ttl';

export const INDEXES = {
  gsi1: { partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  gsi2: { partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  gsi3: { partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
} as const;
export type IndexName = keyof typeof INDEXES;

/** The CreateTable input for the single table: pk/sk, three GSIs projecting ALL, on-demand billing. */
export function tableDefinition(tableName: string) {
  const indexNames = Object.keys(INDEXES) as IndexName[];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: PARTITION_KEY, AttributeType: 'S' },
      { AttributeName: SORT_KEY, AttributeType: 'S' },
      ...indexNames.flatMap((name) => [
        { AttributeName: INDEXES[name].partitionKey, AttributeType: 'S' as const },
        { AttributeName: INDEXES[name].sortKey, AttributeType: 'S' as const },
      ]),
    ],
    KeySchema: [
      { AttributeName: PARTITION_KEY, KeyType: 'HASH' },
      { AttributeName: SORT_KEY, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: indexNames.map((name) => ({
      IndexName: name,
      KeySchema: [
        { AttributeName: INDEXES[name].partitionKey, KeyType: 'HASH' as const },
        { AttributeName: INDEXES[name].sortKey, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'ALL' as const },
    })),
  };
}

export interface CreateTableOptions {
  /** Treat an existing table of that name as success (local mode restarts on a persisted store). */
  ifNotExists?: boolean;
  /** Bound on waiting for ACTIVE. */
  timeoutMs?: number;
}

/**
 * Creates the table and waits (bounded) until it is ACTIVE. TTL is not enabled here: dynalite has no
 * UpdateTimeToLive, and on AWS the CDK construct owns the table. Readers never rely on TTL deletion.
 */
export async function createTable(
  client: DynamoClient,
  tableName: string,
  options: CreateTableOptions = {},
): Promise<void> {
  try {
    await client.send('CreateTable', tableDefinition(tableName));
  } catch (err) {
    const exists = (err as Error).name === 'ResourceInUseException';
    if (!(exists && options.ifNotExists)) throw err;
  }
  await waitForTable(client, tableName, 'active', options.timeoutMs);
}

/**
 * Polls DescribeTable until the table and its indexes are ACTIVE, or until the table is gone
 * (after DeleteTable it stays DELETING for a while, on DynamoDB as in dynalite, and CreateTable
 * under its name is refused until then). Bounded: throws after `timeoutMs`.
 */
export async function waitForTable(
  client: DynamoClient,
  tableName: string,
  until: 'active' | 'gone',
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { Table } = await describeTable(client, tableName);
      const indexesActive = (Table?.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === 'ACTIVE');
      if (until === 'active' && Table?.TableStatus === 'ACTIVE' && indexesActive) return;
    } catch (err) {
      if (until === 'gone' && (err as Error).name === 'ResourceNotFoundException') return;
      throw err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `table ${tableName} not ${until === 'active' ? 'ACTIVE' : 'deleted'} after ${timeoutMs} ms`,
      );
    await new Promise((resolve) => setTimeout(resolve, until === 'active' ? 50 : 20));
  }
}

/** What DescribeTable says of the table (the fields read here). */
export function describeTable(client: DynamoClient, tableName: string) {
  return client.send<{
    Table?: {
      TableStatus?: string;
      GlobalSecondaryIndexes?: { IndexName?: string; IndexStatus?: string }[];
    };
  }>('DescribeTable', { TableName: tableName });
}
