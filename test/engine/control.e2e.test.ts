/**
 * Exits, suppression, frequency caps, idempotent retries and await_engagement, each through the real
 * ASL with the real engine service against dynalite and aws-ses-v2-local.
 */
import { describe, expect, it } from 'vitest';
import { DETAIL_TYPES } from '../../functions/kernel/events';
import type { SequenceInput } from '../../functions/kernel/model';
import { TransientError } from '../../functions/engine/errors';
import type { TaskHandler } from '../support/local-sfn';
import { useHarness } from '../support/suite';
import {
  awaiting,
  committeeAccount,
  emailsTo,
  enroll,
  type Harness,
  ONE_EMAIL_TO_EB,
  throttledOnce,
  reasonOf,
  seedAccount,
  seedAndEnroll,
  snapshot,
  START,
  startAwaiting,
  startSeededHarness,
  withHarness,
} from '../support/engine';

describe('exits and suppression', () => {
  let calls = 0;
  const hooks: Record<string, (call: number) => Promise<void>> = {};
  const wrap =
    (inner: TaskHandler): TaskHandler =>
    async (input, ctx) => {
      calls++;
      await hooks[ctx.executionName]?.(calls);
      return inner(input, ctx);
    };
  const h = useHarness(() => startSeededHarness({ wrapExecute: wrap }));

  const weekly: SequenceInput = {
    id: 'weekly',
    name: 'Weekly emails',
    frequencyCap: { perContact: 10, window: 'P7D', onCapped: 'skip' },
    steps: [1, 2, 3, 4].map((n) => ({
      id: `e${n}`,
      channel: 'email',
      after: n === 1 ? 'P0D' : 'P7D',
      to: 'all',
      template: 'intro',
    })),
  } as SequenceInput;

  it('an account that reaches opportunity mid-sequence exits at its next step', async () => {
    const input = await seedAndEnroll(h, 'opp', 'c-opp', weekly);
    let stepCalls = 0;
    hooks[input.executionName] = async () => {
      stepCalls++;
      // Between the second and third touch, the CRM moves the account to opportunity.
      if (stepCalls === 3) await h.store.accounts.update('opp', (a) => ({ ...a, stage: 'opportunity' }));
    };
    const summary = await h.sfn.start(input, { name: input.executionName }).done;
    expect(summary.status).toBe('SUCCEEDED');
    expect(reasonOf(summary)).toBe('exit_stage:opportunity');
    expect(await emailsTo(h, 'dana@opp.example')).toHaveLength(2);
    const finished = h.publisher
      .ofType(DETAIL_TYPES.enrollmentFinished)
      .filter((e) => e.detail.accountId === 'opp')
      .map((e) => e.detail as unknown as { reason: string; status: string });
    expect(finished).toEqual([
      expect.objectContaining({ reason: 'exit_stage:opportunity', status: 'exited' }),
    ]);
    expect((await h.store.enrollments.get('opp', 'c-opp'))!.status).toBe('exited');
  });

  it('never emails an unsubscribed or suppressed contact, and records why', async () => {
    const account = committeeAccount('unsub');
    await seedAccount(h.store, account);
    await h.store.accounts.markContactUnsubscribed('unsub', 'unsub-ch', START.toISOString());
    await h.store.accounts.addSuppression('kim@unsub.example', { reason: 'bounce' });
    const input = await enroll(h.store, 'unsub', 'c-unsub', snapshot(weekly), START);
    const summary = await h.sfn.start(input, { name: input.executionName }).done;
    expect(reasonOf(summary)).toBe('completed');
    expect(await emailsTo(h, 'sam@unsub.example')).toHaveLength(0);
    expect(await emailsTo(h, 'kim@unsub.example')).toHaveLength(0);
    expect(await emailsTo(h, 'dana@unsub.example')).toHaveLength(4);
    const touches = (await h.store.touches.listOfAccount('unsub', { limit: 100 })).items;
    expect(
      new Set(touches.filter((t) => t.contactId === 'unsub-ch').map((t) => `${t.status}:${t.reason}`)),
    ).toEqual(new Set(['skipped:unsubscribed']));
    expect(
      new Set(touches.filter((t) => t.contactId === 'unsub-te').map((t) => `${t.status}:${t.reason}`)),
    ).toEqual(new Set(['skipped:suppressed']));
  });

  it('exits when every contact has unsubscribed', async () => {
    await seedAccount(h.store, committeeAccount('gone'));
    for (const id of ['gone-eb', 'gone-ch', 'gone-te'])
      await h.store.accounts.markContactUnsubscribed('gone', id, START.toISOString());
    const input = await enroll(h.store, 'gone', 'c-gone', snapshot(weekly), START);
    const summary = await h.sfn.start(input, { name: input.executionName }).done;
    expect(reasonOf(summary)).toBe('all_unsubscribed');
    expect((await h.ses.emails()).filter((e) => e.destination.to[0].endsWith('@gone.example'))).toHaveLength(
      0,
    );
  });
});

