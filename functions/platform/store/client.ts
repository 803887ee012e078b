/** The DynamoDB client and the table of a runtime (Lambda: the Region's endpoint; local mode: dynalite in process). */
import { port } from '../compose';
import { createDynamoClient, type DynamoClient, type DynamoConnection } from './dynamo-client';
import { Table, tableRef, type TableOptions } from './table';

export type { DynamoClient, DynamoConnection } from './dynamo-client';

/** The DynamoDB client of a connection (one per process: it keeps its connections open). */
export function connectDynamo(connection: DynamoConnection = {}): DynamoClient {
  return createDynamoClient(connection);
}

/** The table of a store from a connection: what every runtime (Lambda, local mode, tests) builds first. */
export function openTable(tableName: string, connection: DynamoConnection = {}, options: TableOptions = {}) {
  const client = connectDynamo(connection);
  return { client, table: new Table(client, tableName, options) };
}

/**
 * The table port: the platform's single table, from `config.tableName` (and `config.dynamo`). A
 * `TableRef`, not a `Table`: the repositories call the table's operations as functions, so a
 * function's bundle carries only the operations its repositories use.
 */
export const TABLE = /* @__PURE__ */ port('table', (config) =>
  tableRef(connectDynamo(config.dynamo), config.tableName),
);
