/**
 * Local mode's HTTP server: node:http on loopback in front of the API router's transport-neutral
 * `handleHttp` (the same router Lambda serves through API Gateway). The router does the auth
 * (bearer token on every `iam` route; /health and /unsubscribe are public), validation, errors
 * and the body limit; this file only moves bytes and logs one line per request. It also serves the
 * built web console under /console/ (lib/local/console-static.ts), which needs no token.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_MAX_BODY_BYTES, type Router } from '../../functions/api/router';
import { DEFAULT_CONSOLE_DIR, isConsolePath, serveConsole } from './console-static';

export interface LocalHttpOptions {
  host: string;
  port: number;
  /** Bodies larger than this are refused with 413 before being read whole (the router's limit). */
  maxBodyBytes?: number;
  /** One line per request; omit for quiet. */
  log?: (line: string) => void;
  /** The built console served at /console/ (default: console/dist in this checkout). */
  consoleDir?: string;
}

export interface LocalHttp {
  server: Server;
  url: string;
  port: number;
  close(): Promise<void>;
}

const errorBody = (code: string, message: string) =>
  JSON.stringify({ error: { code, message, details: [] } });

async function readBody(req: IncomingMessage, limit: number): Promise<string | 'too_large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return 'too_large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function startHttp(router: Router, options: LocalHttpOptions): Promise<LocalHttp> {
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const consoleDir = options.consoleDir ?? DEFAULT_CONSOLE_DIR;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://local');
    let status = 500;
    try {
      if (isConsolePath(url.pathname)) {
        req.resume();
        status = await serveConsole(consoleDir, req.method ?? 'GET', url.pathname, res);
        return;
      }
      const body = await readBody(req, limit);
      if (body === 'too_large') {
        status = 413;
        res.writeHead(413, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
        res.end(errorBody('payload_too_large', `the body is larger than ${limit} bytes`));
        return;
      }
      const query: Record<string, string> = {};
      for (const [k, v] of url.searchParams) if (!(k in query)) query[k] = v;
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers))
        if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      const out = await router.handleHttp({
        method: req.method ?? 'GET',
        path: url.pathname,
        query,
        headers,
        body,
      });
      status = out.status;
      // One buffer with its length (API Gateway answers with Content-Length too): without it Node
      // sends the body chunked, two writes per response.
      const bytes = Buffer.from(out.body, 'utf8');
      res.writeHead(out.status, { ...out.headers, 'content-length': String(bytes.length) });
      res.end(bytes);
    } catch (err) {
      status = 500;
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
      res.end(errorBody('internal', (err as Error).message));
    } finally {
      options.log?.(`${req.method} ${url.pathname} ${status} ${(performance.now() - started).toFixed(1)}ms`);
    }
  }

  const server = createServer((req, res) => void handle(req, res));
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host;
  const url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`;
  let closed = false;
  return {
    server,
    url,
    port,
    async close() {
      if (closed) return;
      closed = true;
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections?.();
      // Requests in flight get a moment to finish; then connections are cut.
      const timer = setTimeout(() => server.closeAllConnections?.(), 2_000);
      await done;
      clearTimeout(timer);
    },
  };
}
