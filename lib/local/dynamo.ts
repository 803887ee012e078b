/**
 * An in-process dynalite server with the account store's table created.
 * Tests: one per file on a random loopback port, in memory (`await startDynalite()`).
 * Local mode: persisted under the data folder (`startDynalite({ path, tableName })`), where the
 * table is created only the first time.
 *
 * The client of `connection` does not go through the loopback socket: its transport hands each
 * signed request to dynalite's own request listener in process (`inProcessTransport`). The client
 * still serialises and signs every call, and dynalite still parses, validates and answers it as
 * it does over HTTP; what is skipped is the TCP connection and both HTTP stacks, which were a
 * third of local mode's CPU under the API benchmark (docs/architecture.md "Local mode"). The
 * loopback port stays open for other clients (the endpoint).
 */
import type { AddressInfo } from 'node:net';
import { EventEmitter } from 'node:events';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import {
  createDynamoClient,
  createTable,
  upgradeTable,
  type DynamoClient,
  type DynamoConnection,
} from '../../functions/platform/store';
import type { DynamoTransport } from '../../functions/platform/store/dynamo-client';

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
  client: DynamoClient;
  stop(): Promise<void>;
}

export interface DynaliteOptions {
  tableName?: string;
  /** Folder for dynalite's LevelDB files; in memory when omitted. */
  path?: string;
  /** Loopback port; a random free one by default. */
  port?: number;
}

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** What dynalite's listener reads of a request and writes to a response (index.js `httpHandler`). */
class InProcessRequest extends EventEmitter {
  readonly method = 'POST';
  constructor(
    readonly url: string,
    readonly headers: Record<string, string>,
  ) {
    super();
  }
}

class InProcessResponse {
  statusCode = 200;
  constructor(private readonly done: (res: InProcessResponse, body: string) => void) {}
  setHeader(): void {}
  end(body?: string | Buffer): void {
    this.done(this, typeof body === 'string' ? body : (body?.toString('utf8') ?? ''));
  }
}

/**
 * A transport for the DynamoDB client that calls dynalite's request listener directly: the
 * request's path, headers and body in, status and body out.
 */
export function inProcessTransport(listener: RequestListener): DynamoTransport {
  return ({ url, headers, body }) =>
    new Promise((resolve, reject) => {
      const lower: Record<string, string> = {};
      for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase()] = String(v);
      const req = new InProcessRequest(url.pathname || '/', lower);
      const res = new InProcessResponse((r, text) => resolve({ statusCode: r.statusCode, body: text }));
      try {
        listener(req as unknown as IncomingMessage, res as unknown as ServerResponse);
        if (body.length > 0) req.emit('data', Buffer.from(body, 'utf8'));
        req.emit('end');
      } catch (err) {
        reject(err as Error);
      }
    });
}

export async function startDynalite(options: DynaliteOptions = {}): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, path: options.path });
  // dynalite answers through the listener it gave http.createServer (index.js `httpHandler`).
  const listener = server.listeners('request')[0] as RequestListener;
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
    transport: inProcessTransport(listener),
  };
  const client = createDynamoClient(connection);
  const tableName = options.tableName ?? `abm-test-${randomUUID().slice(0, 8)}`;
  await createTable(client, tableName, { ifNotExists: options.path !== undefined });
  // A data folder written by an older version may lack an index this one reads: rebuilt once.
  if (options.path !== undefined) await upgradeTable(client, tableName);

  let stopped = false;
  return {
    endpoint,
    tableName,
    connection,
    client,
    async stop() {
      if (stopped) return;
      stopped = true;
      client.destroy();
      server.closeAllConnections?.();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
