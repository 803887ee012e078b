/**
 * Local mode's EventBridge Scheduler: runs a task once every simulated day at a time of day (UTC)
 * on local mode's clock (a timer of lib/local/clock.ts, so a skip ahead runs each day's), as the stack's daily schedule does on AWS (lib/infra/constructs/scorer.ts).
 *
 * A day whose time passed while the previous run was still going (or while the process was
 * stopped) is not run twice: the next run is the first occurrence after the later of the last run
 * and now, and the task (the re-score) reads state, so one run catches up.
 */
import type { LocalLog } from './bus';
import { workEnded } from './quiet';
import type { ClockTimer, LocalClock } from './clock';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface DailyRun {
  /** The simulated time the run was due at (ISO). */
  at: string;
  ok: boolean;
  result?: unknown;
  error?: string;
}

export class SimulatedDailySchedule {
  private timer?: ClockTimer;
  private running?: Promise<void>;
  private last = -Infinity;
  private stopped = false;
  /** The runs so far, oldest first (at most the last 100). */
  readonly runs: DailyRun[] = [];

  constructor(
    private readonly name: string,
    private readonly clock: LocalClock,
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

  /** Whether a run is going (local mode's clock waits for it). */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Stops the timer and waits for a run in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    await this.running;
  }

  private arm(): void {
    if (this.stopped) return;
    const due = this.nextAfter(Math.max(this.last, this.clock.now().getTime()));
    this.timer = this.clock.at(due, this.name, () => this.fire(due));
  }

  private fire(due: number): void {
    if (this.stopped) return;
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
          workEnded();
        });
    }
    this.arm();
  }

  private record(run: DailyRun): void {
    this.runs.push(run);
    if (this.runs.length > 100) this.runs.splice(0, this.runs.length - 100);
  }
}
