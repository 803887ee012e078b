/**
 * Review regressions through the real ASL with the real engine (dynalite, aws-ses-v2-local):
 * a pause across an await that times out, a failed step on a paused or suppressed account, and an
 * SES failure whose outcome is unknown.
 */
import { describe, expect, it } from 'vitest';
import { SesEmailSender } from '../../functions/platform/ses';
import type { SequenceControl } from '../../functions/platform/sfn';
import { DETAIL_TYPES } from '../../functions/kernel/events';
import type { SequenceInput } from '../../functions/kernel/model';
import { TransientError } from '../../functions/engine/errors';
import { controlFeature } from '../../functions/launch';
import { testPlatform } from '../support/platform';
import type { TaskHandler } from '../support/local-sfn';
import { useHarness } from '../support/suite';
import {
  emailsTo,
  reasonOf,
  seedAndEnroll,
  START,
  startAwaiting,
  startSeededHarness,
  within,
  withHarness,
} from '../support/engine';

describe('pause while awaiting engagement', () => {
  const h = useHarness(() => startSeededHarness());

  it('an await that times out while paused parks for the pause without waitingFor, and resumes on its onTimeout path', async () => {
    const { input, exec, parked: awaitToken } = await startAwaiting(h, 'pa', 'c-pa');
    // Paused while parked on the await (the control service sets the status only).
    await h.store.enrollments.update('pa', 'c-pa', (e) => ({ ...e, status: 'paused' }));
    h.sfn.expireToken(awaitToken.token);
    const pauseToken = await h.sfn.waitForParked({ execution: input.executionName, state: 'Paused' });
    const parked = await h.store.enrollments.get('pa', 'c-pa');
    expect(parked).toMatchObject({ status: 'paused', taskToken: pauseToken.token });
    // The await is over: nothing left for the scorer, and resume must complete the pause token.
    expect(parked!.waitingFor).toBeUndefined();

    // Resume: status running, then SendTaskSuccess on the pause token.
    await h.store.enrollments.update('pa', 'c-pa', (e) => ({ ...e, status: 'running' }));
    h.sfn.sendTaskSuccess(pauseToken.token, { resumed: true });
    const summary = await within(exec.done);
    expect(reasonOf(summary)).toBe('sequence_end');
    // The timed-out await takes its timeout path at once: no second AwaitEngagement.
    expect(summary.path.filter((s) => s === 'AwaitEngagement')).toHaveLength(1);
    expect(await h.store.tasks.listOfAccount('pa')).toHaveLength(0);
    expect(await h.store.touches.get('pa', `${input.executionName}#nudge#pa-eb`)).toMatchObject({
      status: 'sent',
    });
    expect(await h.store.enrollments.get('pa', 'c-pa')).toMatchObject({
      status: 'exited',
      reason: 'sequence_end',
    });
  });

  it('the same through the control service: pause, await timeout, resume', async () => {
    const control: SequenceControl = {
      resume: async (token, output) => {
        try {
          h.sfn.sendTaskSuccess(token, output);
          return 'done';
        } catch {
          return 'gone';
        }
      },
      stop: async () => 'gone',
    };
    const service = controlFeature(
      testPlatform(h.store.table, { control, clock: { now: () => START }, publisher: h.publisher }),
    );
    const { input, exec, parked: awaitToken } = await startAwaiting(h, 'pb', 'c-pb');
    await service.enrollment('c-pb', 'pb', 'pause');
    h.sfn.expireToken(awaitToken.token);
    await h.sfn.waitForParked({ execution: input.executionName, state: 'Paused' });
    await service.enrollment('c-pb', 'pb', 'resume');
    const summary = await within(exec.done);
    expect(reasonOf(summary)).toBe('sequence_end');
    expect(await h.store.touches.get('pb', `${input.executionName}#nudge#pb-eb`)).toMatchObject({
      status: 'sent',
    });
  });
});

