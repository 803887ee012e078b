/**
 * ExecuteStep: runs the current step of one enrolled account and plans the next one, re-reading
 * the account and the enrollment (which may have changed during the wait). The plan loop executes
 * every touch that is due now (up to a bound per invocation) and passes control steps, until
 * something lies in the future (`wait`), an await (`await`), a pause (`pause`) or the end (`done`).
 * The plan is the contract with the state machine (kernel/plan.ts).
 */
import { randomUUID } from 'node:crypto';
import { busEvent, DETAIL_TYPES, type BusEvent } from '../kernel/events';
import { durationMillis } from '../kernel/duration';
import { untilHolds, conditionHolds, NO_FACTS } from '../kernel/conditions';
import { ACTIVE_ENROLLMENT, type Enrollment } from '../kernel/model';
import { Plan, timeoutSecondsOf } from '../kernel/plan';
import type { ExecuteTouch } from './channels';
import { EngineState, iso, maxDate, type EngineDeps, type Remaining, type Run } from './context';
import { carriedPlan, continuationLimits, fitted, mustContinue, nextContinuation } from './continuation';
import { exclusivityConflict } from './domain/audience';
import { stepById, successorOf, targetOf, walk } from './domain/planner';
import type { FactsReader } from './facts';
import type { Ledger } from './ledger';
import type { EndStatus, Lifecycle } from './lifecycle';
import { moveActiveEnrollment } from '../platform/store/enrollments';

/**
 * The plan as the loop reads it: a `wake` is the `wait` that a schedule ended (engine/hand-over.ts);
 * a Catch at the start writes `$.plan.failed` into a state that had no plan yet.
 */
function normalised(raw: unknown): unknown {
  const state = raw as { plan?: Record<string, unknown> } | undefined;
  if (state?.plan?.action === 'wake') return { ...state, plan: { ...state.plan, action: 'wait' } };
  if (state?.plan && state.plan.failed !== undefined && state.plan.action === undefined) {
    return { ...state, plan: { ...state.plan, action: 'run' } };
  }
  return raw;
}

export interface StepDeps {
  deps: EngineDeps;
  facts: FactsReader;
  lifecycle: Lifecycle;
  ledger: Pick<Ledger, 'resolveLeftovers'>;
  executeTouch: ExecuteTouch;
}