describe('frequency caps', () => {
  const h = useHarness(() => startSeededHarness());

  const daily = (onCapped: 'skip' | 'defer'): SequenceInput =>
    ({
      id: `daily-${onCapped}`,
      name: 'Daily',
      frequencyCap: { perContact: 2, window: 'P7D', onCapped },
      steps: [1, 2, 3].map((n) => ({
        id: `d${n}`,
        channel: 'email',
        after: n === 1 ? 'P0D' : 'P1D',
        to: ['economic_buyer'],
        template: 'intro',
      })),
    }) as SequenceInput;

  /** Runs `daily(onCapped)` to completion: the economic buyer's mail and third touch. */
  async function runDaily(accountId: string, onCapped: 'skip' | 'defer') {
    const input = await seedAndEnroll(h, accountId, `c-${accountId}`, daily(onCapped));
    const summary = await h.sfn.start(input, { name: input.executionName }).done;
    expect(reasonOf(summary)).toBe('completed');
    return {
      emails: await emailsTo(h, `dana@${accountId}.example`),
      d3: await h.store.touches.get(accountId, `${input.executionName}#d3#${accountId}-eb`),
    };
  }

  it('skips a capped touch when configured to skip', async () => {
    const { emails, d3 } = await runDaily('capskip', 'skip');
    expect(emails).toHaveLength(2);
    expect(d3).toMatchObject({ status: 'skipped', reason: 'frequency_capped:contact' });
  });

  it('defers a capped touch until the cap allows it, inside the window', async () => {
    const { emails, d3 } = await runDaily('capdefer', 'defer');
    expect(emails).toHaveLength(3);
    expect(d3?.status).toBe('sent');
    // The first touch (Monday 2 March 15:00Z) leaves the 7-day window 7 x 24 h later, which is
    // 11:00 New York after the switch to EDT, inside the window: sent then, at the first whole
    // minute after the cap allows it (a wait's schedule fires at whole minutes: engine/hand-over.ts).
    expect(d3?.at).toBe('2026-03-09T15:01:00.000Z');
  });
});

describe('idempotent touches', () => {
  it('a retried email task sends once', async () => {
    let failures = 0;
    await withHarness(
      {
        // The first ExecuteStep sends, then "crashes" (a Lambda timeout after the side effect):
        // the state machine retries the task, which must not send again.
        wrapExecute: (inner) => async (input, ctx) => {
          const result = await inner(input, ctx);
          if (failures === 0) {
            failures++;
            throw new TransientError('simulated crash after send');
          }
          return result;
        },
      },
      async (h) => {
        const seq = {
          id: 'once',
          name: 'Once',
          steps: [{ id: 'only', channel: 'email', to: 'all', template: 'intro' }],
        } as SequenceInput;
        const input = await seedAndEnroll(h, 'retry', 'c-retry', seq);
        const summary = await h.sfn.start(input, { name: input.executionName }).done;
        expect(summary.status).toBe('SUCCEEDED');
        expect(summary.retries).toBe(1);
        const mails = (await h.ses.emails()).filter((e) => e.destination.to[0].endsWith('@retry.example'));
        expect(mails.map((e) => e.destination.to[0]).sort()).toEqual([
          'dana@retry.example',
          'kim@retry.example',
          'sam@retry.example',
        ]);
        expect(h.publisher.ofType(DETAIL_TYPES.touchSent)).toHaveLength(3);
      },
    );
  });

  it('a throttled send is deferred and re-planned (no task retry, no failure) and delivered once', async () => {
    const seen: { plan: unknown; touch: unknown }[] = [];
    let harness: Harness | undefined;
    await withHarness(
      {
        email: throttledOnce,
        // What the ledger holds after each ExecuteStep.
        wrapExecute: (inner) => async (input, ctx) => {
          const plan = await inner(input, ctx);
          const id = (input as { accountId: string; executionName: string }).executionName;
          seen.push({ plan, touch: await harness!.store.touches.get('throttle', `${id}#only#throttle-eb`) });
          return plan;
        },
      },
      async (h) => {
        harness = h;
        const input = await seedAndEnroll(h, 'throttle', 'c-throttle', ONE_EMAIL_TO_EB);
        const summary = await h.sfn.start(input, { name: input.executionName }).done;
        expect(summary.status).toBe('SUCCEEDED');
        // Not a task failure: the step re-planned the touch instead of failing and being retried.
        expect(summary.retries).toBe(0);
        const first = seen[0] as { plan: { at: string }; touch: { at: string; reason: string } };
        expect(first.touch).toMatchObject({ status: 'deferred' });
        expect(first.touch.reason).toMatch(/^throttled:ThrottlingException until /);
        expect(first.plan).toMatchObject({ action: 'wait', contacts: ['throttle-eb'] });
        // Tried again between 1 and 60 seconds later (jittered), not at once.
        const wait = Date.parse(first.plan.at) - Date.parse(first.touch.at);
        expect(wait).toBeGreaterThanOrEqual(1000);
        expect(wait).toBeLessThanOrEqual(60_000);
        expect(await emailsTo(h, 'dana@throttle.example')).toHaveLength(1);
        expect(
          await h.store.touches.get('throttle', `${input.executionName}#only#throttle-eb`),
        ).toMatchObject({
          status: 'sent',
        });
        expect(h.publisher.ofType(DETAIL_TYPES.touchFailed)).toHaveLength(0);
      },
    );
  });
});

