/**
 * Local mode's clock (docs/architecture.md "Local mode"): THE clock of the store, the engine, the
 * scorer, the API, the state machines' Wait states and task-token timeouts, and the daily re-score.
 * Three modes (ABM_CLOCK, lib/local/settings.ts):
 *
 * - `interactive`: real speed from the current date; the user skips ahead on demand (`advance`).
 * - `simulate`: time stands still; only `advance` moves it. `advance` runs every timer falling due
 *   in order (at, then key), one at a time, each until nothing is in flight (the `settle` hook the
 *   runtime installs: no request, execution step, queue message, launch or re-score pending), so
 *   the same inputs give the same result on any machine and under any load.
 * - `scaled`: `scale` simulated seconds per real second (ABM_TIME_SCALE).
 *
 * Every timer on simulated time goes through `at` / `sleepUntil`: in the flowing modes one real
 * Node timer is armed for the earliest of them; in simulate mode none is. The simulated now is
 * saved in the data folder, so a restart continues from where it was and never goes back.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Clock } from '../../functions/kernel/clock';

export const CLOCK_MODES = ['interactive', 'simulate', 'scaled'] as const;
export type ClockMode = (typeof CLOCK_MODES)[number];
/** Where a simulation starts unless ABM_CLOCK_START says otherwise: a Monday, 08:00 UTC. */
export const DEFAULT_CLOCK_START = '2026-03-02T08:00:00.000Z';
/** Node timers overflow past 2^31 - 1 ms; a longer wait is re-armed. */
const MAX_REAL_DELAY_MS = 2 ** 31 - 1;

export class ClockError extends Error {}

export interface ClockTimer {
  cancel(): void;
}

interface Timer {
  at: number;
  key: string;
  seq: number;
  fire: () => void;
}

export interface LocalClockOptions {
  mode: ClockMode;
  /** Simulated ms per real ms in scaled mode (ABM_TIME_SCALE). */
  scale?: number;
  /** The simulated time to start at (epoch ms). Default: the real now. */
  start?: number;
  realNow?: () => number;
}

const byDue = (a: Timer, b: Timer) =>
  a.at - b.at || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) || a.seq - b.seq;

export class LocalClock implements Clock {
  readonly mode: ClockMode;
  /** Simulated ms per real ms: 0 (simulate), 1 (interactive) or the scale. */
  readonly rate: number;
  private readonly realNow: () => number;
  private simAnchor: number;
  private realAnchor: number;
  private readonly timers: Timer[] = [];
  private seq = 0;
  private realTimer: NodeJS.Timeout | undefined;
  private advancing = 0;
  private stopped = false;
  private chain: Promise<unknown> = Promise.resolve();
  private settle: () => Promise<void> = async () => undefined;
  /** Timers fired, and real ms spent settling during advances. */
  readonly stats = { fired: 0, settleMs: 0 };

  constructor(options: LocalClockOptions) {
    this.mode = options.mode;
    this.rate = options.mode === 'simulate' ? 0 : options.mode === 'scaled' ? (options.scale ?? 1) : 1;
    this.realNow = options.realNow ?? Date.now;
    this.realAnchor = this.realNow();
    this.simAnchor = options.start ?? this.realAnchor;
  }

  /**
   * Resumes the simulated time saved in `file`, never going back: simulate mode continues from the
   * saved time (or `start` the first time), the flowing modes from the later of it and the real now.
   */
  static resume(file: string, options: { mode: ClockMode; scale?: number; start?: number }): LocalClock {
    let saved = 0;
    if (existsSync(file)) {
      try {
        saved = Date.parse(JSON.parse(readFileSync(file, 'utf8')).now) || 0;
      } catch {
        saved = 0;
      }
    }
    const start =
      options.mode === 'simulate'
        ? saved || (options.start ?? Date.parse(DEFAULT_CLOCK_START))
        : Math.max(saved, Date.now());
    return new LocalClock({ mode: options.mode, scale: options.scale, start });
  }

  now(): Date {
    return new Date(this.nowMs());
  }