describe('a failed step does not bypass exit and pause', () => {
  const hooks: Record<string, () => Promise<void>> = {};
  // ExecuteStep of step `e2` (not the RecordFailure call) changes the world, then fails for good.
  const wrap =
    (inner: TaskHandler): TaskHandler =>
    async (input, ctx) => {
      const plan = (input as { plan?: { step?: string; failed?: unknown } }).plan;
      const hook = hooks[ctx.executionName];
      if (plan?.step === 'e2' && plan.failed === undefined && hook) {
        delete hooks[ctx.executionName]; // once
        await hook();
        throw new Error('simulated step failure');
      }
      return inner(input, ctx);
    };
  const h = useHarness(() => startSeededHarness({ wrapExecute: wrap }));

  // e2 fails; e3..e5 are due at once after it.
  const burst: SequenceInput = {
    id: 'burst',
    name: 'Burst',
    frequencyCap: { perContact: 10, window: 'P7D', onCapped: 'skip' },
    steps: [
      { id: 'e1', channel: 'email', after: 'P0D', to: ['economic_buyer'], template: 'intro' },
      { id: 'e2', channel: 'email', after: 'P1D', to: ['economic_buyer'], template: 'intro' },
      { id: 'e3', channel: 'email', after: 'P0D', to: ['economic_buyer'], template: 'intro' },
      { id: 'e4', channel: 'email', after: 'P0D', to: ['economic_buyer'], template: 'intro' },
      { id: 'e5', channel: 'email', after: 'P0D', to: ['economic_buyer'], template: 'intro' },
    ],
  } as SequenceInput;

  it('a suppressed account gets no touch after a failed step', async () => {
    const input = await seedAndEnroll(h, 'fs', 'c-fs', burst);
    hooks[input.executionName] = async () => {
      await h.store.accounts.update('fs', (a) => ({ ...a, suppressed: true }));
    };
    const summary = await within(h.sfn.start(input, { name: input.executionName }).done);
    expect(summary.path).toContain('RecordFailure');
    expect(reasonOf(summary)).toBe('account_suppressed');
    expect(await emailsTo(h, 'dana@fs.example')).toHaveLength(1);
    const failed = h.publisher
      .ofType(DETAIL_TYPES.touchFailed)
      .filter((e) => e.detail.accountId === 'fs')
      .map((e) => (e.detail as unknown as { stepId: string; reason: string }).reason);
    expect(failed).toEqual(['step_failed']);
  });

  it('a paused account parks after a failed step, and on resume goes on after it', async () => {
    const input = await seedAndEnroll(h, 'fp', 'c-fp', burst);
    hooks[input.executionName] = async () => {
      await h.store.enrollments.update('fp', 'c-fp', (e) => ({ ...e, status: 'paused' }));
    };
    const exec = h.sfn.start(input, { name: input.executionName });
    const parked = await h.sfn.waitForParked({ execution: input.executionName, state: 'Paused' });
    expect(await emailsTo(h, 'dana@fp.example')).toHaveLength(1);
    await h.store.enrollments.update('fp', 'c-fp', (e) => ({ ...e, status: 'running' }));
    h.sfn.sendTaskSuccess(parked.token, { resumed: true });
    const summary = await within(exec.done);
    expect(reasonOf(summary)).toBe('completed');
    const touches = (await h.store.touches.listOfAccount('fp', { limit: 50 })).items;
    expect(
      touches
        .filter((t) => t.status === 'sent')
        .map((t) => t.stepId)
        .sort(),
    ).toEqual(['e1', 'e3', 'e4', 'e5']);
    expect(
      h.publisher.ofType(DETAIL_TYPES.touchFailed).filter((e) => e.detail.accountId === 'fp'),
    ).toHaveLength(1);
  });
});

describe('SES failures whose outcome is unknown', () => {
  const twoSteps: SequenceInput = {
    id: 'two',
    name: 'Two',
    steps: [
      { id: 'first', channel: 'email', after: 'P0D', to: ['economic_buyer'], template: 'intro' },
      { id: 'second', channel: 'email', after: 'P1D', to: ['champion'], template: 'intro' },
    ],
  } as SequenceInput;

  it.each([
    ['a timeout (no answer)', () => Object.assign(new Error('socket timed out'), { name: 'TimeoutError' })],
    [
      'a connection reset',
      () => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', $retryable: {} }),
    ],
    [
      'a 5xx',
      () =>
        Object.assign(new Error('internal'), { name: 'InternalFailure', $metadata: { httpStatusCode: 500 } }),
    ],
  ])(
    '%s after SES accepted the mail: the touch is uncertain and a retry never sends again',
    async (n, error) => {
      const id = `amb-${n.length}`;
      let sends = 0;
      let crashed = false;
      await withHarness(
        {
          email: (ses) => {
            const real = new SesEmailSender(ses.client);
            return {
              send: async (mail) => {
                const out = await real.send(mail);
                // SES accepted it, but the answer never arrived.
                if (sends++ === 0) throw error();
                return out;
              },
            };
          },
          // Then the invocation dies before returning: the state machine retries it.
          wrapExecute: (inner) => async (input, ctx) => {
            const result = await inner(input, ctx);
            if (!crashed) {
              crashed = true;
              throw new TransientError('simulated crash after the send');
            }
            return result;
          },
        },
        async (h) => {
          const input = await seedAndEnroll(h, id, `c-${id}`, twoSteps);
          const summary = await within(h.sfn.start(input, { name: input.executionName }).done, 15_000);
          expect(reasonOf(summary)).toBe('completed');
          expect(await emailsTo(h, `dana@${id}.example`)).toHaveLength(1);
          expect(await emailsTo(h, `sam@${id}.example`)).toHaveLength(1);
          const touch = await h.store.touches.get(id, `${input.executionName}#first#${id}-eb`);
          expect(touch?.status).toBe('uncertain');
          expect(touch?.reason).toMatch(/^unknown_outcome:/);
          expect(
            h.publisher
              .ofType(DETAIL_TYPES.touchUncertain)
              .map((e) => (e.detail as unknown as { reason: string }).reason),
          ).toEqual([expect.stringMatching(/^unknown_outcome:/)]);
          expect(h.publisher.ofType(DETAIL_TYPES.touchFailed)).toEqual([]);
        },
      );
    },
  );
});
