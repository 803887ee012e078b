/**
 * Continue as new (functions/engine/continuation.ts) on the real AccountSequence ASL with the real
 * engine: an execution past its invocation threshold or its deadline hands the enrollment over to
 * a new execution with the plan it was given. Each test sets small thresholds (the defaults sit
 * under Step Functions' 25,000 history events and one year) and follows the chain of executions
 * the ContinueAsNew task starts: the old ones end succeeded (Continued), the enrollment points to
 * the new one, every touch is sent once, under the enrollment's execution name, none is lost.
 */
import { describe, expect, it } from 'vitest';
import { enrollmentLifecycle } from '../../functions/engine';
import { continuationName } from '../../functions/kernel/execution';
import type { SequenceInput } from '../../functions/kernel/model';
import type { Plan } from '../../functions/kernel/plan';
import { RecordingSequenceControl } from '../../functions/platform/recorders';
import {
  committeeAccount,
  emailsTo,
  enroll,
  reasonOf,
  seedAccount,
  snapshot,
  START,
  within,
  withHarness,
  type Harness,
} from '../support/engine';
import type { ExecutionSummary, LocalExecution } from '../support/local-sfn';

const DAY = 86_400_000;

/** The mail the account's committee received (the local SES is shared by the tests). */
const mailOf = async (h: Harness, accountId: string) =>
  (await Promise.all(['dana', 'sam', 'kim'].map((n) => emailsTo(h, `${n}@${accountId}.example`)))).flat();

/** The executions the runner starts for one enrollment, its first included, in order. */
function chainOf(h: Harness) {
  const executions: LocalExecution[] = [];
  const inputs: unknown[] = [];
  h.sfn.onStarted((execution, input) => {
    executions.push(execution);
    inputs.push(input);
  });
  return {
    executions,
    inputs,
    start(input: unknown, name: string) {
      executions.unshift(h.sfn.start(input, { name }));
      inputs.unshift(input);
    },
    /** Every execution's summary once the chain has ended (the last did not continue). */
    async settled(): Promise<ExecutionSummary[]> {
      const out: ExecutionSummary[] = [];
      for (let i = 0; i < executions.length; i++) out.push(await within(executions[i].done, 20_000));
      return out;
    },
  };
}

const planOf = (s: ExecutionSummary) => (s.output as { plan: Plan }).plan;

/** Mail to the account's economic buyer and champion, one step every `after` (no frequency cap in the way). */
function drip(steps: number, after: string): SequenceInput {
  return {
    id: 'drip',
    name: 'Drip',
    frequencyCap: { perContact: 100 },
    steps: Array.from({ length: steps }, (_, i) => ({
      id: `s${i + 1}`,
      channel: 'email' as const,
      after: i === 0 ? 'P0D' : after,
      to: ['economic_buyer', 'champion'],
      template: 'intro',
    })),
  };
}