  private nowMs(): number {
    return this.simAnchor + (this.realNow() - this.realAnchor) * this.rate;
  }

  private setNow(ms: number): void {
    this.realAnchor = this.realNow();
    this.simAnchor = ms;
  }

  /** Real milliseconds until the simulated time `at` (Infinity in simulate mode). */
  realMsUntil(at: Date | string | number): number {
    const ms = Math.max(0, new Date(at).getTime() - this.nowMs());
    return this.rate === 0 ? (ms === 0 ? 0 : Infinity) : ms / this.rate;
  }

  /** Timers waiting, earliest first. */
  get pending(): number {
    return this.timers.length;
  }

  /**
   * Calls `fire` once the simulated time reaches `when` (epoch ms). `key` orders timers due at the
   * same instant (an execution's name, the schedule's name), so their order does not depend on
   * which was set first.
   */
  at(when: number, key: string, fire: () => void): ClockTimer {
    const timer: Timer = { at: when, key, seq: this.seq++, fire };
    let i = this.timers.length;
    while (i > 0 && byDue(this.timers[i - 1]!, timer) > 0) i--;
    this.timers.splice(i, 0, timer);
    if (i === 0) this.arm();
    return {
      cancel: () => {
        const at = this.timers.indexOf(timer);
        if (at < 0) return;
        this.timers.splice(at, 1);
        if (at === 0) this.arm();
      },
    };
  }

  /** How `advance` waits for the work each timer started (the runtime's "nothing in flight"). */
  onSettle(settle: () => Promise<void>): void {
    this.settle = settle;
  }

  /**
   * Skips ahead `by` ms or `to` a time, running every timer falling due in order, each until
   * nothing is in flight; resolves with the new now. Calls are serialised.
   */
  advance(target: { by: number } | { to: number }): Promise<Date> {
    const run = async (): Promise<Date> => {
      const from = this.nowMs();
      const to = 'to' in target ? target.to : from + target.by;
      if (!Number.isFinite(to)) throw new ClockError('not a time');
      if (to < from)
        throw new ClockError(`${new Date(to).toISOString()} is before now (${new Date(from).toISOString()})`);
      this.advancing++;
      clearTimeout(this.realTimer);
      try {
        for (;;) {
          const settling = performance.now();
          await this.settle();
          this.stats.settleMs += performance.now() - settling;
          if (this.stopped) break;
          const next = this.timers[0];
          if (next && next.at <= to) {
            this.timers.shift();
            this.setNow(Math.max(this.nowMs(), next.at));
            this.stats.fired++;
            next.fire();
            continue;
          }
          if (this.nowMs() < to) {
            this.setNow(to);
            continue;
          }
          break;
        }
      } finally {
        this.advancing--;
        this.arm();
      }
      return this.now();
    };
    const result = this.chain.then(run, run);
    this.chain = result.catch(() => undefined);
    return result;
  }

  /** No timer fires after this (local mode is stopping). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.realTimer);
  }

  save(file: string): void {
    writeFileSync(file, JSON.stringify({ mode: this.mode, now: this.now().toISOString() }), { mode: 0o600 });
  }

  /** Flowing modes: one real timer for the earliest simulated one. */
  private arm(): void {
    clearTimeout(this.realTimer);
    this.realTimer = undefined;
    if (this.rate === 0 || this.advancing > 0 || this.stopped || this.timers.length === 0) return;
    const delay = Math.min(MAX_REAL_DELAY_MS, Math.max(0, (this.timers[0]!.at - this.nowMs()) / this.rate));
    this.realTimer = setTimeout(() => this.pump(), Math.ceil(delay));
    this.realTimer.unref();
  }

  /** Fires the timers due now, in order (flowing modes). */
  private pump(): void {
    this.realTimer = undefined;
    while (!this.stopped && this.timers.length > 0 && this.timers[0]!.at <= this.nowMs()) {
      this.stats.fired++;
      this.timers.shift()!.fire();
    }
    this.arm();
  }
}
