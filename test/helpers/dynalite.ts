/**
 * An in-process dynalite server on a random loopback port with the account store's table created.
 * One per test file: `const db = await startDynalite()` in beforeAll, `await db.stop()` in afterAll.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createTable } from '../../functions/adapters/dynamo/table-definition';
import { createDocumentClient } from '../../functions/adapters/dynamo/table';

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
  /** The low-level client (for CreateTable and friends). */
  base: DynamoDBClient;
  client: DynamoDBDocumentClient;
  stop(): Promise<void>;
}

export async function startDynalite(options: { tableName?: string } = {}): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const base = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const client = createDocumentClient(base);
  const tableName = options.tableName ?? `abm-test-${randomUUID().slice(0, 8)}`;
  await createTable(base, tableName);

  let stopped = false;
  return {
    endpoint,
    tableName,
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
