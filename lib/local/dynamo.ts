/**
 * An in-process dynalite server with the account store's table created.
 * Tests: one per file on a random loopback port, in memory (`await startDynalite()`).
 * Local mode: persisted under the data folder (`startDynalite({ path, tableName })`), where the
 * table is created only the first time.
 *
 * The clients of `connection` do not go through the loopback socket: their request handler hands
 * each signed request to dynalite's own request listener in process (`inProcessHandler`). The SDK
 * still serialises, signs and parses every call, and dynalite still parses, validates and answers
 * it as it does over HTTP; what is skipped is the TCP connection and both HTTP stacks, which were
 * a third of local mode's CPU under the API benchmark (docs/architecture.md "Local mode"). The
 * loopback port stays open for other clients (the endpoint).
 */
import type { AddressInfo } from 'node:net';
import { EventEmitter } from 'node:events';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
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

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;
type InProcessHandler = Exclude<DynamoConnection['requestHandler'], undefined>;

/** What dynalite's listener reads of a request and writes to a response (index.js `httpHandler`). */
class InProcessRequest extends EventEmitter {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly headers: Record<string, string>,
  ) {
    super();
  }
}

class InProcessResponse {
  statusCode = 200;
  contentType?: string;
  readonly headers: Record<string, string> = {};
  constructor(private readonly done: (res: InProcessResponse, body: Buffer) => void) {}
  setHeader(name: string, value: string | number): void {
    this.headers[name.toLowerCase()] = String(value);
  }
  end(body?: string | Buffer): void {
    this.done(this, typeof body === 'string' ? Buffer.from(body, 'utf8') : (body ?? Buffer.alloc(0)));
  }
}

/** The request body as bytes: the JSON protocol's body is a string or bytes (never compared as a string). */
function bodyBytes(body: unknown): Buffer {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body === undefined || body === null) return Buffer.alloc(0);
  throw new Error('in-process DynamoDB: a streamed request body is not supported');
}

/**
 * A request handler for the SDK (the role of its node-http-handler) that calls dynalite's request
 * listener directly: the request's method, path, headers and body in, status, headers and body out.
 */
export function inProcessHandler(listener: RequestListener): InProcessHandler {
  return {
    handle: (request: {
      method: string;
      path: string;
      query?: Record<string, string | string[] | null>;
      headers: Record<string, string>;
      body?: unknown;
    }) =>
      new Promise((resolve, reject) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(request.headers)) headers[k.toLowerCase()] = v;
        const query = new URLSearchParams();
        for (const [k, v] of Object.entries(request.query ?? {}))
          for (const value of Array.isArray(v) ? v : [v]) query.append(k, value ?? '');
        const search = query.toString();
        const req = new InProcessRequest(
          request.method,
          `${request.path}${search ? `?${search}` : ''}`,
          headers,
        );
        const res = new InProcessResponse((r, body) =>
          resolve({ response: { statusCode: r.statusCode, headers: r.headers, body } }),
        );
        try {
          listener(req as unknown as IncomingMessage, res as unknown as ServerResponse);
          const body = bodyBytes(request.body);
          if (body.length > 0) req.emit('data', body);
          req.emit('end');
        } catch (err) {
          reject(err as Error);
        }
      }),
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
  } as unknown as InProcessHandler;
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
    requestHandler: inProcessHandler(listener),
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
