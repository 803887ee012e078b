/**
 * ExecuteStep's hand-over (functions/engine/hand-over.ts) and the AWS waker behind it
 * (functions/platform/wake.ts): which plans complete at once and which at a schedule's time, the
 * schedule's time and name, the CreateSchedule request as EventBridge Scheduler documents it, and
 * the deletion of a stopped execution's pending wake.
 */
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ListSchedulesCommand,
  SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  handOver,
  isExecutionStopped,
  isStepTask,
  SCHEDULED_WAIT_MIN_MS,
  wakeScheduleName,
  wakeSchedulePrefix,
  wakeTime,
} from '../../functions/engine/hand-over';
import type { Plan } from '../../functions/kernel/plan';
import { stepTaskFeature } from '../../functions/engine';
import { compose } from '../../functions/platform/compose';
import {
  atExpression,
  ScheduledStepWaker,
  SEND_TASK_SUCCESS_TARGET,
  type StepWaker,
} from '../../functions/platform/wake';

const NOW = new Date('2026-03-02T15:00:00.000Z');
const STATE = { executionName: 'q1--northwind' };
const EVENT = { state: STATE, taskToken: 'token-1' };
const SCHEDULES = {
  group: 'abm-wakes',
  roleArn: 'arn:aws:iam::123456789012:role/abm-wake',
  deadLetterArn: 'arn:aws:sqs:us-east-1:123456789012:abm-wake-dlq',
};

function recordingWaker() {
  const calls: { op: string; args: unknown[] }[] = [];
  const waker: StepWaker = {
    complete: async (...args) => void calls.push({ op: 'complete', args }),
    completeAt: async (...args) => void calls.push({ op: 'completeAt', args }),
    cancel: async (...args) => (calls.push({ op: 'cancel', args }), 0),
  };
  return { waker, calls };
}

describe('hand-over', () => {
  it('a wait of two minutes or more completes at its end, rounded up to the minute, as a wake', async () => {
    const { waker, calls } = recordingWaker();
    const plan: Plan = { action: 'wait', at: '2026-03-04T09:00:30.000Z', step: 'tech', invocations: 3 };
    const out = await handOver(waker, NOW, EVENT, plan);
    const at = new Date('2026-03-04T09:01:00.000Z');
    expect(out).toEqual({ at, schedule: wakeScheduleName(STATE, plan) });
    expect(calls).toEqual([
      { op: 'completeAt', args: [wakeScheduleName(STATE, plan), at, 'token-1', { ...plan, action: 'wake' }] },
    ]);
  });

  it('a shorter wait, and every other plan, completes at once with the plan itself', async () => {
    const { waker, calls } = recordingWaker();
    const short: Plan = {
      action: 'wait',
      at: new Date(NOW.getTime() + SCHEDULED_WAIT_MIN_MS - 1).toISOString(),
      step: 'intro',
    };
    const others: Plan[] = [
      short,
      { action: 'run', step: 'tech' },
      { action: 'await', step: 'wait-1', timeoutSeconds: 60 },
      { action: 'pause', step: 'tech' },
      { action: 'done', reason: 'completed' },
    ];
    for (const plan of others) expect(await handOver(waker, NOW, EVENT, plan)).toEqual({ at: 'now' });
    expect(calls).toEqual(others.map((plan) => ({ op: 'complete', args: ['token-1', plan] })));
  });

  it('rounds to whole minutes and never earlier', () => {
    expect(wakeTime(new Date('2026-03-04T09:00:00.000Z')).toISOString()).toBe('2026-03-04T09:00:00.000Z');
    expect(wakeTime(new Date('2026-03-04T09:00:00.001Z')).toISOString()).toBe('2026-03-04T09:01:00.000Z');
    expect(atExpression(new Date('2026-03-04T09:01:00.000Z'))).toBe('at(2026-03-04T09:01:00)');
  });

  it('names a schedule within EventBridge Scheduler rules: per running execution and invocation', () => {
    const long = {
      executionName: 'x'.repeat(80),
      continuation: { n: 2, name: 'y'.repeat(80), startedAt: NOW.toISOString() },
    };
    const name = wakeScheduleName(long, { action: 'wait', invocations: 799 });
    expect(name).toMatch(/^[0-9a-zA-Z-_.]{1,64}$/);
    expect(name.startsWith(wakeSchedulePrefix('y'.repeat(80)))).toBe(true);
    expect(wakeScheduleName(STATE, { action: 'wait', invocations: 1 })).not.toBe(
      wakeScheduleName(STATE, { action: 'wait', invocations: 2 }),
    );
    // A prefix never matches another execution's schedules ("...-1" is not a prefix of "...-12"'s execution).
    expect(wakeSchedulePrefix('a')).not.toBe(wakeSchedulePrefix('b'));
    expect(wakeSchedulePrefix('a').endsWith('-')).toBe(true);
  });

  it('tells a step task, a plain invocation and a stopped execution apart', () => {
    expect(isStepTask(EVENT)).toBe(true);
    expect(isStepTask(STATE)).toBe(false);
    const stopped = {
      source: 'aws.states',
      'detail-type': 'Step Functions Execution Status Change',
      detail: { name: 'q1--northwind', status: 'ABORTED' },
    };
    expect(isExecutionStopped(stopped)).toBe(true);
    expect(isExecutionStopped({ ...stopped, detail: { ...stopped.detail, status: 'SUCCEEDED' } })).toBe(
      false,
    );
    expect(isExecutionStopped(EVENT)).toBe(false);
  });
});

