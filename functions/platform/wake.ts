/**
 * The waker: how ExecuteStep, a callback task (`lambda:invoke.waitForTaskToken`), completes its own
 * task with the plan it made (functions/engine/hand-over.ts):
 * - `complete`: SendTaskSuccess now;
 * - `completeAt`: SendTaskSuccess at a time, through a one-time EventBridge Scheduler schedule whose
 *   universal target is Step Functions' SendTaskSuccess. The schedule deletes itself once it has run
 *   (`ActionAfterCompletion: DELETE`); what it could not deliver after its retries goes to a
 *   dead-letter queue, which has an alarm (lib/infra/constructs/sequence-engine.ts).
 * Local mode and the tests put the local runner behind the same port (its clock's timers).
 */
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import { lazyClient, schedulerSdk, sfnSdk } from './aws-sdk';
import { needConfig, port } from './compose';

export interface StepWaker {
  /** Completes the task now with `output`. */
  complete(taskToken: string, output: unknown): Promise<void>;
  /**
   * Completes the task with `output` at `at` (whole minutes: schedules fire within the minute
   * after their time), by a schedule named `name` (an existing one of that name is replaced).
   */
  completeAt(name: string, at: Date, taskToken: string, output: unknown): Promise<void>;
  /** Deletes the pending wakes whose names start with `prefix` (a stopped execution's); how many. */
  cancel(prefix: string): Promise<number>;
}

/** Where the wake schedules go (the stack's schedule group, role and dead-letter queue). */
export interface WakeSchedules {
  group: string;
  /** The role EventBridge Scheduler assumes to call SendTaskSuccess on the state machine. */
  roleArn: string;
  /** Where a wake that failed after its retries goes. */
  deadLetterArn: string;
}

/** SendTaskSuccess as a universal target (https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-targets-universal.html). */
export const SEND_TASK_SUCCESS_TARGET = 'arn:aws:scheduler:::aws-sdk:sfn:sendTaskSuccess';

/**
 * How long, and how often, EventBridge Scheduler retries a wake it could not deliver (a throttled
 * or failed SendTaskSuccess) before it goes to the dead-letter queue: the service's defaults, one
 * day and 185 attempts (https://docs.aws.amazon.com/scheduler/latest/APIReference/API_RetryPolicy.html).
 */
const RETRY_POLICY = { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 };

/** A token or an execution that is already gone: the execution was stopped while its step ran. */
const GONE = new Set(['TaskDoesNotExist', 'TaskTimedOut', 'InvalidToken']);

/** `at(yyyy-mm-ddThh:mm:ss)` in UTC (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#one-time). */
export function atExpression(at: Date): string {
  return `at(${at.toISOString().slice(0, 19)})`;
}

export class ScheduledStepWaker implements StepWaker {
  constructor(
    private readonly sfn: SFNClient,
    private readonly scheduler: SchedulerClient,
    private readonly schedules: WakeSchedules,
  ) {}

  async complete(taskToken: string, output: unknown): Promise<void> {
    const { SendTaskSuccessCommand } = sfnSdk();
    try {
      await this.sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
    } catch (err) {
      if (!GONE.has((err as Error).name)) throw err;
    }
  }

  async completeAt(name: string, at: Date, taskToken: string, output: unknown): Promise<void> {
    const { CreateScheduleCommand, UpdateScheduleCommand } = schedulerSdk();
    const request = {
      Name: name,
      GroupName: this.schedules.group,
      ScheduleExpression: atExpression(at),
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' as const },
      ActionAfterCompletion: 'DELETE' as const,
      Target: {
        Arn: SEND_TASK_SUCCESS_TARGET,
        RoleArn: this.schedules.roleArn,
        // The API's request, as its JSON names it (https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskSuccess.html).
        Input: JSON.stringify({ TaskToken: taskToken, Output: JSON.stringify(output) }),
        RetryPolicy: RETRY_POLICY,
        DeadLetterConfig: { Arn: this.schedules.deadLetterArn },
      },
    };
    try {
      await this.scheduler.send(new CreateScheduleCommand(request));
    } catch (err) {
      // A retried attempt of the same task (the same token, so the same name): replace it.
      if ((err as Error).name !== 'ConflictException') throw err;
      await this.scheduler.send(new UpdateScheduleCommand(request));
    }
  }

  async cancel(prefix: string): Promise<number> {
    const { DeleteScheduleCommand, ListSchedulesCommand } = schedulerSdk();
    const GroupName = this.schedules.group;
    let deleted = 0;
    let NextToken: string | undefined;
    do {
      const page = await this.scheduler.send(
        new ListSchedulesCommand({ GroupName, NamePrefix: prefix, NextToken }),
      );
      for (const { Name } of page.Schedules ?? []) {
        try {
          await this.scheduler.send(new DeleteScheduleCommand({ GroupName, Name }));
          deleted++;
        } catch (err) {
          // It ran (and deleted itself) meanwhile.
          if ((err as Error).name !== 'ResourceNotFoundException') throw err;
        }
      }
      NextToken = page.NextToken;
    } while (NextToken);
    return deleted;
  }
}

/** The ExecuteStep task's waker (`config.wakeSchedules`). */
export const STEP_WAKER = /* @__PURE__ */ port(
  'waker',
  (config) =>
    new ScheduledStepWaker(
      lazyClient(() => new (sfnSdk().SFNClient)({})),
      lazyClient(() => new (schedulerSdk().SchedulerClient)({})),
      {
        group: needConfig(config, 'waker', 'wakeScheduleGroup'),
        roleArn: needConfig(config, 'waker', 'wakeRoleArn'),
        deadLetterArn: needConfig(config, 'waker', 'wakeDeadLetterArn'),
      },
    ),
);
