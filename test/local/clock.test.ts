/**
 * Local mode's clock (lib/local/clock.ts): settings pick the mode, an advance runs the timers falling
 * due in order and settles after each, simulate mode stands still.
 */
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ClockError, LocalClock } from '../../lib/local/clock';
import { readSettings } from '../../lib/local/settings';

const START = Date.parse('2026-03-02T08:00:00.000Z');
const DAY = 86_400_000;

describe('clock settings', () => {
  const dir = () => mkdtempSync(path.join(tmpdir(), 'abm-clock-'));

  it('picks the mode: ABM_CLOCK, else scaled when ABM_TIME_SCALE is set, else interactive', () => {
    expect(readSettings({}, dir()).clock.mode).toBe('interactive');
    expect(readSettings({ ABM_TIME_SCALE: '3600' }, dir()).clock).toMatchObject({
      mode: 'scaled',
      scale: 3600,
    });
    expect(readSettings({ ABM_CLOCK: 'scaled' }, dir()).clock).toMatchObject({
      mode: 'scaled',
      scale: 86_400,
    });
    expect(
      readSettings({ ABM_CLOCK: 'simulate', ABM_CLOCK_START: '2027-01-04T09:00:00Z' }, dir()).clock,
    ).toMatchObject({ mode: 'simulate', start: Date.parse('2027-01-04T09:00:00Z') });
  });

  it('refuses simulate with a time scale, naming both, and a bad mode or start', () => {
    expect(() => readSettings({ ABM_CLOCK: 'simulate', ABM_TIME_SCALE: '10' }, dir())).toThrow(
      /ABM_CLOCK=simulate and ABM_TIME_SCALE/,
    );
    expect(() => readSettings({ ABM_CLOCK: 'fast' }, dir())).toThrow(/ABM_CLOCK/);
    expect(() => readSettings({ ABM_CLOCK_START: 'monday' }, dir())).toThrow(/ABM_CLOCK_START/);
  });

  it('creates the data folder owner-only (0700)', () => {
    const settings = readSettings({ ABM_DATA_DIR: 'nested/data' }, dir());
    expect(statSync(settings.dataDir).mode & 0o777).toBe(0o700);
  });
});

describe('LocalClock, simulate', () => {
  it('stands still until advanced', async () => {
    const clock = new LocalClock({ mode: 'simulate', start: START });
    await new Promise((r) => setTimeout(r, 20));
    expect(clock.now().getTime()).toBe(START);
    expect((await clock.advance({ by: DAY })).getTime()).toBe(START + DAY);
  });

  it('runs the timers falling due in order (time, then key), each settled before the next', async () => {
    const clock = new LocalClock({ mode: 'simulate', start: START });
    const seen: string[] = [];
    let inFlight = 0;
    // Each timer starts work that takes a while; the clock must wait for it before the next.
    clock.onSettle(async () => {
      while (inFlight > 0) await new Promise((r) => setTimeout(r, 2));
    });
    const timer = (at: number, key: string) =>
      clock.at(at, key, () => {
        inFlight++;
        seen.push(`${key}@${(clock.now().getTime() - START) / DAY} busy=${inFlight}`);
        setTimeout(() => {
          inFlight--;
          // Work a timer runs can set another timer within the skip: it runs too, in its place.
          if (key === 'b') clock.at(START + 1.5 * DAY, 'chained', () => seen.push('chained@1.5'));
        }, 5);
      });
    timer(START + 2 * DAY, 'c');
    timer(START + DAY, 'b');
    timer(START + DAY, 'a');
    timer(START + 5 * DAY, 'late');
    const cancelled = timer(START + DAY / 2, 'cancelled');
    cancelled.cancel();
    const now = await clock.advance({ to: START + 3 * DAY });
    expect(now.getTime()).toBe(START + 3 * DAY);
    expect(seen).toEqual(['a@1 busy=1', 'b@1 busy=1', 'chained@1.5', 'c@2 busy=1']);
    expect(clock.pending).toBe(1); // 'late' is not due yet
    await expect(clock.advance({ to: START })).rejects.toBeInstanceOf(ClockError);
  });
});

describe('LocalClock, interactive', () => {
  it('runs at real speed and skips ahead on demand, firing what falls due', async () => {
    let real = 1_000;
    const clock = new LocalClock({ mode: 'interactive', start: START, realNow: () => real });
    real += 1500;
    expect(clock.now().getTime()).toBe(START + 1500);
    const fired: number[] = [];
    clock.at(START + DAY, 'x', () => fired.push(clock.now().getTime()));
    await clock.advance({ by: 3 * DAY });
    expect(fired).toEqual([START + DAY]);
    expect(clock.now().getTime()).toBe(START + 1500 + 3 * DAY);
    real += 10;
    expect(clock.now().getTime()).toBe(START + 1510 + 3 * DAY);
  });
});
