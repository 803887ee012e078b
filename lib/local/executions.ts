/**
 * Local mode's AccountSequence executions (docs/architecture.md "Local mode"): the real ASL file run by the LocalSfn
 * runner (lib/local/step-functions.ts) with its Tasks routed to the engine's handlers, exposed
 * through the same ports the AWS path uses:
 * - `ExecutionStarter` (functions/platform/sfn.ts) for the launch service: one execution per
 *   execution name, answered as AWS answers (`startExecutionOutcome`): the same name and input as a
 *   running execution succeeds and starts nothing; a different input, or an execution that ended
 *   (journaled), is `started: false`, like ExecutionAlreadyExists.
 * - `SequenceControl` (functions/platform/sfn.ts) for the scorer and the API:
 *   `resume` = SendTaskSuccess on a parked token, `stop` = abort; unknown ones are `gone`.
 *
 * Durability (local mode only, not part of the AWS path): Step Functions keeps execution state
 * for us on AWS; here the process can die. So every execution keeps a journal item in the table
 * (functions/platform/store/journal.ts), written when the
 * execution starts and after every ExecuteStep with the plan it returned. On start, `rehydrate`
 * restarts one execution per still-active enrollment (running, waiting, paused), with input
 * `{ ...journaledInput, plan: lastPlan }`: ExecuteStep continues a plan (a future `wait` waits
 * again, a due one runs). An enrollment with no journal (killed before its first step) restarts
 * from its enrollment, with no plan. A step that re-runs after a crash cannot send twice: the
 * engine claims every touch (touchId = execution#step#contact) with a conditional write before the
 * side effect.
 *
 * Continue as new (functions/engine/continuation.ts): the ContinueAsNew task's StartExecution is
 * answered here: the journal entry (one per enrollment) becomes the new execution's (its input
 * with its `continuation`, the plan it starts with) BEFORE it starts, and the execution that
 * continued ends without marking the journal, which is no longer its own. Executions are known by
 * their running name (`runningExecutionName`), which is what the enrollment names for a stop.
 *
 * A journaled `await` plan is restarted as a `pause` plan whose `then` is the await: the engine's
 * pause branch continues with the await as it was (without treating it as resumed), so the
 * execution parks again on a new token and stores it on the enrollment; its timeout is what was
 * left of it.
 */
import type { Clock } from '../../functions/kernel/clock';
import {
  ExecutionInput,
  runningExecutionName,
  snapshotOf,
  startExecutionOutcome,
} from '../../functions/kernel/execution';
import { ACTIVE_ENROLLMENT, currentExecutionOf, type Enrollment } from '../../functions/kernel/model';
import { Plan } from '../../functions/kernel/plan';
import { runStepTask, type SequenceEngine } from '../../functions/engine';
import type { StepWaker } from '../../functions/platform/wake';
import type { ControlOutcome, ExecutionStarter, SequenceControl } from '../../functions/platform/sfn';
import type { CampaignRepository } from '../../functions/platform/store/campaigns';
import type { CatalogRepository } from '../../functions/platform/store/catalog';
import type { EnrollmentRepository } from '../../functions/platform/store/enrollments';
import type { ExecutionJournal, JournalEntry, JournalStatus } from '../../functions/platform/store/journal';
import { ACCOUNT_SEQUENCE_ASL } from '../../statemachines';
import type { LocalLog } from './bus';
import { workEnded } from './quiet';
import {
  createLocalSfn,
  START_EXECUTION_RESOURCE,
  type ExecutionSummary,
  type LocalExecution,
  type LocalSfn,
  type StartExecutionParameters,
  type TaskContext,
  type TimerClock,
} from './step-functions';

export const ASL_PATH = ACCOUNT_SEQUENCE_ASL;
export const EXECUTE_STEP_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:abm-local-execute-step';
export const PARK_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:abm-local-park-execution';

export type { JournalEntry, JournalStatus };

export interface LocalExecutionsDeps {
  journal: ExecutionJournal;
  campaigns: Pick<CampaignRepository, 'listAll'>;
  enrollments: Pick<EnrollmentRepository, 'allOfCampaign'>;
  catalog: Pick<CatalogRepository, 'getSequence'>;
  engine: SequenceEngine;
  /** THE clock of local mode (lib/local/clock.ts): the runner's Wait states and timeouts are its timers. */
  clock: Clock & TimerClock;
  log?: LocalLog;
}

