/**
 * Test helpers for the CLI: a fake API (node:http on 127.0.0.1, port 0) that records every request
 * and answers with contract-shaped bodies, and an in-memory CliIo.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { CliIo } from '../../lib/cli/io';
import { run } from '../../lib/cli/main';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  /** The body parsed as JSON, when it is JSON. */
  readonly json: unknown;
}

export interface FakeReply {
  readonly status?: number;
  readonly body?: unknown;
  readonly contentType?: string;
}

export type Route = (req: RecordedRequest) => FakeReply | Promise<FakeReply>;

export interface FakeApi {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Routes by `METHOD /path` (no query); unmatched requests get a 404 in the API's error shape. */
  readonly routes: Map<string, Route>;
  on(key: string, route: Route | FakeReply): void;
  close(): Promise<void>;
}

export async function startFakeApi(): Promise<FakeApi> {
  const requests: RecordedRequest[] = [];
  const routes = new Map<string, Route>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://fake');
        const body = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = body ? JSON.parse(body) : undefined;
        } catch {
          json = undefined;
        }
        const recorded: RecordedRequest = {
          method: req.method ?? 'GET',
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          headers: req.headers,
          body,
          json,
        };
        requests.push(recorded);
        const route = routes.get(`${recorded.method} ${recorded.path}`);
        let reply: FakeReply;
        try {
          reply = route
            ? await route(recorded)
            : {
                status: 404,
                body: {
                  error: { code: 'not_found', message: `no route ${recorded.method} ${recorded.path}` },
                },
              };
        } catch (err) {
          reply = { status: 500, body: { error: { code: 'fake_route_failed', message: String(err) } } };
        }
        const payload =
          reply.body === undefined
            ? ''
            : typeof reply.body === 'string'
              ? reply.body
              : JSON.stringify(reply.body);
        res.writeHead(reply.status ?? 200, { 'content-type': reply.contentType ?? 'application/json' });
        res.end(payload);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    routes,
    on(key, route) {
      routes.set(key, typeof route === 'function' ? route : () => route);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** A port nothing listens on: bind one, then close it. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

export interface TestIo extends CliIo {
  readonly out: string[];
  readonly err: string[];
  readonly sleeps: number[];
  stdoutText(): string;
  stderrText(): string;
}

export function testIo(
  options: {
    env?: Record<string, string | undefined>;
    cwd?: string;
    stdoutTTY?: boolean;
    stderrTTY?: boolean;
    interrupt?: AbortSignal;
    onSleep?: (ms: number) => void;
  } = {},
): TestIo {
  const out: string[] = [];
  const err: string[] = [];
  const sleeps: number[] = [];
  return {
    out,
    err,
    sleeps,
    stdout: { write: (s: string) => out.push(s), isTTY: options.stdoutTTY ?? false },
    stderr: { write: (s: string) => err.push(s), isTTY: options.stderrTTY ?? false },
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    interrupt: options.interrupt,
    sleep: async (ms) => {
      sleeps.push(ms);
      options.onSleep?.(ms);
    },
    now: () => new Date('2026-11-22T10:00:00Z'),
    stdoutText: () => out.join(''),
    stderrText: () => err.join(''),
  };
}

/** Runs the CLI in-process against `api` (the endpoint flag comes first so tests may override it). */
export async function abm(
  api: { url: string } | undefined,
  args: string[],
  io: TestIo = testIo(),
): Promise<{ code: number; io: TestIo; stdout: string; stderr: string }> {
  const code = await run(api ? ['--endpoint', api.url, ...args] : args, io);
  return { code, io, stdout: io.stdoutText(), stderr: io.stderrText() };
}

export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'abm-cli-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Registers the hooks of a CLI test suite (call it in a `describe`): before the first test it starts
 * a fake API and makes a temporary directory and hands both to `started`; before each test it clears
 * the API's routes and recorded requests; after the last test it closes the API and removes the
 * directory.
 */
export function cliSuite(started: (suite: { api: FakeApi; dir: string }) => void): void {
  let api: FakeApi | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    api = await startFakeApi();
    const temp = await tempDir();
    cleanup = temp.cleanup;
    started({ api, dir: temp.dir });
  });
  afterAll(async () => {
    await api?.close();
    await cleanup?.();
  });
  beforeEach(() => {
    if (!api) return;
    api.routes.clear();
    api.requests.length = 0;
  });
}
