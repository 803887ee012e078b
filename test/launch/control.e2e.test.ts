/**
 * Pause and resume through the real AccountSequence ASL and the real engine (test/support/engine.ts),
 * driven by the campaign API's control service, with SendTaskSuccess routed into the local runner.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { RecordingSequenceControl } from '../../functions/platform/recorders';
import { controlFeature } from '../../functions/launch';
import { testPlatform } from '../support/platform';
import { useHarness } from '../support/suite';
import { startAwaiting, startSeededHarness } from '../support/engine';

describe('pause and resume on the real state machine', () => {
  const h = useHarness(() => startSeededHarness());
  let control: RecordingSequenceControl;
  let service: ReturnType<typeof controlFeature>;
  beforeAll(async () => {
    control = new RecordingSequenceControl({
      onResume: async (token, output) => {
        h.sfn.sendTaskSuccess(token, output);
        return 'done';
      },
    });
    service = controlFeature(
      testPlatform(h.store.table, {
        control,
        clock: { now: () => h.sfn.clock.now() },
        publisher: h.publisher,
      }),
    );
  });

  it('paused during an await that times out: resume completes the Paused token and the sequence goes on', async () => {
    const { input, exec, parked: awaitToken } = await startAwaiting(h, 'pa', 'c-pa');

    await service.enrollment('c-pa', 'pa', 'pause');
    // The await times out while paused: ExecuteStep sees `paused` and parks in Paused on a new token.
    h.sfn.expireToken(awaitToken.token);
    const pauseToken = await h.sfn.waitForParked({ execution: input.executionName, state: 'Paused' });
    const paused = await h.store.enrollments.get('pa', 'c-pa');
    expect(paused).toMatchObject({ status: 'paused', taskToken: pauseToken.token });

    const resumed = await service.enrollment('c-pa', 'pa', 'resume');
    expect(resumed.enrollments).toEqual([{ accountId: 'pa', status: 'running' }]);
    expect(control.resumed.map((r) => r.taskToken)).toEqual([pauseToken.token]);

    // The sequence goes on: the engine takes the await's onTimeout path, at once or (engines that
    // restart a paused await) after the await parks again and times out again.
    const next = await Promise.race([
      exec.done.then(() => undefined),
      h.sfn
        .waitForParked({ execution: input.executionName, state: 'AwaitEngagement' }, 3000)
        .catch(() => undefined),
    ]);
    if (next && next.token !== awaitToken.token) h.sfn.expireToken(next.token);
    const summary = await exec.done;
    expect((summary.output as { plan: { reason: string } }).plan.reason).toBe('sequence_end');
    expect(await h.store.touches.get('pa', `${input.executionName}#nudge#pa-eb`)).toMatchObject({
      status: 'sent',
    });
    expect(['completed', 'exited']).toContain((await h.store.enrollments.get('pa', 'c-pa'))!.status);
  });

  it('paused during an await and resumed before its timeout: waits again on the same await token', async () => {
    const { exec, parked: awaitToken } = await startAwaiting(h, 'pb', 'c-pb');
    await service.enrollment('c-pb', 'pb', 'pause');
    const before = control.resumed.length;
    await service.enrollment('c-pb', 'pb', 'resume');
    expect(control.resumed.length).toBe(before); // the await token is the scorer's to complete
    expect(await h.store.enrollments.get('pb', 'c-pb')).toMatchObject({
      status: 'waiting',
      taskToken: awaitToken.token,
    });
    h.sfn.sendTaskSuccess(awaitToken.token, { engaged: true });
    const summary = await exec.done;
    expect((summary.output as { plan: { reason: string } }).plan.reason).toBe('sequence_end');
    expect((await h.store.tasks.listOfAccount('pb')).map((t) => t.stepId)).toEqual(['engaged']);
  });
});