describe('continue as new', () => {
  it('past its invocation threshold an execution continues with its plan: every touch once, the enrollment on the last execution', async () => {
    await withHarness({ config: { continueAsNew: { maxInvocations: 2 } } }, async (h) => {
      await seedAccount(h.store, committeeAccount('acme1'));
      const input = await enroll(h.store, 'acme1', 'year', snapshot(drip(5, 'P1D')), START);
      const chain = chainOf(h);
      chain.start(input, input.executionName);
      const summaries = await chain.settled();

      // Two invocations each, then a third that only hands over: 5 touch steps, 3 executions at least.
      expect(summaries.length).toBeGreaterThanOrEqual(3);
      const last = summaries.at(-1)!;
      expect(last.status).toBe('SUCCEEDED');
      expect(reasonOf(last)).toBe('completed');
      for (const [i, s] of summaries.slice(0, -1).entries()) {
        expect(s.status).toBe('SUCCEEDED');
        expect(s.path.at(-2)).toBe('ContinueAsNew');
        expect(s.path.at(-1)).toBe('Continued');
        const plan = planOf(s);
        expect(plan.action).toBe('continue');
        expect(plan.continuation).toMatchObject({
          n: i + 1,
          name: continuationName(input.executionName, i + 1),
        });
        expect(chain.executions[i + 1].name).toBe(plan.continuation!.name);
        // The next execution's input: the enrollment's, its continuation, the plan handed over.
        expect(chain.inputs[i + 1]).toMatchObject({
          executionName: input.executionName,
          enrolledAt: input.enrolledAt,
          continuation: plan.continuation,
          plan: plan.then,
        });
        // The ExecuteStep invocations of one execution: at most the threshold, and the hand-over.
        expect(s.path.filter((p) => p === 'ExecuteStep').length).toBeLessThanOrEqual(3);
      }

      const touches = (await h.store.touches.listOfAccount('acme1', { limit: 100 })).items;
      expect(touches).toHaveLength(10);
      expect(touches.every((t) => t.status === 'sent')).toBe(true);
      // Keyed by the enrollment's execution name, whichever execution sent them.
      expect(touches.every((t) => t.touchId.startsWith(`${input.executionName}#`))).toBe(true);
      expect(touches.every((t) => t.executionName === input.executionName)).toBe(true);
      expect(new Set(touches.map((t) => `${t.stepId}/${t.contactId}`)).size).toBe(10);
      expect(await mailOf(h, 'acme1')).toHaveLength(10);
      // One day apart, as in one execution.
      const at = [...new Set(touches.map((t) => t.at))].sort();
      expect(at).toHaveLength(5);
      for (let i = 1; i < at.length; i++) expect(Date.parse(at[i]) - Date.parse(at[i - 1])).toBe(DAY);

      const enrollment = (await h.store.enrollments.get('acme1', 'year'))!;
      expect(enrollment.status).toBe('completed');
      expect(enrollment.executionName).toBe(input.executionName);
      expect(enrollment.currentExecutionName).toBe(chain.executions.at(-1)!.name);
    });
  });

  it('a wait past the deadline wakes at it and the next execution waits the rest', async () => {
    await withHarness({ config: { continueAsNew: { maxAgeMs: 2 * DAY } } }, async (h) => {
      await seedAccount(h.store, committeeAccount('acme2'));
      const input = await enroll(h.store, 'acme2', 'long', snapshot(drip(2, 'P3D')), START);
      const chain = chainOf(h);
      chain.start(input, input.executionName);
      const summaries = await chain.settled();

      expect(summaries.map((s) => s.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
      expect(planOf(summaries[0]).action).toBe('continue');
      // The first execution waited until its deadline (2 days), not the step's time (3 days).
      expect(planOf(summaries[0]).continuation!.startedAt).toBe(
        new Date(START.getTime() + 2 * DAY).toISOString(),
      );
      expect(planOf(summaries[0]).then).toMatchObject({ action: 'wait', step: 's2' });
      expect(reasonOf(summaries[1])).toBe('completed');
      const touches = (await h.store.touches.listOfAccount('acme2', { limit: 100 })).items;
      expect(touches.filter((t) => t.stepId === 's2').map((t) => t.at)).toEqual([
        new Date(START.getTime() + 3 * DAY).toISOString(),
        new Date(START.getTime() + 3 * DAY).toISOString(),
      ]);
      expect(touches.every((t) => t.status === 'sent')).toBe(true);
      expect(await mailOf(h, 'acme2')).toHaveLength(4);
    });
  });

  it('an await parked past the deadline: the next execution parks for what is left of it, then takes its timeout path', async () => {
    await withHarness({ config: { continueAsNew: { maxAgeMs: 3 * DAY } } }, async (h) => {
      await seedAccount(h.store, committeeAccount('acme3'));
      const sequence: SequenceInput = {
        id: 'nurture',
        name: 'Nurture',
        steps: [
          { id: 'intro', channel: 'email', after: 'P0D', to: ['economic_buyer'], template: 'intro' },
          {
            id: 'wait',
            type: 'await_engagement',
            timeout: 'P4D',
            until: { minScore: 40 },
            onTimeout: 'next',
          },
          { id: 'follow', channel: 'email', after: 'P0D', to: ['economic_buyer'], template: 'intro' },
        ],
      };
      const input = await enroll(h.store, 'acme3', 'nurture', snapshot(sequence), START);
      const chain = chainOf(h);
      chain.start(input, input.executionName);

      // Parked on the step's 4 days cut to the 3 days left of the execution.
      const first = await h.sfn.waitForParked({ execution: input.executionName, state: 'AwaitEngagement' });
      expect(first.timeoutSeconds).toBe(3 * 86_400);
      h.sfn.expireToken(first.token);

      const next = continuationName(input.executionName, 1);
      const second = await h.sfn.waitForParked({ execution: next, state: 'AwaitEngagement' });
      // The same wait: 1 day left of it, counted from when it began.
      expect(second.timeoutSeconds).toBe(86_400);
      const waiting = (await h.store.enrollments.get('acme3', 'nurture'))!;
      expect(waiting).toMatchObject({
        status: 'waiting',
        currentExecutionName: next,
        taskToken: second.token,
        waitingFor: { stepId: 'wait', since: START.toISOString() },
      });
      h.sfn.expireToken(second.token);

      const summaries = await chain.settled();
      expect(summaries.map((s) => s.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
      expect(planOf(summaries[0]).action).toBe('continue');
      expect(reasonOf(summaries[1])).toBe('completed');
      const touches = (await h.store.touches.listOfAccount('acme3', { limit: 100 })).items;
      expect(touches.map((t) => [t.stepId, t.status, t.at]).sort()).toEqual([
        ['follow', 'sent', new Date(START.getTime() + 4 * DAY).toISOString()],
        ['intro', 'sent', START.toISOString()],
      ]);
    });
  });

  it('a pause past the deadline continues still paused; a resume reaches the new execution', async () => {
    await withHarness({ config: { continueAsNew: { maxAgeMs: 2 * DAY } } }, async (h) => {
      await seedAccount(h.store, committeeAccount('acme4'));
      const input = await enroll(h.store, 'acme4', 'held', snapshot(drip(2, 'P1D')), START);
      await h.store.enrollments.update('acme4', 'held', (e) => ({ ...e, status: 'paused' }));
      const chain = chainOf(h);
      chain.start(input, input.executionName);

      const first = await h.sfn.waitForParked({ execution: input.executionName, state: 'Paused' });
      expect(first.timeoutSeconds).toBe(2 * 86_400);
      h.sfn.expireToken(first.token);
      const next = continuationName(input.executionName, 1);
      const second = await h.sfn.waitForParked({ execution: next, state: 'Paused' });
      expect(await mailOf(h, 'acme4')).toHaveLength(0);

      // Resumed (as the campaign controls do: running first, then the token).
      await h.store.enrollments.update('acme4', 'held', (e) => ({ ...e, status: 'running' }));
      h.sfn.sendTaskSuccess(second.token, { resumed: true });
      const summaries = await chain.settled();
      expect(summaries.map((s) => s.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
      expect(reasonOf(summaries[1])).toBe('completed');
      expect(await mailOf(h, 'acme4')).toHaveLength(4);
    });
  });

  it('a stop goes to the execution running the enrollment now', async () => {
    const control = new RecordingSequenceControl();
    await withHarness({ control, config: { continueAsNew: { maxAgeMs: 3 * DAY } } }, async (h) => {
      await seedAccount(h.store, committeeAccount('acme5'));
      const sequence: SequenceInput = {
        id: 'nurture',
        name: 'Nurture',
        steps: [
          {
            id: 'wait',
            type: 'await_engagement',
            timeout: 'P5D',
            until: { minScore: 40 },
            onTimeout: 'exit',
          },
        ],
      };
      const input = await enroll(h.store, 'acme5', 'nurture', snapshot(sequence), START);
      const chain = chainOf(h);
      chain.start(input, input.executionName);
      h.sfn.expireToken((await h.sfn.waitForParked({ execution: input.executionName })).token);
      const next = continuationName(input.executionName, 1);
      const parked = await h.sfn.waitForParked({ execution: next });

      const lifecycle = enrollmentLifecycle(h.platform);
      const enrollment = (await h.store.enrollments.get('acme5', 'nurture'))!;
      const ended = await lifecycle.endFromOutside(enrollment, {
        status: 'stopped',
        reason: 'operator',
        cause: 'stopped by the operator',
        now: new Date(START.getTime() + 3 * DAY),
      });
      expect(ended.changed).toBe(true);
      expect(control.stopped.map((s) => s.executionName)).toEqual([next]);
      // (The recording control stops nothing: the parked execution ends when it next runs.)
      h.sfn.sendTaskSuccess(parked.token, {});
      const summaries = await chain.settled();
      expect(reasonOf(summaries[1])).toBe('operator');
    });
  });
});