it("the ExecuteStep function deletes a stopped execution's pending wake (the status-change rule's event)", async () => {
  const { waker, calls } = recordingWaker();
  const { step } = compose({ tableName: 'unused' }, { step: stepTaskFeature }, { waker });
  const out = await step({
    source: 'aws.states',
    'detail-type': 'Step Functions Execution Status Change',
    detail: { name: 'q1--northwind', status: 'ABORTED' },
  });
  expect(out).toEqual({ cancelledWakes: 0 });
  expect(calls).toEqual([{ op: 'cancel', args: [wakeSchedulePrefix('q1--northwind')] }]);
});

describe('ScheduledStepWaker', () => {
  const scheduler = mockClient(SchedulerClient);
  const sfn = mockClient(SFNClient);
  const named = (name: string) => Object.assign(new Error(name), { name });
  const waker = () => new ScheduledStepWaker(new SFNClient({}), new SchedulerClient({}), SCHEDULES);
  beforeEach(() => {
    scheduler.reset();
    sfn.reset();
  });

  it('makes a one-time schedule whose universal target is SendTaskSuccess with the plan', async () => {
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn' });
    const at = new Date('2026-03-04T09:01:00.000Z');
    await waker().completeAt('w-abc-3', at, 'token-1', { action: 'wake', step: 'tech' });
    const input = scheduler.commandCalls(CreateScheduleCommand)[0]!.args[0].input;
    expect(input).toEqual({
      Name: 'w-abc-3',
      GroupName: 'abm-wakes',
      ScheduleExpression: 'at(2026-03-04T09:01:00)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: {
        Arn: SEND_TASK_SUCCESS_TARGET,
        RoleArn: SCHEDULES.roleArn,
        Input: JSON.stringify({ TaskToken: 'token-1', Output: '{"action":"wake","step":"tech"}' }),
        RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
        DeadLetterConfig: { Arn: SCHEDULES.deadLetterArn },
      },
    });
    expect(SEND_TASK_SUCCESS_TARGET).toBe('arn:aws:scheduler:::aws-sdk:sfn:sendTaskSuccess');
  });

  it('replaces the schedule a retried attempt made (ConflictException); other errors throw', async () => {
    scheduler
      .on(CreateScheduleCommand)
      .rejectsOnce(new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} }))
      .rejects(named('ThrottlingException'));
    scheduler.on(UpdateScheduleCommand).resolves({ ScheduleArn: 'arn' });
    const at = new Date('2026-03-04T09:01:00.000Z');
    await waker().completeAt('w-abc-3', at, 'token-1', { action: 'wake' });
    expect(scheduler.commandCalls(UpdateScheduleCommand)[0]!.args[0].input).toMatchObject({
      Name: 'w-abc-3',
      ScheduleExpression: 'at(2026-03-04T09:01:00)',
    });
    await expect(waker().completeAt('w-abc-4', at, 'token-2', {})).rejects.toThrow('ThrottlingException');
  });

  it('completes at once with SendTaskSuccess; a token already gone is not an error, others are', async () => {
    sfn
      .on(SendTaskSuccessCommand)
      .resolvesOnce({})
      .rejectsOnce(named('TaskTimedOut'))
      .rejects(named('ThrottlingException'));
    await waker().complete('token-1', { action: 'done' });
    expect(sfn.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input).toEqual({
      taskToken: 'token-1',
      output: '{"action":"done"}',
    });
    await waker().complete('token-2', {});
    await expect(waker().complete('token-3', {})).rejects.toThrow('ThrottlingException');
  });

  it("deletes a stopped execution's pending wakes, page by page, one that ran meanwhile included", async () => {
    scheduler
      .on(ListSchedulesCommand)
      .resolvesOnce({ Schedules: [{ Name: 'w-abc-3' }], NextToken: 'p2' })
      .resolvesOnce({ Schedules: [{ Name: 'w-abc-4' }] });
    scheduler.on(DeleteScheduleCommand).resolvesOnce({}).rejectsOnce(named('ResourceNotFoundException'));
    expect(await waker().cancel('w-abc-')).toBe(1);
    expect(scheduler.commandCalls(ListSchedulesCommand).map((c) => c.args[0].input)).toEqual([
      { GroupName: 'abm-wakes', NamePrefix: 'w-abc-', NextToken: undefined },
      { GroupName: 'abm-wakes', NamePrefix: 'w-abc-', NextToken: 'p2' },
    ]);
    expect(scheduler.commandCalls(DeleteScheduleCommand).map((c) => c.args[0].input)).toEqual([
      { GroupName: 'abm-wakes', Name: 'w-abc-3' },
      { GroupName: 'abm-wakes', Name: 'w-abc-4' },
    ]);
  });
});