describe('await_engagement', () => {
  const h = useHarness(() => startSeededHarness());

  it('resumes when its token is completed', async () => {
    const { exec, parked } = await startAwaiting(h, 'engaged', 'c-engaged');
    expect(parked.timeoutSeconds).toBe(7 * 86_400);
    const enrollment = await h.store.enrollments.get('engaged', 'c-engaged');
    expect(enrollment).toMatchObject({
      status: 'waiting',
      taskToken: parked.token,
      waitingFor: { stepId: 'wait-1', until: { minScore: 40 } },
    });
    h.sfn.sendTaskSuccess(parked.token, { engaged: true });
    const summary = await exec.done;
    expect(reasonOf(summary)).toBe('sequence_end');
    expect(summary.path).toContain('AwaitEngagement');
    expect((await h.store.tasks.listOfAccount('engaged')).map((t) => t.stepId)).toEqual(['engaged']);
    expect(await emailsTo(h, 'dana@engaged.example')).toHaveLength(1);
    expect((await h.store.enrollments.get('engaged', 'c-engaged'))!.taskToken).toBeUndefined();
  });

  it('takes the onTimeout path when the token is not completed', async () => {
    const { input, exec, parked } = await startAwaiting(h, 'silent', 'c-silent');
    h.sfn.expireToken(parked.token);
    const summary = await exec.done;
    expect(reasonOf(summary)).toBe('sequence_end');
    expect(await h.store.tasks.listOfAccount('silent')).toHaveLength(0);
    const nudge = await h.store.touches.get('silent', `${input.executionName}#nudge#silent-eb`);
    // The timeout elapses 7 x 24 h after parking (Monday 2 March 15:00Z): 11:00 EDT, in the window.
    expect(nudge).toMatchObject({ status: 'sent', at: '2026-03-09T15:00:00.000Z' });
  });

  it('a paused enrollment parks until resumed; a stopped one ends', async () => {
    const input = await seedAndEnroll(h, 'paused', 'c-paused', awaiting);
    await h.store.enrollments.update('paused', 'c-paused', (e) => ({ ...e, status: 'paused' }));
    const exec = h.sfn.start(input, { name: input.executionName });
    const parked = await h.sfn.waitForParked({ execution: input.executionName, state: 'Paused' });
    expect((await h.store.enrollments.get('paused', 'c-paused'))!.taskToken).toBe(parked.token);
    expect(await emailsTo(h, 'dana@paused.example')).toHaveLength(0);
    // The campaign API stops it: status stopped, then completes the token.
    await h.store.enrollments.update('paused', 'c-paused', (e) => ({
      ...e,
      status: 'stopped',
      reason: 'campaign_stopped',
    }));
    h.sfn.sendTaskSuccess(parked.token, { control: 'stop' });
    const summary = await exec.done;
    expect(reasonOf(summary)).toBe('campaign_stopped');
    expect(await emailsTo(h, 'dana@paused.example')).toHaveLength(0);
    const finished = h.publisher
      .ofType(DETAIL_TYPES.enrollmentFinished)
      .filter((e) => e.detail.accountId === 'paused');
    expect(finished.map((e) => (e.detail as unknown as { status: string }).status)).toEqual(['stopped']);
  });
});
