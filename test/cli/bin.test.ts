import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApi, type FakeApi } from '../support/cli';

const BIN = join(__dirname, '..', '..', 'bin', 'abm.js');

function runBin(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('bin/abm.js as a real process', () => {
  let api: FakeApi;
  beforeAll(async () => {
    api = await startFakeApi();
    api.on('GET /health', { body: { status: 'ok', version: '9.9.9' } });
  });
  afterAll(() => api.close());

  it('--help prints the command list and exits 0', async () => {
    const { code, stdout, stderr } = await runBin(['--help']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: abm <command>');
    expect(stdout).toContain('campaigns launch');
  });

  it('calls the API and exits with the command exit code', async () => {
    const ok = await runBin(['health', '--json'], { ABM_ENDPOINT: api.url });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ status: 'ok', version: '9.9.9' });
    const usage = await runBin(['nonsense']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('unknown command "nonsense"');
  });
});
