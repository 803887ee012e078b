/**
 * End to end with the engine (issue #4 acceptance): the real AccountSequence ASL run by the local
 * Step Functions helper, the real engine handlers, and the scorer wired to it through the
 * SequenceControl port (resume = the runner's SendTaskSuccess, stop = aborting the execution).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingSequenceControl } from '../../functions/adapters/sfn/sequence-control';
import type { SequenceInput } from '../../functions/domain/model';
import {
  committeeAccount,
  enroll,
  seedAccount,
  seedTemplates,
  snapshot,
  startHarness,
  type Harness,
} from '../engine/harness';
import type { LocalExecution } from '../helpers/local-sfn';
import { buildRig, detail, ebRecord } from './fixtures';

const START = new Date('2026-03-02T15:00:00Z'); // the harness's virtual start: Monday 10:00 New York
const at = (minutes: number) => START.getTime() + minutes * 60_000;

const awaiting: SequenceInput = {
  id: 'awaiting',
  name: 'Await engagement',
  steps: [
    { id: 'intro', channel: 'email', to: ['economic_buyer'], template: 'intro' },
    { id: 'wait-1', type: 'await_engagement', timeout: 'P7D', until: { minScore: 40 }, onTimeout: 'nudge' },
    { id: 'engaged', channel: 'sdr_task', to: ['economic_buyer'], taskType: 'call', next: 'end' },
    { id: 'nudge', channel: 'email', to: ['economic_buyer'], template: 'follow' },
    { id: 'end', type: 'exit', reason: 'sequence_end' },
  ],
} as SequenceInput;

let h: Harness;
const executions = new Map<string, LocalExecution>();
let control: RecordingSequenceControl;
let rig: ReturnType<typeof buildRig>;

beforeAll(async () => {
  h = await startHarness();
  await seedTemplates(h.repo);
  control = new RecordingSequenceControl({
    onResume: async (token, output) => h.sfn.sendTaskSuccess(token, output),
    onStop: async (name) => executions.get(name)?.abort(),
  });
  rig = buildRig(h.db.client, h.db.tableName, { control, start: START.toISOString() });
});
afterAll(async () => h?.stop());

async function launch(accountId: string, campaignId: string) {
  await seedAccount(h.repo, committeeAccount(accountId));
  const input = await enroll(h.repo, accountId, campaignId, snapshot(awaiting), START);
  const exec = h.sfn.start(input, { name: input.executionName });
  executions.set(input.executionName, exec);
  const parked = await h.sfn.waitForParked({ execution: input.executionName, state: 'AwaitEngagement' });
  return { input, exec, parked };
}

describe('scorer x engine', () => {
  it('resumes a parked await_engagement within the scorer batch that meets its condition', async () => {
    const { input, exec, parked } = await launch('e2e-resume', 'c-resume');
    // Below the condition (click by the economic buyer: 4 x 1.5 = 6 < 40): stays parked.
    await rig.scorer.handleBatch([
      ebRecord(detail('e2e-resume', 'r1', 'email.clicked', at(5), { contactId: 'e2e-resume-eb' })),
    ]);
    expect(control.resumed).toHaveLength(0);
    expect((await h.repo.getEnrollment('e2e-resume', 'c-resume'))?.status).toBe('waiting');

    // This batch meets it (meeting booked by the champion: 40 x 1.3 = 52): resumed in the same batch.
    const out = await rig.scorer.handleBatch([
      ebRecord(detail('e2e-resume', 'r2', 'meeting.booked', at(30), { contactId: 'e2e-resume-ch' })),
    ]);
    expect(out.results[0]?.resumed).toEqual([input.executionName]);
    expect(control.resumed.map((r) => r.taskToken)).toEqual([parked.token]);

    const summary = await exec.done;
    expect(summary.status).toBe('SUCCEEDED');
    expect(summary.path).toContain('AwaitEngagement');
    // The engaged branch ran (not the timeout's nudge).
    const tasks = await h.repo.listTasksOfAccount('e2e-resume');
    expect(tasks.map((t) => t.stepId)).toEqual(['engaged']);
    expect((await h.repo.getEnrollment('e2e-resume', 'c-resume'))?.taskToken).toBeUndefined();
  });

  it('crossing into MQA creates exactly one hot-account task', async () => {
    await seedAccount(h.repo, committeeAccount('e2e-hot'));
    const meeting = (id: string, role: string, minutes: number) =>
      ebRecord(detail('e2e-hot', id, 'meeting.booked', at(minutes), { contactId: `e2e-hot-${role}` }));
    await rig.scorer.handleBatch([meeting('h1', 'eb', 1), meeting('h2', 'ch', 2)]);
    expect((await h.repo.getAccount('e2e-hot'))?.stage).toBe('engaged');
    await rig.scorer.handleBatch([meeting('h3', 'te', 3), meeting('h2', 'ch', 2)]);
    await rig.scorer.handleBatch([meeting('h4', 'te', 4), meeting('h5', 'eb', 5)]);
    expect((await h.repo.getAccount('e2e-hot'))?.stage).toBe('mqa');
    const hot = (await h.repo.listTasksOfAccount('e2e-hot')).filter((t) => t.type === 'hot_account');
    expect(hot).toHaveLength(1);
    expect(hot[0]).toMatchObject({ status: 'open', owner: 'sdr-ana', priority: 1 });
  });

  it('ends a running enrollment at once when the account enters an exit stage', async () => {
    const { input, exec } = await launch('e2e-exit', 'c-exit');
    await rig.scorer.handleBatch([
      ebRecord(
        detail('e2e-exit', 'x1', 'crm.stage_changed', at(10), {
          origin: 'crm',
          properties: { stage: 'opportunity_created' },
        }),
      ),
    ]);
    expect(control.stopped).toEqual([
      { executionName: input.executionName, reason: 'account entered stage opportunity' },
    ]);
    const summary = await exec.done;
    expect(summary.status).toBe('ABORTED');
    expect(await h.repo.getEnrollment('e2e-exit', 'c-exit')).toMatchObject({
      status: 'exited',
      reason: 'account entered stage opportunity',
    });
    expect((await h.repo.getEnrollment('e2e-exit', 'c-exit'))?.taskToken).toBeUndefined();
  });
});
