/**
 * An in-process dynalite server with the account store's table created.
 * Tests: one per file on a random loopback port, in memory (`await startDynalite()`).
 * Local mode: persisted under the data folder (`startDynalite({ path, tableName })`), where the
 * table is created only the first time.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import {
  connectDynamo,
  createTable,
  upgradeTable,
  type DynamoConnection,
} from '../../functions/platform/store';

// dynalite ships no type declarations; load it through a typed require.
type Dynalite = (options: {
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
  path?: string;
}) => Server;
const dynalite = createRequire(__filename)('dynalite') as Dynalite;

export interface LocalDynamo {
  endpoint: string;
  tableName: string;
  /** How to reach it (what local mode's RuntimeConfig.dynamo takes). */
  connection: DynamoConnection;
  /** The low-level client (for CreateTable and friends). */
  base: ReturnType<typeof connectDynamo>['base'];
  client: ReturnType<typeof connectDynamo>['client'];
  stop(): Promise<void>;
}

export interface DynaliteOptions {
  tableName?: string;
  /** Folder for dynalite's LevelDB files; in memory when omitted. */
  path?: string;
  /** Loopback port; a random free one by default. */
  port?: number;
}

export async function startDynalite(options: DynaliteOptions = {}): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, path: options.path });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const connection: DynamoConnection = {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
  const { base, client } = connectDynamo(connection);
  const tableName = options.tableName ?? `abm-test-${randomUUID().slice(0, 8)}`;
  await createTable(base, tableName, { ifNotExists: options.path !== undefined });
  // A data folder written by an older version may lack an index this one reads: rebuilt once.
  if (options.path !== undefined) await upgradeTable(base, client, tableName);

  let stopped = false;
  return {
    endpoint,
    tableName,
    connection,
    base,
    client,
    async stop() {
      if (stopped) return;
      stopped = true;
      client.destroy();
      base.destroy();
      server.closeAllConnections?.();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
