/**
 * State transitions per touch (docs/architecture.md "The engine"): runs 200 accounts through a 10-touch sequence with the
 * real AccountSequence ASL (aws-local-stepfunctions, waits skipped on per-execution virtual clocks),
 * every Task routed to the real engine against dynalite and aws-ses-v2-local. Transitions are counted
 * from each execution's event log (StateEntered + StateRetried); touches are touch steps that reached
 * at least one contact (a step to two people is one touch here, the conservative count). Lambda
 * invocations are the calls of the functions' handlers (ExecuteStep, RecordFailure, the park),
 * `lambdaErrors` those that threw, `caughtErrors` the errors a Catch took (StateCaught): an
 * ordinary outcome (wait, await, pause, done) should cost neither. ExecuteStep completes its own
 * task (functions/engine/hand-over.ts): `sendTaskSuccessPerTouch` at once, `scheduledWakesPerTouch`
 * through a one-time schedule at a wait's end (each an EventBridge Scheduler invocation, priced with
 * the transitions in `usdPer1000TouchesWithWakes`).
 *
 *   npm run bench -- transitions
 */
import '../functions/platform/polyfills';
import type { SequenceInput } from '../functions/kernel/model';
import {
  committeeAccount,
  enroll,
  seedAccount,
  seedTemplates,
  snapshot,
  startHarness,
  TIER1_OPENING,
} from '../test/support/engine';

const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 200);
const CONCURRENCY = 20;
const USD_PER_TRANSITION = 0.025 / 1000;
const TARGET = 2.0;
/** EventBridge Scheduler: $1.00 per million invocations (https://aws.amazon.com/eventbridge/pricing/). */
const USD_PER_WAKE = 1 / 1_000_000;
const START = new Date('2026-03-02T15:00:00Z'); // Monday
const ZONES = [
  'America/New_York',
  'America/Los_Angeles',
  'Europe/Berlin',
  'Asia/Kolkata',
  'Australia/Sydney',
];

const SEQUENCE = {
  id: 'bench-10-touch',
  name: '10-touch tier-1 sequence',
  frequencyCap: { perContact: 5, window: 'P7D', onCapped: 'skip' },
  steps: [
    ...TIER1_OPENING,
    { id: 'case', channel: 'email', after: 'P2D', to: 'all', template: 'follow' },
    { id: 'call-2', channel: 'sdr_task', after: 'P1D', to: ['economic_buyer'], taskType: 'call' },
    {
      id: 'last',
      channel: 'email',
      after: 'P3D',
      to: ['technical_evaluator', 'champion'],
      template: 'follow',
    },
    { id: 'exec', channel: 'email', after: 'P2D', to: ['economic_buyer'], template: 'intro' },
  ],
} as SequenceInput;

const round3 = (n: number) => Math.round(n * 1000) / 1000;
const round6 = (n: number) => Math.round(n * 1e6) / 1e6;

export async function run(): Promise<Record<string, unknown>> {
  const h = await startHarness({ time: { mode: 'skip', start: START } });
  try {
    await seedTemplates(h.store);
    const seq = snapshot(SEQUENCE);
    const inputs: Awaited<ReturnType<typeof enroll>>[] = [];
    for (let i = 0; i < ACCOUNTS; i++) {
      const id = `acct-${String(i).padStart(4, '0')}`;
      await seedAccount(h.store, committeeAccount(id, {}, ZONES[i % ZONES.length]));
      inputs.push(await enroll(h.store, id, 'bench', seq, START));
    }
    let transitions = 0;
    let lambdaInvocations = 0;
    let lambdaErrors = 0;
    let caught = 0;
    let touches = 0;
    let contactTouches = 0;
    let failed = 0;
    let next = 0;
    const worker = async () => {
      while (next < inputs.length) {
        const input = inputs[next++];
        const summary = await h.sfn.start(input, { name: input.executionName }).done;
        if (summary.status !== 'SUCCEEDED') failed++;
        transitions += summary.transitions;
        lambdaInvocations += summary.lambdaInvocations;
        lambdaErrors += summary.lambdaErrors;
        caught += summary.caught;
        const sent = (await h.store.touches.listOfAccount(input.accountId, { limit: 200 })).items.filter(
          (t) => t.status === 'sent',
        );
        touches += new Set(sent.map((t) => t.stepId)).size;
        contactTouches += sent.length;
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const perTouch = transitions / touches;
    const { now: completedNow, scheduled } = h.handOvers;
    return {
      accounts: ACCOUNTS,
      touches,
      transitions,
      transitionsPerTouch: round3(perTouch),
      usdPer1000Touches: Math.round(perTouch * 1000 * USD_PER_TRANSITION * 1e6) / 1e6,
      lambdaInvocations,
      lambdaInvocationsPerTouch: Math.round((lambdaInvocations / touches) * 1000) / 1000,
      lambdaErrors,
      caughtErrors: caught,
      // ExecuteStep's hand-overs (functions/engine/hand-over.ts): SendTaskSuccess at once, or a
      // one-time schedule (CreateSchedule) whose invocation calls SendTaskSuccess at the wait's end.
      sendTaskSuccessPerTouch: round3(completedNow / touches),
      scheduledWakesPerTouch: round3(scheduled / touches),
      usdPer1000TouchesWithWakes: round6(
        (perTouch * USD_PER_TRANSITION + (scheduled / touches) * USD_PER_WAKE) * 1000,
      ),
      contactTouches,
      failedExecutions: failed,
      target: TARGET,
      withinTarget: perTouch <= TARGET && failed === 0,
    };
  } finally {
    await h.stop();
  }
}
