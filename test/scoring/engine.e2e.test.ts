/**
 * End to end with the engine: the real AccountSequence ASL run by the local
 * Step Functions helper, the real engine handlers, and the scorer wired to it through the
 * SequenceControl port (resume = the runner's SendTaskSuccess, stop = aborting the execution).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { RecordingSequenceControl } from '../../functions/platform/recorders';
import type { SequenceInput } from '../../functions/kernel/model';
import { useHarness } from '../support/suite';
import {
  awaiting,
  committeeAccount,
  seedAccount,
  START,
  startAwaiting,
  startEnrolled,
  startSeededHarness,
} from '../support/engine';
import type { LocalExecution } from '../support/local-sfn';
import { buildRig, detail, ebRecord } from '../support/scoring';

const at = (minutes: number) => START.getTime() + minutes * 60_000;

/** Runs before ParkExecution when set (to interleave the scorer with parking). */
let beforePark: ((input: unknown) => Promise<void>) | undefined;
let afterPark: (() => void) | undefined;
const executions = new Map<string, LocalExecution>();
let control: RecordingSequenceControl;
let rig: ReturnType<typeof buildRig>;

const h = useHarness(() =>
  startSeededHarness({
    wrapPark: (inner) => async (input, ctx) => {
      await beforePark?.(input);
      const parked = await inner(input, ctx);
      afterPark?.();
      return parked;
    },
  }),
);
beforeAll(async () => {
  control = new RecordingSequenceControl({
    onResume: async (token, output) => h.sfn.sendTaskSuccess(token, output),
    onStop: async (name) => executions.get(name)?.abort(),
  });
  // The scorer runs an hour in: the events below (START + minutes) have happened (it ignores
  // events dated after now + 5 min).
  rig = buildRig(h.db.client, h.db.tableName, { control, start: new Date(at(60)).toISOString() });
});

async function start(accountId: string, campaignId: string, sequence: SequenceInput = awaiting) {
  const { input, exec } = await startEnrolled(h, accountId, campaignId, sequence);
  executions.set(input.executionName, exec);
  return { input, exec };
}

async function launch(accountId: string, campaignId: string) {
  const launched = await startAwaiting(h, accountId, campaignId);
  executions.set(launched.input.executionName, launched.exec);
  return launched;
}

/** The execution's end, or (after `ms`) its parked token expired and a failure: never a hang. */
async function doneWithin(exec: LocalExecution, name: string, ms = 4000) {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ms)));
  const first = await Promise.race([exec.done, late]);
  clearTimeout(timer);
  if (first === 'late') {
    for (const p of h.sfn.parkedTokens().filter((t) => t.executionName === name)) h.sfn.expireToken(p.token);
    await exec.done;
    throw new Error(`${name} was still parked after ${ms} ms (it would have waited for its timeout)`);
  }
  return first;
}

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

const meeting = (accountId: string, id: string, minutes: number) =>
  ebRecord(detail(accountId, id, 'meeting.booked', at(minutes), { contactId: `${accountId}-ch` }));

