/**
 * The control service's retries and its reading of where a paused execution is parked, against
 * dynalite with a scripted SequenceControl (failures injected where a request can die).
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../functions/kernel/clock';
import { executionNameFor } from '../../functions/kernel/execution';
import { controlFeature } from '../../functions/launch';
import { type SequenceControl } from '../../functions/platform/sfn';
import { RecordingSequenceControl } from '../../functions/platform/recorders';
import { useLocalStore } from '../support/suite';
import { testPlatform } from '../support/platform';

const clock = new ManualClock('2026-11-23T09:00:00Z');
const store = useLocalStore(() => clock.now());

/** The campaign controls over the test's table, with this Step Functions control. */
const createControlService = ({ control }: { control: SequenceControl }) =>
  controlFeature(testPlatform(store.table, { control, clock }));

async function seed(campaignId: string, accounts: string[]) {
  const now = clock.now().toISOString();
  await store.campaigns.create({
    campaignId,
    name: campaignId,
    sequenceId: 'seq',
    version: 1,
    audience: { accountIds: accounts },
    holdoutPercent: 0,
    status: 'running',
    enrolled: accounts.length,
    heldOut: 0,
    createdAt: now,
    updatedAt: now,
  });
  for (const accountId of accounts) {
    await store.enrollments.create({
      accountId,
      campaignId,
      sequenceId: 'seq',
      sequenceVersion: 1,
      exclusive: false,
      executionName: executionNameFor(campaignId, accountId),
      status: 'running',
      startedAt: now,
      updatedAt: now,
    } as never);
  }
}

describe('control retries', () => {
  it('a campaign stop that died midway is finished by repeating it (no 409 on a stopped campaign)', async () => {
    await seed('stop-retry', ['s-1', 's-2', 's-3']);
    let calls = 0;
    const control = new RecordingSequenceControl({
      onStop: async () => {
        if (++calls === 2) throw new Error('ThrottlingException');
        return 'done';
      },
    });
    const service = createControlService({ control });
    await expect(service.campaign('stop-retry', 'stop')).rejects.toThrow(/Throttling/);
    expect((await store.campaigns.get('stop-retry'))?.status).toBe('stopped');
    const retry = await service.campaign('stop-retry', 'stop');
    expect(retry.status).toBe('stopped');
    const statuses = (await store.enrollments.listOfCampaign('stop-retry')).items.map((e) => e.status);
    expect(statuses).toEqual(['stopped', 'stopped', 'stopped']);
    // Every execution got its StopExecution (the failed one again on the retry).
    expect(new Set(control.stopped.map((s) => s.executionName)).size).toBe(3);
    // Pause and resume of a stopped campaign are still refused.
    await expect(service.campaign('stop-retry', 'resume')).rejects.toMatchObject({ status: 409 });
  });

  it('StopExecution fails: the enrollment stays active, so a retry stops it', async () => {
    await seed('stop-one', ['o-1']);
    let fail = true;
    const control = new RecordingSequenceControl({
      onStop: async () => {
        if (fail) throw new Error('ServiceUnavailable');
        return 'done';
      },
    });
    const service = createControlService({ control });
    await expect(service.enrollment('stop-one', 'o-1', 'stop')).rejects.toThrow(/ServiceUnavailable/);
    expect((await store.enrollments.get('o-1', 'stop-one'))?.status).toBe('running');
    fail = false;
    const retry = await service.enrollment('stop-one', 'o-1', 'stop');
    expect(retry.enrollments).toEqual([{ accountId: 'o-1', status: 'stopped' }]);
  });

  it('SendTaskSuccess fails on resume: a retry sends the pause token again', async () => {
    await seed('resume-retry', ['r-1']);
    let fail = true;
    const sent: string[] = [];
    const control = new RecordingSequenceControl({
      onResume: async (token) => {
        if (fail) throw new Error('ThrottlingException');
        sent.push(token);
        return 'done';
      },
    });
    const service = createControlService({ control });
    await service.enrollment('resume-retry', 'r-1', 'pause');
    // The engine parks in Paused.
    await store.enrollments.update('r-1', 'resume-retry', (e) => ({ ...e, taskToken: 'pause-token' }));
    await expect(service.enrollment('resume-retry', 'r-1', 'resume')).rejects.toThrow(/Throttling/);
    fail = false;
    // RecordingSequenceControl remembers the token as used even though the call threw: forget it.
    (control as unknown as { usedTokens: Set<string> }).usedTokens.clear();
    await service.campaign('resume-retry', 'resume');
    expect(sent).toEqual(['pause-token']);
  });

  it('an await that timed out while paused parked in Paused on a new token: resume completes it', async () => {
    // What the engine's Paused park leaves: a new token, and `waitingFor` cleared (functions/engine park).
    await seed('await-paused', ['w-1']);
    const waitingFor = { stepId: 'wait', until: { minScore: 40 }, since: '2026-11-23T09:00:00.000Z' };
    await store.enrollments.update('w-1', 'await-paused', (e) => ({
      ...e,
      status: 'waiting',
      taskToken: 'await-token',
      waitingFor,
    }));
    const control = new RecordingSequenceControl();
    const service = createControlService({ control });
    await service.campaign('await-paused', 'pause');
    await store.enrollments.update('w-1', 'await-paused', (e) => ({
      ...e,
      taskToken: 'pause-token',
      waitingFor: undefined,
    }));
    const resumed = await service.campaign('await-paused', 'resume');
    expect(resumed.changed).toBe(1);
    expect(control.resumed.map((r) => r.taskToken)).toEqual(['pause-token']);
    expect((await store.enrollments.get('w-1', 'await-paused'))?.status).toBe('running');
  });
});
