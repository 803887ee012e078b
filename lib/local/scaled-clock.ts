/**
 * Local mode's clock: simulated time runs `scale` times faster than real time (docs/architecture.md "Local mode",
 * default one day per second), and is saved in the data folder so a restart continues from
 * where the simulation was instead of jumping back to the wall clock.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Clock } from '../../functions/kernel/clock';

export class ScaledClock implements Clock {
  private readonly realStart: number;
  private readonly simStart: number;

  constructor(
    readonly scale: number,
    simStart: number = Date.now(),
    private readonly realNow: () => number = Date.now,
  ) {
    this.realStart = realNow();
    this.simStart = simStart;
  }

  /** Resumes the simulation saved in `file`, or starts at the wall clock. */
  static resume(file: string, scale: number): ScaledClock {
    let saved = 0;
    if (existsSync(file)) {
      try {
        saved = Date.parse(JSON.parse(readFileSync(file, 'utf8')).now) || 0;
      } catch {
        saved = 0;
      }
    }
    return new ScaledClock(scale, Math.max(saved, Date.now()));
  }

  now(): Date {
    return new Date(this.simStart + (this.realNow() - this.realStart) * this.scale);
  }

  /** Real milliseconds until the simulated time `at`. */
  realMsUntil(at: Date | string | number): number {
    return Math.max(0, (new Date(at).getTime() - this.now().getTime()) / this.scale);
  }

  save(file: string): void {
    writeFileSync(file, JSON.stringify({ now: this.now().toISOString(), scale: this.scale }));
  }
}