export interface RehydrateResult {
  restarted: string[];
  /** Of those, executions that were parked on await_engagement (to re-check their condition). */
  awaiting: { accountId: string; campaignId: string; executionName: string }[];
  skipped: { executionName: string; reason: string }[];
}

/** The plan an execution restarts with, from its last journaled plan. */
export function rehydratedPlan(plan: Plan | undefined, now: Date): Plan | undefined {
  if (!plan) return undefined;
  if (plan.action === 'await') {
    const since = plan.since ? Date.parse(plan.since) : now.getTime();
    const total = plan.timeoutSeconds;
    const left =
      total === undefined ? undefined : Math.max(1, Math.ceil((since + total * 1000 - now.getTime()) / 1000));
    const awaitPlan: Plan = { ...plan, resume: undefined, timedOut: undefined, timeoutSeconds: left };
    return { action: 'pause', step: plan.step, then: awaitPlan };
  }
  return plan;
}

/**
 * A runner as EventBridge Scheduler and Step Functions' SendTaskSuccess (functions/platform/wake.ts):
 * a token already gone (the execution was stopped during its step) is ignored, as on AWS.
 */
export function localWaker(sfn: () => LocalSfn): StepWaker {
  const ignoringGone = (send: () => void) => {
    try {
      send();
    } catch (err) {
      if ((err as Error).name !== 'TaskDoesNotExist') throw err;
    }
  };
  return {
    complete: async (token, output) => ignoringGone(() => sfn().sendTaskSuccess(token, output)),
    completeAt: async (_name, at, token, output) =>
      ignoringGone(() => sfn().sendTaskSuccessAt(token, at, output)),
    // Ending an execution (a stop) cancels its wake's timer in the runner itself: nothing is left.
    cancel: async () => 0,
  };
}

export class LocalExecutions implements ExecutionStarter, SequenceControl {
  readonly sfn: LocalSfn;
  private readonly running = new Map<string, LocalExecution>();
  /** The input each running execution was started with, as JSON (StartExecution compares it). */
  private readonly inputs = new Map<string, string>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private closing = false;
  readonly stats = {
    started: 0,
    rehydrated: 0,
    continued: 0,
    succeeded: 0,
    failed: 0,
    aborted: 0,
    steps: 0,
  };

  constructor(private readonly deps: LocalExecutionsDeps) {
    this.sfn = createLocalSfn({
      definitionPath: ASL_PATH,
      substitutions: { ExecuteStepFunctionArn: EXECUTE_STEP_ARN, ParkExecutionFunctionArn: PARK_ARN },
      tasks: {
        [EXECUTE_STEP_ARN]: (input) => this.track(this.executeStep(input)),
        [PARK_ARN]: (input) => this.track(deps.engine.park(input)),
        [START_EXECUTION_RESOURCE]: (params, ctx) => this.track(this.continueAs(params, ctx)),
      },
      time: { mode: 'clock', clock: deps.clock },
    });
  }

  /** Work in flight: task handlers, journal updates of ended executions, executions between states. */
  get busy(): number {
    return this.inFlight.size + this.sfn.busy;
  }

  /** Executions running in this process (by their running name). */
  get active(): string[] {
    return [...this.running.keys()];
  }

  private log(message: string, data?: Record<string, unknown>) {
    this.deps.log?.(message, data);
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inFlight.add(p);
    const done = () => {
      this.inFlight.delete(p);
      workEnded();
    };
    p.then(done, done);
    return p;
  }

  // ----- journal ----------------------------------------------------------------

  getJournal(accountId: string, campaignId: string): Promise<JournalEntry | undefined> {
    return this.deps.journal.get(accountId, campaignId);
  }

  /** The journal entry of an execution that has not run a step yet. */
  private firstEntry(input: ExecutionInput): JournalEntry {
    return {
      executionName: input.executionName,
      accountId: input.accountId,
      campaignId: input.campaignId,
      input,
      status: 'running',
      steps: 0,
      updatedAt: this.deps.clock.now().toISOString(),
    };
  }

  private putJournal(entry: JournalEntry): Promise<void> {
    return this.deps.journal.put(entry);
  }

  private async markJournal(input: ExecutionInput, status: JournalStatus, error?: string): Promise<void> {
    const current = await this.getJournal(input.accountId, input.campaignId);
    await this.putJournal({
      ...(current ?? this.firstEntry(input)),
      status,
      updatedAt: this.deps.clock.now().toISOString(),
      ...(error ? { error } : {}),
    } as JournalEntry);
  }

