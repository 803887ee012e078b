/**
 * Local mode's EventBridge Scheduler: runs a task once every simulated day at a time of day (UTC)
 * on the scaled clock, as the stack's daily schedule does on AWS (lib/infra/constructs/scorer.ts).
 *
 * A day whose time passed while the previous run was still going (or while the process was
 * stopped) is not run twice: the next run is the first occurrence after the later of the last run
 * and now, and the task (the re-score) reads state, so one run catches up.
 */
import type { LocalLog } from './bus';
import type { ScaledClock } from './scaled-clock';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface DailyRun {
  /** The simulated time the run was due at (ISO). */
  at: string;
  ok: boolean;
  result?: unknown;
  error?: string;
}

export class SimulatedDailySchedule {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private last = -Infinity;
  private stopped = false;
  /** The runs so far, oldest first (at most the last 100). */
  readonly runs: DailyRun[] = [];

  constructor(
    private readonly name: string,
    private readonly clock: ScaledClock,
    private readonly at: { readonly hour: number; readonly minute: number },
    private readonly task: () => Promise<unknown>,
    private readonly log: LocalLog = () => undefined,
  ) {}

  /** The first time of day `at` strictly after `after` (epoch ms). */
  nextAfter(after: number): number {
    const d = new Date(after);
    const today = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), this.at.hour, this.at.minute);
    return today > after ? today : today + DAY_MS;
  }

  start(): this {
    this.arm();
    return this;
  }

  /** Stops the timer and waits for a run in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private arm(): void {
    if (this.stopped) return;
    const due = this.nextAfter(Math.max(this.last, this.clock.now().getTime()));
    this.timer = setTimeout(() => this.fire(due), this.clock.realMsUntil(due));
    this.timer.unref();
  }

  private fire(due: number): void {
    if (this.stopped) return;
    // A timer can fire a hair early in simulated time (real ms are rounded): wait for the due time.
    if (this.clock.now().getTime() < due) {
      this.timer = setTimeout(() => this.fire(due), Math.max(1, this.clock.realMsUntil(due)));
      this.timer.unref();
      return;
    }
    this.last = due;
    if (this.running) {
      this.log(`${this.name}: the previous run is still going, this one is skipped`, {
        at: new Date(due).toISOString(),
      });
    } else {
      const at = new Date(due).toISOString();
      this.running = this.task()
        .then(
          (result) => this.record({ at, ok: true, result }),
          (err: unknown) => {
            this.record({ at, ok: false, error: String(err) });
            this.log(`${this.name} failed`, { at, error: String(err) });
          },
        )
        .finally(() => {
          this.running = undefined;
        });
    }
    this.arm();
  }

  private record(run: DailyRun): void {
    this.runs.push(run);
    if (this.runs.length > 100) this.runs.splice(0, this.runs.length - 100);
  }
}
