/**
 * `npm start` stops cleanly: SIGTERM to npm, or Ctrl-C (SIGINT to the whole process group, which
 * npm relays again to its child), always ends with "stopped; data saved", and what was written
 * before is there after a restart. The data folder is created owner-only.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocal } from '../../lib/local/runtime';
import { readSettings } from '../../lib/local/settings';
import { advance, apiClient, committee, freePort, until } from '../support/local';

const ROOT = path.join(__dirname, '..', '..');
const TOKEN = 'stop-e2e-token-0123456789';
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function npmStartThenStop(signal: 'SIGTERM' | 'SIGINT', toGroup: boolean) {
  const dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'abm-stop-')), 'data');
  dirs.push(path.dirname(dataDir));
  const port = await freePort();
  const child = spawn('npm', ['start'], {
    cwd: ROOT,
    detached: true, // its own process group, as a terminal's foreground job
    env: {
      ...process.env,
      ABM_PORT: String(port),
      ABM_SES_PORT: String(await freePort()),
      ABM_DATA_DIR: dataDir,
      ABM_API_TOKEN: TOKEN,
      ABM_CLOCK: 'simulate',
      ABM_QUIET: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  // npm may exit before its child: done is when every writer of the pipes (npm, node) has closed.
  const closed = (stream: NodeJS.ReadableStream) => new Promise((resolve) => stream.on('close', resolve));
  const ended = Promise.all([closed(child.stdout!), closed(child.stderr!)]);
  try {
    await until('npm start to be up', async () => out.includes('is up'), 60_000);
    const api = apiClient(`http://127.0.0.1:${port}`, TOKEN);
    expect((await api.call('POST', '/accounts/import', { accounts: [committee('initech', 2)] })).status).toBe(
      200,
    );
    const now = await advance(api, { by: 'P2D' });
    if (toGroup) process.kill(-child.pid!, signal);
    else child.kill(signal);
    await Promise.race([ended, new Promise((r) => setTimeout(r, 30_000))]);
    return { out, dataDir, now };
  } finally {
    try {
      process.kill(-child.pid!, 'SIGKILL'); // whatever is left of the group
    } catch {
      // nothing left
    }
  }
}

async function expectSaved(result: { out: string; dataDir: string; now: string }) {
  expect(result.out).toContain('stopped; data saved');
  expect(result.out).not.toContain('exiting now');
  expect(statSync(result.dataDir).mode & 0o777).toBe(0o700);
  expect(JSON.parse(readFileSync(path.join(result.dataDir, 'clock.json'), 'utf8')).now).toBe(result.now);
  // Started again on the same folder: the account and the clock are where they were.
  const rt = await startLocal(
    readSettings({ ABM_PORT: '0', ABM_SES_PORT: '0', ABM_DATA_DIR: result.dataDir, ABM_CLOCK: 'simulate' }),
    { quiet: true },
  );
  try {
    const api = apiClient(rt.url, rt.token);
    expect((await api.call('GET', '/accounts/initech')).status).toBe(200);
    expect((await api.call('GET', '/_local/clock')).json.now).toBe(result.now);
  } finally {
    await rt.stop();
  }
}

describe('npm start stops cleanly', () => {
  it('SIGTERM to npm: "stopped; data saved", and the data is there after a restart', async () => {
    await expectSaved(await npmStartThenStop('SIGTERM', false));
  }, 120_000);

  it('Ctrl-C (SIGINT to the process group, relayed by npm): one clean stop, not a forced exit', async () => {
    await expectSaved(await npmStartThenStop('SIGINT', true));
  }, 120_000);
});