describe('scorer x engine', () => {
  it('resumes a parked await_engagement within the scorer batch that meets its condition', async () => {
    const { input, exec, parked } = await launch('e2e-resume', 'c-resume');
    // Below the condition (click by the economic buyer: 4 x 1.5 = 6 < 40): stays parked.
    await rig.scorer.handleBatch([
      ebRecord(detail('e2e-resume', 'r1', 'email.clicked', at(5), { contactId: 'e2e-resume-eb' })),
    ]);
    expect(control.resumed).toHaveLength(0);
    expect((await h.store.enrollments.get('e2e-resume', 'c-resume'))?.status).toBe('waiting');

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
    const tasks = await h.store.tasks.listOfAccount('e2e-resume');
    expect(tasks.map((t) => t.stepId)).toEqual(['engaged']);
    expect((await h.store.enrollments.get('e2e-resume', 'c-resume'))?.taskToken).toBeUndefined();
  });

  it('crossing into MQA creates exactly one hot-account task', async () => {
    await seedAccount(h.store, committeeAccount('e2e-hot'));
    const meeting = (id: string, role: string, minutes: number) =>
      ebRecord(detail('e2e-hot', id, 'meeting.booked', at(minutes), { contactId: `e2e-hot-${role}` }));
    await rig.scorer.handleBatch([meeting('h1', 'eb', 1), meeting('h2', 'ch', 2)]);
    expect((await h.store.accounts.get('e2e-hot'))?.stage).toBe('engaged');
    await rig.scorer.handleBatch([meeting('h3', 'te', 3), meeting('h2', 'ch', 2)]);
    await rig.scorer.handleBatch([meeting('h4', 'te', 4), meeting('h5', 'eb', 5)]);
    expect((await h.store.accounts.get('e2e-hot'))?.stage).toBe('mqa');
    const hot = (await h.store.tasks.listOfAccount('e2e-hot')).filter((t) => t.type === 'hot_account');
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
    expect(await h.store.enrollments.get('e2e-exit', 'c-exit')).toMatchObject({
      status: 'exited',
      reason: 'account entered stage opportunity',
    });
    expect((await h.store.enrollments.get('e2e-exit', 'c-exit'))?.taskToken).toBeUndefined();
  });

  it('a branch after a long wait sees the score decayed to now (facts through accountFacts)', async () => {
    const branching = (after: string): SequenceInput =>
      ({
        id: `branching-${after}`,
        name: 'Branch on score',
        steps: [
          { id: 'later', channel: 'ads', after, audience: 'tier1-committee', to: 'all' },
          { id: 'check', type: 'branch', cases: [{ if: { minScore: 40 }, goto: 'hot' }], default: 'cold' },
          { id: 'hot', channel: 'sdr_task', to: ['champion'], taskType: 'call', next: 'end' },
          { id: 'cold', channel: 'sdr_task', to: ['champion'], taskType: 'call' },
          { id: 'end', type: 'exit', reason: 'sequence_end' },
        ],
      }) as SequenceInput;
    const cases = [
      // 52 points now; 30 days later (half-life 14 days) about 11.8: below 40.
      { accountId: 'e2e-decay', after: 'P30D', expected: 'cold' },
      { accountId: 'e2e-fresh', after: 'PT1M', expected: 'hot' },
    ];
    for (const c of cases) {
      await seedAccount(h.store, committeeAccount(c.accountId));
      await rig.scorer.handleBatch([meeting(c.accountId, `${c.accountId}-m1`, 0)]);
      const stored = await rig.store.scores.loadAccount(c.accountId);
      expect(stored.score?.state.score).toBeCloseTo(52, 6);
      const { input, exec } = await start(c.accountId, `c-${c.accountId}`, branching(c.after));
      const summary = await doneWithin(exec, input.executionName);
      expect(summary.status).toBe('SUCCEEDED');
      const tasks = await h.store.tasks.listOfAccount(c.accountId);
      expect(
        tasks.map((t) => t.stepId),
        c.accountId,
      ).toEqual([c.expected]);
    }
  });

  it('await race, engine side: engagement scored before the token is stored ends the wait at once', async () => {
    const accountId = 'e2e-race-park';
    let ran = false;
    beforePark = async () => {
      if (ran) return;
      ran = true;
      // ExecuteStep planned the await (condition false); the scorer folds a meeting (52 >= 40) now,
      // before ParkExecution stores the token: its snapshot has no token to resume.
      const out = await rig.scorer.handleBatch([meeting(accountId, 'rp1', 1)]);
      expect(out.results[0]?.resumed).toEqual([]);
    };
    try {
      const { input, exec } = await start(accountId, 'c-race-park');
      const summary = await doneWithin(exec, input.executionName);
      expect(ran).toBe(true);
      expect(summary.status).toBe('SUCCEEDED');
      // Not via the timeout's nudge: the engaged branch ran, and nobody sent the token.
      expect((await h.store.tasks.listOfAccount(accountId)).map((t) => t.stepId)).toEqual(['engaged']);
      expect(summary.path.filter((s) => s === 'AwaitEngagement')).toHaveLength(1);
      const enrollment = await h.store.enrollments.get(accountId, 'c-race-park');
      expect(enrollment?.taskToken).toBeUndefined();
      expect(control.resumed.filter((r) => r.taskToken.includes(input.executionName))).toEqual([]);
    } finally {
      beforePark = undefined;
    }
  });

  it('await race, scorer side: a token stored while the scorer folds is resumed after its write', async () => {
    const accountId = 'e2e-race-scorer';
    const parkReached = gate();
    const parkGo = gate();
    const saveReached = gate();
    const saveGo = gate();
    const parkDone = gate();
    afterPark = parkDone.open;
    beforePark = async () => {
      parkReached.open();
      await parkGo.opened;
    };
    const save = rig.store.scores.save.bind(rig.store.scores);
    rig.store.scores.save = async (...args) => {
      saveReached.open();
      await saveGo.opened;
      return save(...args);
    };
    try {
      const { input, exec } = await start(accountId, 'c-race-scorer');
      await parkReached.opened; // ExecuteStep planned the await; ParkExecution is about to run
      // S1: the scorer reads the partition (no token yet) and stops before its write.
      const batch = rig.scorer.handleBatch([meeting(accountId, 'rs1', 1)]);
      await saveReached.opened;
      // P1, P2: ParkExecution stores the token and re-reads the score: still the old one, so it parks.
      parkGo.open();
      await parkDone.opened;
      const parked = await h.sfn.waitForParked({ execution: input.executionName, state: 'AwaitEngagement' });
      expect((await h.store.enrollments.get(accountId, 'c-race-scorer'))?.status).toBe('waiting');
      // S2, S3: the scorer writes, re-reads the enrollments, and resumes the token it could not see.
      saveGo.open();
      const out = await batch;
      expect(out.results[0]?.resumed).toEqual([input.executionName]);
      expect(control.resumed.map((r) => r.taskToken)).toContain(parked.token);
      const summary = await doneWithin(exec, input.executionName);
      expect(summary.status).toBe('SUCCEEDED');
      expect((await h.store.tasks.listOfAccount(accountId)).map((t) => t.stepId)).toEqual(['engaged']);
    } finally {
      beforePark = undefined;
      afterPark = undefined;
      rig.store.scores.save = save;
    }
  });
});
