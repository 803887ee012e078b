/** The DynamoDB clients and the table of a runtime (Lambda: the SDK defaults; local mode: dynalite). */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { port } from '../compose';
import { createDocumentClient, Table, tableRef, type TableOptions } from './table';

export interface DynamoConnection {
  /** A local endpoint (dynalite); absent on AWS. */
  endpoint?: string;
  region?: string;
  credentials?: DynamoDBClientConfig['credentials'];
  /** How requests reach the endpoint (local mode: dynalite's listener in process); the SDK's default otherwise. */
  requestHandler?: DynamoDBClientConfig['requestHandler'];
}

/** The DynamoDB clients: the low-level one (table management) and the document client (items). */
export function connectDynamo(connection: DynamoConnection = {}): {
  base: DynamoDBClient;
  client: DynamoDBDocumentClient;
} {
  const base = new DynamoDBClient({
    ...(connection.endpoint ? { endpoint: connection.endpoint } : {}),
    ...(connection.region ? { region: connection.region } : {}),
    ...(connection.credentials ? { credentials: connection.credentials } : {}),
    ...(connection.requestHandler ? { requestHandler: connection.requestHandler } : {}),
  });
  // The SDK's logger middleware filters every input and output through the operation's schema to
  // hide sensitive fields before handing them to `logger.info`, even when the logger is the
  // default no-op one: a few per cent of the CPU of every call (profiled in local mode: 4% of the
  // API's). No client here is given a logger, so it is removed (the document client shares this stack).
  base.middlewareStack.remove('loggerMiddleware');
  return { base, client: createDocumentClient(base) };
}

/** The table of a store from a connection: what every runtime (Lambda, local mode, tests) builds first. */
export function openTable(tableName: string, connection: DynamoConnection = {}, options: TableOptions = {}) {
  const { base, client } = connectDynamo(connection);
  return { base, client, table: new Table(client, tableName, options) };
}

/**
 * The table port: the platform's single table, from `config.tableName` (and `config.dynamo`). A
 * `TableRef`, not a `Table`: the repositories call the table's operations as functions, so a
 * function's bundle carries only the operations its repositories use.
 */
export const TABLE = /* @__PURE__ */ port('table', (config) =>
  tableRef(connectDynamo(config.dynamo).client, config.tableName),
);
