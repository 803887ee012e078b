/**
 * Local mode's daily schedule on the simulated clock: once per simulated day at the time of day
 * the stack's EventBridge schedule uses, never twice for one day, and not while a run is going.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RESCORE_AT_UTC } from '../../functions/scoring/rescore';
import { LocalClock } from '../../lib/local/clock';
import { SimulatedDailySchedule } from '../../lib/local/schedule';

const DAY = 86_400_000;
const SIM_START = Date.parse('2026-12-01T10:00:00.000Z');

describe('SimulatedDailySchedule', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: Date.parse('2030-01-01T00:00:00.000Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs once per simulated day at the scheduled time (one simulated day per real second)', async () => {
    const clock = new LocalClock({
      mode: 'scaled',
      scale: 86_400,
      start: SIM_START,
      realNow: () => Date.now(),
    });
    const seen: string[] = [];
    const schedule = new SimulatedDailySchedule('test', clock, RESCORE_AT_UTC, async () => {
      seen.push(clock.now().toISOString());
      return seen.length;
    }).start();
    await vi.advanceTimersByTimeAsync(10_000); // ten simulated days
    await schedule.stop();
    const days = Array.from({ length: 10 }, (_, i) => `2026-12-${String(i + 2).padStart(2, '0')}`);
    expect(schedule.runs.map((r) => r.at)).toEqual(days.map((d) => `${d}T00:15:00.000Z`));
    expect(schedule.runs.every((r) => r.ok)).toBe(true);
    expect(schedule.runs.map((r) => r.result)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // Each run started at its due time on the simulated clock (not before; within the timer's ms).
    seen.forEach((t, i) => {
      const late = Date.parse(t) - Date.parse(schedule.runs[i]!.at);
      expect(late).toBeGreaterThanOrEqual(0);
      expect(late).toBeLessThan(DAY / 1000);
    });
  });

  it('skips a day whose time comes while the previous run is still going, and records failures', async () => {
    const clock = new LocalClock({
      mode: 'scaled',
      scale: 86_400,
      start: SIM_START,
      realNow: () => Date.now(),
    });
    let calls = 0;
    const schedule = new SimulatedDailySchedule('test', clock, RESCORE_AT_UTC, async () => {
      calls++;
      if (calls === 1) await new Promise((r) => setTimeout(r, 1_500)); // 1.5 simulated days
      if (calls === 2) throw new Error('boom');
    }).start();
    await vi.advanceTimersByTimeAsync(4_000);
    await schedule.stop();
    expect(schedule.runs.map((r) => [r.at.slice(0, 10), r.ok])).toEqual([
      ['2026-12-02', true], // ran into the next day: 2026-12-03 was skipped
      ['2026-12-04', false],
      ['2026-12-05', true],
    ]);
    expect(schedule.runs[1]!.error).toContain('boom');
  });

  it('stops: no run after stop()', async () => {
    const clock = new LocalClock({
      mode: 'scaled',
      scale: 86_400,
      start: SIM_START,
      realNow: () => Date.now(),
    });
    const task = vi.fn(async () => undefined);
    const schedule = new SimulatedDailySchedule('test', clock, RESCORE_AT_UTC, task).start();
    await schedule.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(task).not.toHaveBeenCalled();
  });
});
