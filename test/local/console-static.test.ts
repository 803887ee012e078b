/**
 * Local mode serves the built console at /console/ (lib/local/console-static.ts): no token, content
 * types, the SPA fallback, nothing outside the folder, and a clear 503 before it is built.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Router } from '../../functions/api/router';
import { startHttp, type LocalHttp } from '../../lib/local/http';

const router: Router = {
  routes: [],
  handleHttp: async (req) => ({
    status: 401,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ error: { code: 'unauthorized', message: `router saw ${req.path}`, details: [] } }),
  }),
};

/** A raw request: fetch() would normalise `..` in the path before sending it. */
function raw(
  url: string,
  rawPath: string,
  method = 'GET',
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path: rawPath, method }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the console under /console/', () => {
  let dir: string;
  let http: LocalHttp;
  let empty: LocalHttp;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'abm-console-static-'));
    const dist = path.join(dir, 'dist');
    mkdirSync(path.join(dist, 'assets'), { recursive: true });
    writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>console</title>');
    writeFileSync(path.join(dist, 'assets', 'index-abc.js'), 'console.log(1)');
    writeFileSync(path.join(dist, 'assets', 'index-abc.css'), 'body{}');
    writeFileSync(path.join(dir, 'secret.txt'), 'outside');
    http = await startHttp(router, { host: '127.0.0.1', port: 0, consoleDir: dist });
    empty = await startHttp(router, { host: '127.0.0.1', port: 0, consoleDir: path.join(dir, 'missing') });
  });
  afterAll(async () => {
    await http.close();
    await empty.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the files without a token, each with its type and caching', async () => {
    const index = await raw(http.url, '/console/');
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers['cache-control']).toBe('no-cache');
    expect(index.headers['content-security-policy']).toContain("script-src 'self'");
    const js = await raw(http.url, '/console/assets/index-abc.js');
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toContain('immutable');
    expect(js.body).toBe('console.log(1)');
    expect((await raw(http.url, '/console/assets/index-abc.css')).headers['content-type']).toBe(
      'text/css; charset=utf-8',
    );
    const head = await raw(http.url, '/console/assets/index-abc.js', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('answers an app route with index.html, a missing asset with 404, /console with a redirect', async () => {
    const route = await raw(http.url, '/console/accounts/acme-1');
    expect(route.status).toBe(200);
    expect(route.body).toContain('<title>console</title>');
    expect((await raw(http.url, '/console/assets/missing.js')).status).toBe(404);
    const bare = await raw(http.url, '/console');
    expect(bare.status).toBe(308);
    expect(bare.headers.location).toBe('/console/');
    expect((await raw(http.url, '/console/', 'POST')).status).toBe(405);
  });

  it("tells the console to sign in with the local token (config.json; on AWS the deployment's own)", async () => {
    const config = await raw(http.url, '/console/config.json');
    expect(config.status).toBe(200);
    expect(config.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(config.headers['cache-control']).toBe('no-cache');
    expect(JSON.parse(config.body)).toEqual({ auth: 'token' });
    // Nothing else missing under that name pattern is invented.
    expect((await raw(http.url, '/console/other.json')).status).toBe(404);
  });

  it('never serves a file outside the folder', async () => {
    for (const probe of [
      '/console/../secret.txt',
      '/console/%2e%2e/secret.txt',
      '/console/..%2fsecret.txt',
      '/console/assets/..%2f..%2fsecret.txt',
      '/console/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/console/..%5csecret.txt',
      '/console/%00',
    ]) {
      const res = await raw(http.url, probe);
      expect(res.body, probe).not.toContain('outside');
    }
  });

  it('leaves the API to the router (which wants the token)', async () => {
    const res = await raw(http.url, '/consoles');
    expect(res.status).toBe(401);
    expect(res.body).toContain('router saw /consoles');
  });

  it('says how to build it when console/dist is missing', async () => {
    const res = await raw(empty.url, '/console/');
    expect(res.status).toBe(503);
    expect(res.body).toContain('npm run build:console');
  });
});
