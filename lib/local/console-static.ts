/**
 * Local mode serves the built web console (console/dist, `npm run build:console`) at /console/
 * (docs/architecture.md "Console"). The static files need no token: they hold no data; every API
 * call the console makes carries the bearer token the user typed. Only GET and HEAD; a path that
 * names no file and has no extension is the single-page app's route and gets index.html; a path
 * outside the folder (`..`, encoded or not) is refused.
 */
import { createReadStream, promises as fs } from 'node:fs';
import type { ServerResponse } from 'node:http';
import * as path from 'node:path';

export const CONSOLE_PREFIX = '/console';

/** The built console in this checkout (lib/local -> console/dist). */
export const DEFAULT_CONSOLE_DIR = path.resolve(__dirname, '..', '..', 'console', 'dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * What the console's pages may load: its own scripts and styles (Chart.js sets inline styles on
 * its canvas), images in previewed mail from anywhere (https), calls to this origin only; the
 * template preview's iframe is sandboxed (srcdoc, no scripts).
 */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; " +
    "connect-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** How the console signs in; local mode: with the bearer token (`{"auth":"token"}`). */
const CONFIG_FILE = 'config.json';
const LOCAL_CONFIG = `${JSON.stringify({ auth: 'token' })}\n`;

export function isConsolePath(pathname: string): boolean {
  return pathname === CONSOLE_PREFIX || pathname.startsWith(`${CONSOLE_PREFIX}/`);
}

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
  extra: Record<string, string> = {},
) {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...SECURITY_HEADERS, ...extra });
  res.end(body);
}

async function fileAt(file: string): Promise<{ size: number } | undefined> {
  try {
    const st = await fs.stat(file);
    return st.isFile() ? { size: st.size } : undefined;
  } catch {
    return undefined;
  }
}

/** Answers one request under /console; returns the status sent. */
export async function serveConsole(
  root: string,
  method: string,
  pathname: string,
  res: ServerResponse,
): Promise<number> {
  if (method !== 'GET' && method !== 'HEAD') {
    send(res, 405, 'text/plain; charset=utf-8', 'the console is static: GET or HEAD\n', {
      allow: 'GET, HEAD',
    });
    return 405;
  }
  if (pathname === CONSOLE_PREFIX) {
    res.writeHead(308, { location: `${CONSOLE_PREFIX}/` });
    res.end();
    return 308;
  }
  let rel: string;
  try {
    rel = decodeURIComponent(pathname.slice(CONSOLE_PREFIX.length + 1));
  } catch {
    send(res, 400, 'text/plain; charset=utf-8', 'malformed path\n');
    return 400;
  }
  const base = path.resolve(root);
  const file = path.resolve(base, `.${path.sep}${rel}`);
  if (rel.includes('\0') || (file !== base && !file.startsWith(base + path.sep))) {
    send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
    return 404;
  }
  const index = path.join(base, 'index.html');
  const found = file === base ? undefined : await fileAt(file);
  // The console asks how to sign in (console/src/auth.ts): on AWS the deployment writes this file
  // with the user pool; here it is the bearer token the user types.
  if (!found && rel === CONFIG_FILE) {
    send(res, 200, 'application/json; charset=utf-8', method === 'HEAD' ? '' : LOCAL_CONFIG, {
      'cache-control': 'no-cache',
    });
    return 200;
  }
  // A route of the app (no extension) gets the app; a missing asset is a 404.
  const target = found ? file : path.extname(rel) === '' ? index : undefined;
  const size = target === index ? (await fileAt(index))?.size : found?.size;
  if (!target || size === undefined) {
    if (target === index) {
      send(
        res,
        503,
        'text/plain; charset=utf-8',
        `the console is not built (no ${index}): run npm run build:console\n`,
      );
      return 503;
    }
    send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
    return 404;
  }
  const type = TYPES[path.extname(target).toLowerCase()] ?? 'application/octet-stream';
  // Vite names what it builds under assets/ by content hash: they never change under a name.
  const immutable = target.startsWith(path.join(base, 'assets') + path.sep);
  res.writeHead(200, {
    'content-type': type,
    'content-length': String(size),
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    ...SECURITY_HEADERS,
  });
  if (method === 'HEAD') {
    res.end();
    return 200;
  }
  await new Promise<void>((resolve, reject) => {
    const stream = createReadStream(target);
    stream.on('error', reject);
    stream.on('end', resolve);
    stream.pipe(res);
  });
  return 200;
}