  /**
   * The ExecuteStep task: the engine, then the plan it returned goes to the journal, then (a step
   * task, not RecordFailure's plain invocation) it completes the task, at once or at its wait's end
   * (functions/engine/hand-over.ts, with the runner as the scheduler).
   */
  private async executeStep(event: unknown): Promise<Plan> {
    const journaled = async (raw: unknown) => {
      const plan = await this.deps.engine.executeStep(raw);
      this.stats.steps++;
      const input = ExecutionInput.parse(raw);
      const current = await this.getJournal(input.accountId, input.campaignId);
      await this.putJournal({ ...this.firstEntry(input), plan, steps: (current?.steps ?? 0) + 1 });
      return plan;
    };
    return (await runStepTask(event, journaled, this.waker, () => this.deps.clock.now())).plan;
  }

  /** The runner as EventBridge Scheduler and Step Functions' SendTaskSuccess (functions/platform/wake.ts). */
  readonly waker: StepWaker = localWaker(() => this.sfn);

  // ----- ExecutionStarter -------------------------------------------------------------

  async start(raw: ExecutionInput): Promise<{ started: boolean }> {
    if (this.closing) throw new Error('local mode is shutting down');
    const input = ExecutionInput.parse(raw);
    // As AWS answers (startExecutionOutcome): the same name and input as a running execution is a
    // success that starts nothing; a different input, or a closed execution, is ExecutionAlreadyExists.
    const running = (): { running: boolean; input: string } | undefined => {
      const text = this.inputs.get(runningExecutionName(input));
      return text === undefined ? undefined : { running: true, input: text };
    };
    const text = JSON.stringify(input);
    const outcome = startExecutionOutcome(running(), text);
    if (outcome !== 'start') return { started: outcome === 'idempotent' };
    // A name is used once, as on AWS: a journaled execution exists (re-hydration restarts it).
    const created = await this.deps.journal.create(this.firstEntry(input));
    // Journaled already: ended (closed), or started by a racing call that now runs it.
    if (!created || running())
      return {
        started: startExecutionOutcome(running() ?? { running: false, input: '' }, text) === 'idempotent',
      };
    this.run(input, undefined);
    this.stats.started++;
    return { started: true };
  }

  /**
   * The ContinueAsNew task (see the header): answered as StartExecution; the journal becomes the
   * new execution's, then it starts.
   */
  private async continueAs(raw: unknown, ctx: TaskContext): Promise<unknown> {
    const params = raw as StartExecutionParameters;
    const state = params.Input as { plan?: unknown };
    const input = ExecutionInput.parse(state);
    const plan = state.plan === undefined ? undefined : Plan.parse(state.plan);
    const name = runningExecutionName(input);
    if (name !== params.Name) throw new Error(`continuation ${params.Name} has the input of ${name}`);
    const answer = { ExecutionArn: this.sfn.executionArn(name), StartDate: ctx.now().toISOString() };
    const text = JSON.stringify(input);
    const outcome = startExecutionOutcome(
      this.inputs.has(name) ? { running: true, input: this.inputs.get(name)! } : undefined,
      text,
    );
    if (outcome === 'idempotent') return answer;
    if (outcome === 'already_exists') {
      const err = new Error(`${name} exists`);
      err.name = 'StepFunctions.ExecutionAlreadyExistsException';
      throw err;
    }
    await this.putJournal({ ...this.firstEntry(input), plan, steps: 0 });
    this.run(input, plan);
    this.stats.continued++;
    this.log('execution continues as new', { execution: ctx.executionName, continuation: name });
    return answer;
  }

  private run(input: ExecutionInput, plan: Plan | undefined): void {
    const state = plan ? { ...input, plan } : input;
    const name = runningExecutionName(input);
    const execution = this.sfn.start(state, { name });
    this.running.set(name, execution);
    this.inputs.set(name, JSON.stringify(ExecutionInput.parse(input)));
    void execution.done.then(
      (summary) => this.track(this.finished(input, execution, summary)),
      (err: unknown) =>
        this.log('execution runner error', { execution: input.executionName, error: String(err) }),
    );
  }

