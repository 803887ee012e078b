/** The table of a runtime (Lambda: the Region's endpoint; local mode: dynalite in process). */
import { port } from '../compose';
import { createDynamoClient } from './dynamo-client';
import { tableRef } from './table';

export type { DynamoClient, DynamoConnection } from './dynamo-client';

/**
 * The table port: the platform's single table, from `config.tableName` (and `config.dynamo`). A
 * `TableRef`, not a `Table`: the repositories call the table's operations as functions, so a
 * function's bundle carries only the operations its repositories use.
 */
export const TABLE = /* @__PURE__ */ port('table', (config) =>
  tableRef(createDynamoClient(config.dynamo), config.tableName),
);
