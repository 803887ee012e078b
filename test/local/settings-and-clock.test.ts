import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalClock } from '../../lib/local/clock';
import { readSettings } from '../../lib/local/settings';

describe('local settings', () => {
  it('applies defaults and generates a token that survives a restart', () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'abm-settings-'));
    const first = readSettings({}, cwd);
    expect(first).toMatchObject({ port: 4000, sesPort: 8005, tokenGenerated: true });
    expect(first.clock).toMatchObject({ mode: 'interactive', start: Date.parse('2026-03-02T08:00:00Z') });
    expect(first.dataDir).toBe(path.join(cwd, '.abm-data'));
    expect(readFileSync(path.join(first.dataDir, 'api-token'), 'utf8').trim()).toBe(first.apiToken);
    expect(readSettings({}, cwd).apiToken).toBe(first.apiToken);
  });

  it('names the bad variable', () => {
    expect(() => readSettings({ ABM_PORT: 'eighty' }, tmpdir())).toThrow(/ABM_PORT/);
    expect(() => readSettings({ ABM_TIME_SCALE: '-1' }, tmpdir())).toThrow(/ABM_TIME_SCALE/);
    expect(() => readSettings({ ABM_API_TOKEN: 'short' }, tmpdir())).toThrow(/ABM_API_TOKEN/);
  });
});

describe('LocalClock, scaled', () => {
  it('runs simulated time scale times faster and converts back to real waits', () => {
    let real = 1_000_000;
    const clock = new LocalClock({
      mode: 'scaled',
      scale: 86400,
      start: Date.parse('2026-01-01T00:00:00Z'),
      realNow: () => real,
    });
    real += 1000;
    expect(clock.now().toISOString()).toBe('2026-01-02T00:00:00.000Z');
    expect(clock.realMsUntil('2026-01-04T00:00:00Z')).toBe(2000);
    expect(clock.realMsUntil('2025-12-01T00:00:00Z')).toBe(0);
  });
});