export function createStepExecutor({ deps, facts, lifecycle, ledger, executeTouch }: StepDeps) {
  const { clock, config } = deps;
  const tolerance = config.toleranceMs ?? 1000;
  const maxTouchSteps = config.maxTouchStepsPerInvocation ?? 5;
  const limits = continuationLimits(config.continueAsNew);
  /**
   * Moves the enrollment's cursor (and anything else) while the enrollment is active: one
   * conditional update (platform/store/enrollments.ts `moveActiveEnrollment`).
   */
  const setCursor = (run: Pick<Run, 'input'>, patch: Partial<Enrollment>) =>
    moveActiveEnrollment(deps.table, clock.now(), run.input.accountId, run.input.campaignId, patch);

  /**
   * Ends the enrollment, never with a touch of it unresolved: a touch an earlier attempt left
   * claimed or handed over, on a step no retry will run again, is resolved first (claimed ->
   * skipped, handed over -> uncertain).
   */
  async function finish(
    run: Parameters<Lifecycle['finish']>[0] & Pick<Run, 'attempt'>,
    reason: string,
    status: EndStatus,
  ): Promise<Plan> {
    await ledger.resolveLeftovers(run, { status: 'skipped', reason: `enrollment_${status}:${reason}` });
    return lifecycle.finish(run, reason, status);
  }

  async function executeStep(raw: unknown): Promise<Plan> {
    const input = EngineState.parse(normalised(raw));
    const now = clock.now();
    const events: BusEvent[] = [];
    try {
      return fitted(await execute(input, now, events, randomUUID()), input, now, limits);
    } finally {
      if (events.length > 0) await deps.publisher.publish(events);
    }
  }

  async function execute(input: EngineState, now: Date, events: BusEvent[], attempt: string): Promise<Plan> {
    const seq = input.sequence;
    const plan = input.plan;
    const [account, contacts, enrollment] = await Promise.all([
      deps.accounts.get(input.accountId),
      deps.accounts.listContacts(input.accountId),
      deps.enrollments.get(input.accountId, input.campaignId),
    ]);
    if (!enrollment) return finish({ input, now, events, attempt }, 'not_enrolled', 'exited');
    if (enrollment.status === 'stopped')
      return finish({ input, now, events, attempt }, enrollment.reason ?? 'stopped', 'stopped');
    if (!ACTIVE_ENROLLMENT.has(enrollment.status))
      return { action: 'done', reason: enrollment.reason ?? enrollment.status };

    // Continue as new (engine/continuation.ts): before anything runs, with the plan as given.
    if (plan && mustContinue(input, plan, now, limits, tolerance)) {
      const then = carriedPlan(plan, seq, now, tolerance);
      if (then) return continueAsNew(input, then, now);
    }

    if (!account) return finish({ input, now, events, attempt }, 'account_missing', 'exited');

    const accountFacts = await facts(account, now).catch(() => ({ ...NO_FACTS, stage: account.stage }));
    const recent = (await deps.touches.listOfAccount(input.accountId, { limit: 200 })).items;
    const closedDay = await deps.holidays.closedDays(seq.sendWindow, contacts);
    const run: Run = {
      input,
      attempt,
      seq,
      now,
      account,
      contacts,
      enrollment,
      facts: accountFacts,
      recent,
      events,
      templates: new Map(),
      closedDay,
    };

    // A task that failed after its retries: record it now; what comes next is decided below, after
    // the exit and pause checks (a failed step must not let an exited, suppressed or paused account
    // receive the touches after it).
    if (plan?.failed !== undefined) recordStepFailure(run, plan);

    const exit = lifecycle.exitReason(run);
    if (exit) return finish(run, exit, 'exited');

    // Paused: park (keeping the plan to continue with) unless this is the resume.
    if (enrollment.status === 'paused') {
      const then = plan?.action === 'pause' ? plan.then : plan;
      return { action: 'pause', step: plan?.step, then };
    }

    if (plan?.failed !== undefined) {
      // The Paused park itself failed (and the enrollment is no longer paused): continue its plan.
      if (plan.action === 'pause') return resumeAfterPause(run, plan);
      return continueAfterFailure(run, plan);
    }

    if (!plan) {
      const others = await deps.enrollments.listOfAccount(input.accountId);
      const clash = exclusivityConflict(others, { campaignId: input.campaignId, exclusive: seq.exclusive });
      if (clash) return finish(run, `exclusive_conflict:${clash.campaignId}`, 'exited');
      return continueFrom(run, seq.steps[0]?.id, now);
    }

    switch (plan.action) {
      case 'await':
        return afterAwait(run, plan);
      case 'pause':
        return resumeAfterPause(run, plan);
      case 'wake':
      case 'wait':
      case 'run':
        return resumePlan(run, plan);
      case 'continue':
        // Local mode re-hydrated an execution that had planned its continuation: plan it again.
        return plan;
      case 'done':
        return plan;
    }
  }

  /**
   * Hands the enrollment over to a new execution that starts with `then`: the enrollment points to
   * it first (the operator's stop and the scorer's exits stop the execution it names), then the
   * state machine starts it (ContinueAsNew) and this one succeeds.
   */
  async function continueAsNew(input: EngineState, then: Plan, now: Date): Promise<Plan> {
    const continuation = nextContinuation(input, now);
    await setCursor({ input }, { currentExecutionName: continuation.name });
    deps.log('execution continues as new', {
      executionName: input.executionName,
      continuation: continuation.name,
      n: continuation.n,
      invocations: input.plan?.invocations ?? 0,
    });
    return { action: 'continue', step: then.step, continuation, then };
  }

  /** An await ended: its token was completed (engaged) or it timed out (engaged only if `until` holds). */
  async function afterAwait(run: Run, plan: Plan): Promise<Plan> {
    const seq = run.seq;
    const step = plan.step ? stepById(seq, plan.step) : undefined;
    if (!step || step.type !== 'await_engagement') return continueFrom(run, undefined, run.now);
    const since = plan.since ? new Date(plan.since) : run.now;
    const end = since.getTime() + durationMillis(step.timeout);
    if (
      plan.timedOut !== undefined &&
      end > run.now.getTime() + tolerance &&
      !untilHolds(step.until, run.facts, since)
    ) {
      // Timed out before its own timeout (the park was cut to the continuation deadline): wait on.
      return {
        action: 'await',
        step: step.id,
        until: step.until,
        since: iso(since),
        timeoutSeconds: timeoutSecondsOf(end - run.now.getTime()),
      };
    }
    const engaged = plan.timedOut === undefined || untilHolds(step.until, run.facts, since);
    await setCursor(run, { status: 'running', taskToken: undefined, waitingFor: undefined });
    if (engaged) return continueFrom(run, successorOf(seq, step), run.now);
    if (step.onTimeout === 'exit') return finish(run, `await_timeout:${step.id}`, 'exited');
    return continueFrom(run, targetOf(seq, step, step.onTimeout), run.now);
  }

  /** The pause token was completed (resume): continue with the plan the pause kept. */
  async function resumeAfterPause(run: Run, plan: Plan): Promise<Plan> {
    await setCursor(run, { taskToken: undefined });
    const then = plan.then ? Plan.parse(plan.then) : undefined;
    if (!then) return continueFrom(run, plan.step ?? run.seq.steps[0]?.id, run.now);
    // A step that failed before the pause: go on after it (its failure is already recorded).
    if (then.failed !== undefined) return continueAfterFailure(run, then);
    // An await that ended while paused (timed out, or its token was completed): take the path it
    // ended on instead of starting the wait again with its full timeout.
    if (then.action === 'await' && (then.timedOut !== undefined || then.resume !== undefined))
      return afterAwait(run, then);
    return resumePlan(run, then);
  }

  function recordStepFailure(run: Run, plan: Plan): void {
    const { input, now, seq } = run;
    const step = plan.step ? stepById(seq, plan.step) : undefined;
    run.events.push(
      busEvent(DETAIL_TYPES.touchFailed, {
        eventId: `${input.executionName}#${plan.step ?? 'start'}#step-failed#${iso(now)}`,
        occurredAt: iso(now),
        accountId: input.accountId,
        campaignId: input.campaignId,
        executionName: input.executionName,
        stepId: plan.step,
        channel: step && step.type === 'touch' ? step.channel : undefined,
        reason: 'step_failed',
        error: plan.failed,
      }),
    );
  }

  /**
   * After a failed step: its touches left unresolved are resolved (claimed -> failed, handed over
   * -> uncertain), then the step after it (no step known: the start failed, which cannot be
   * skipped).
   */
  async function continueAfterFailure(run: Run, plan: Plan): Promise<Plan> {
    const step = plan.step ? stepById(run.seq, plan.step) : undefined;
    if (!step) return finish(run, 'start_failed', 'exited');
    await ledger.resolveLeftovers(run, { status: 'failed', reason: 'step_failed' }, step.id);
    return continueFrom(run, successorOf(run.seq, step), run.now);
  }

  /** Continues a wait/run plan (possibly after a pause). */
  async function resumePlan(run: Run, plan: Plan): Promise<Plan> {
    if (plan.action === 'await') {
      return { ...plan, resume: undefined, timedOut: undefined };
    }
    if (!plan.step) return continueFrom(run, undefined, run.now);
    // A wait cut to the continuation deadline keeps the step's own time in `resumeAt`.
    const at = plan.action === 'wait' || plan.action === 'wake' ? (plan.resumeAt ?? plan.at) : undefined;
    if (at && new Date(at).getTime() > run.now.getTime() + tolerance) {
      return { action: 'wait', at, step: plan.step, due: plan.due, contacts: plan.contacts };
    }
    return loop(run, {
      stepId: plan.step,
      due: plan.due ? new Date(plan.due) : run.now,
      contacts: plan.contacts,
    });
  }

  function continueFrom(run: Run, stepId: string | undefined, base: Date): Promise<Plan> {
    return loop(run, undefined, { from: stepId, base });
  }

  /**
   * The planning loop: executes every touch that is due now (up to the per-invocation bound) and
   * passes control steps, until something lies in the future, an await, or the end.
   */
  async function loop(
    run: Run,
    current: { stepId: string; due: Date; contacts?: string[] } | undefined,
    walkFrom?: { from: string | undefined; base: Date },
  ): Promise<Plan> {
    const seq = run.seq;
    let cursor = current;
    let next = walkFrom;
    let enrollmentPatch: Partial<Enrollment> = {};
    for (let executed = 0; ;) {
      if (!cursor) {
        const w = walk(seq, next?.from, {
          accountId: run.account.accountId,
          facts: run.facts,
          splitSalt: seq.id,
          now: run.now,
        });
        enrollmentPatch = { ...enrollmentPatch, ...lifecycle.recordPassed(w.passed) };
        if (w.kind === 'end') return finish(run, w.reason, w.status);
        if (w.kind === 'await') {
          await setCursor(run, { ...enrollmentPatch, stepId: w.step.id });
          return {
            action: 'await',
            step: w.step.id,
            until: w.step.until,
            timeoutSeconds: timeoutSecondsOf(durationMillis(w.step.timeout)),
            since: iso(run.now),
          };
        }
        cursor = {
          stepId: w.step.id,
          due: new Date((next?.base ?? run.now).getTime() + durationMillis(w.step.after)),
        };
      }
      const step = stepById(seq, cursor.stepId);
      if (!step || step.type !== 'touch') {
        // Not a touch (e.g. a plan from an older snapshot): walk from it instead.
        next = { from: cursor.stepId, base: run.now };
        cursor = undefined;
        continue;
      }
      if (executed >= maxTouchSteps) {
        await setCursor(run, { ...enrollmentPatch, stepId: step.id });
        return { action: 'run', step: step.id, due: iso(cursor.due), contacts: cursor.contacts };
      }
      // Re-check the `if` of a step that waited: the account may have changed during the wait.
      if (current && step.if && !conditionHolds(step.if, run.facts)) {
        next = { from: successorOf(seq, step), base: run.now };
        cursor = undefined;
        current = undefined;
        continue;
      }
      const remaining = await executeTouch(run, step, cursor.due, cursor.contacts);
      if (remaining === 'none') {
        // Nothing to do yet: it is in the future.
        await setCursor(run, { ...enrollmentPatch, stepId: step.id });
        return {
          action: 'wait',
          at: iso(maxDate(cursor.due, run.now)),
          step: step.id,
          due: iso(cursor.due),
          contacts: cursor.contacts,
        };
      }
      if (remaining.length > 0) {
        await setCursor(run, { ...enrollmentPatch, stepId: step.id });
        return {
          action: 'wait',
          at: iso(earliest(remaining)),
          step: step.id,
          due: iso(cursor.due),
          contacts: [...new Set(remaining.map((r) => r.contactId))].sort(),
        };
      }
      executed++;
      next = { from: successorOf(seq, step), base: run.now };
      cursor = undefined;
      current = undefined;
    }
  }

  return executeStep;
}

function earliest(remaining: Remaining[]): Date {
  return remaining.reduce((min, r) => (r.at < min ? r.at : min), remaining[0].at);
}