  private async finished(input: ExecutionInput, execution: LocalExecution, summary: ExecutionSummary) {
    const name = runningExecutionName(input);
    if (this.running.get(name) === execution) {
      this.running.delete(name);
      this.inputs.delete(name);
    }
    if (this.closing) return; // aborted by the shutdown: the journal stays as it is, for the restart
    try {
      // An execution that continued as new: the journal is its continuation's now.
      const error =
        summary.status === 'FAILED' ? `${summary.error?.name}: ${summary.error?.message}` : undefined;
      if (summary.status === 'SUCCEEDED') this.stats.succeeded++;
      else if (summary.status === 'ABORTED') this.stats.aborted++;
      else {
        this.stats.failed++;
        this.log('execution failed', { execution: name, error });
      }
      const journal = await this.getJournal(input.accountId, input.campaignId);
      if (journal && runningExecutionName(ExecutionInput.parse(journal.input)) !== name) return;
      await this.markJournal(input, error === undefined ? 'ended' : 'failed', error);
    } catch (err) {
      this.log('could not update the execution journal', {
        execution: name,
        error: String(err),
      });
    }
  }

  // ----- SequenceControl -------------------------------------------------------------

  async resume(taskToken: string, output: unknown): Promise<ControlOutcome> {
    try {
      this.sfn.sendTaskSuccess(taskToken, output ?? {});
      return 'done';
    } catch (err) {
      if ((err as Error).name === 'TaskDoesNotExist') return 'gone';
      throw err;
    }
  }

  async stop(executionName: string, reason: string): Promise<ControlOutcome> {
    const execution = this.running.get(executionName);
    if (!execution) return 'gone';
    this.log('stopping execution', { execution: executionName, reason });
    execution.abort();
    return 'done';
  }

  // ----- re-hydration and shutdown ------------------------------------------------------

  /** Restarts one execution per active enrollment that is not running here (see the header). */
  async rehydrate(): Promise<RehydrateResult> {
    const result: RehydrateResult = { restarted: [], awaiting: [], skipped: [] };
    const enrollments: Enrollment[] = [];
    for (const c of await this.deps.campaigns.listAll()) {
      for (const e of await this.deps.enrollments.allOfCampaign(c.campaignId)) {
        if (ACTIVE_ENROLLMENT.has(e.status)) enrollments.push(e);
      }
    }

    const now = this.deps.clock.now();
    for (const e of enrollments) {
      if (this.running.has(currentExecutionOf(e))) continue;
      const journal = await this.getJournal(e.accountId, e.campaignId);
      if (journal && journal.status !== 'running') {
        // The execution ended (or failed) but the enrollment says active: as on AWS, nothing
        // restarts a finished execution. Reported so it can be looked at.
        result.skipped.push({
          executionName: e.executionName,
          reason: `execution ${journal.status}${journal.error ? `: ${journal.error}` : ''}`,
        });
        continue;
      }
      let input: ExecutionInput;
      if (journal) input = ExecutionInput.parse(journal.input);
      else {
        const sequence = await this.deps.catalog.getSequence(e.sequenceId, e.sequenceVersion);
        if (!sequence) {
          result.skipped.push({
            executionName: e.executionName,
            reason: `sequence ${e.sequenceId} v${e.sequenceVersion} not found`,
          });
          continue;
        }
        input = {
          accountId: e.accountId,
          campaignId: e.campaignId,
          executionName: e.executionName,
          sequence: snapshotOf(sequence),
          enrolledAt: e.startedAt,
        };
        await this.putJournal(this.firstEntry(input));
      }
      const plan = rehydratedPlan(journal?.plan, now);
      this.run(input, plan);
      this.stats.rehydrated++;
      result.restarted.push(e.executionName);
      if (journal?.plan?.action === 'await')
        result.awaiting.push({
          accountId: e.accountId,
          campaignId: e.campaignId,
          executionName: runningExecutionName(input),
        });
    }
    return result;
  }

  /**
   * Stops every execution without ending it (the journals stay for the restart), and waits
   * (bounded) for task handlers in flight, so their writes land before the store closes.
   */
  async shutdown(timeoutMs = 10_000): Promise<void> {
    this.closing = true;
    const executions = [...this.running.values()];
    for (const e of executions) e.abort();
    const deadline = new Promise((resolve) => setTimeout(resolve, timeoutMs).unref());
    await Promise.race([Promise.allSettled([...executions.map((e) => e.done), ...this.inFlight]), deadline]);
    // Handlers started while aborting.
    if (this.inFlight.size > 0) await Promise.race([Promise.allSettled([...this.inFlight]), deadline]);
    this.running.clear();
    this.inputs.clear();
  }
}
