/**
 * The sender reputation breaker seen from the engine: the real AccountSequence ASL on the local
 * runner, the real engine, dynalite and aws-ses-v2-local. A paused sending domain defers the email
 * touches (not skipped, not lost) to a re-check; after the operator's resume they go out, and each
 * send is counted in the domain's window.
 */
import { describe, expect, it } from 'vitest';
import { createSendingReputation, type SendingReputation } from '../../functions/ingest/reputation';
import { DETAIL_TYPES } from '../../functions/kernel/events';
import type { SequenceInput } from '../../functions/kernel/model';
import { hourOf, reputationConfig } from '../../functions/kernel/reputation';
import { emailsTo, START, startEnrolled, within, withHarness, type Harness } from '../support/engine';

const HOUR = 3_600_000;

const oneEmail: SequenceInput = {
  id: 'one-email',
  name: 'One email',
  steps: [
    { id: 'intro', channel: 'email', after: 'P0D', to: ['economic_buyer', 'champion'], template: 'intro' },
  ],
} as SequenceInput;

/** The real breaker over the harness's store and bus, tripped by one hard bounce of one send. */
async function pausedDomain(h: Harness): Promise<SendingReputation> {
  const sending = createSendingReputation({
    repository: h.store.reputation,
    publisher: h.publisher,
    clock: { now: () => h.sfn.clock.now() },
    config: reputationConfig({ minSends: 1 }),
  });
  await h.store.reputation.countSend('example.com', START);
  await sending.recordFeedback('example.com', 'bounce', 'ses:m-0:email.bounced:x@y.example', START);
  expect((await sending.status('example.com')).status).toBe('paused');
  return sending;
}

describe('email touches of a paused sending domain', () => {
  it('are deferred with a reason and a re-check time, then sent once the domain is resumed', async () => {
    const seen: { call: number; touches: { status: string; reason?: string }[]; mails: number }[] = [];
    const ref: { h?: Harness; sending?: SendingReputation } = {};
    let calls = 0;
    await withHarness(
      {
        wrapExecute: (inner) => async (input, ctx) => {
          calls++;
          const h = ref.h!;
          const touches = (await h.store.touches.listOfAccount('acme', { limit: 10 })).items;
          seen.push({ call: calls, touches, mails: (await h.ses.emails()).length });
          // The operator resumes after the second check found the domain still paused.
          if (calls === 3) await ref.sending!.resume('example.com');
          return inner(input, ctx);
        },
      },
      async (h) => {
        ref.h = h;
        ref.sending = await pausedDomain(h);
        const { exec } = await startEnrolled(h, 'acme', 'q1', oneEmail);
        const summary = await within(exec.done);
        expect(summary.status, JSON.stringify(summary.error)).toBe('SUCCEEDED');

        // Checks 1 and 2 (at START and an hour later) deferred both touches; nothing was mailed.
        expect(seen[1]!.mails).toBe(0);
        const deferred = seen[1]!.touches;
        expect(deferred.map((t) => t.status)).toEqual(['deferred', 'deferred']);
        const recheck = new Date(START.getTime() + HOUR).toISOString();
        for (const t of deferred) expect(t.reason).toBe(`sending_paused:example.com until ${recheck}`);
        expect(seen[2]!.touches.map((t) => t.status)).toEqual(['deferred', 'deferred']);
        expect(seen[2]!.mails).toBe(0);

        // After the resume, the third check sends both, two hours after the step fell due.
        const touches = (await h.store.touches.listOfAccount('acme', { limit: 10 })).items;
        const sentAt = new Date(START.getTime() + 2 * HOUR).toISOString();
        expect(touches.map((t) => [t.status, t.at])).toEqual([
          ['sent', sentAt],
          ['sent', sentAt],
        ]);
        expect(await emailsTo(h, 'dana@acme.example')).toHaveLength(1);
        expect(await emailsTo(h, 'sam@acme.example')).toHaveLength(1);

        // The one send that tripped it, and the two sent after the resume, in the domain's hours.
        const hours = [hourOf(START), hourOf(new Date(sentAt))];
        expect(await h.store.reputation.counts('example.com', hours)).toMatchObject({ sends: 3, bounces: 1 });
        expect(h.publisher.ofType(DETAIL_TYPES.sendingPaused)).toHaveLength(1);
        expect(h.publisher.ofType(DETAIL_TYPES.sendingResumed)).toHaveLength(1);
        expect(h.publisher.ofType(DETAIL_TYPES.touchSent)).toHaveLength(2);
      },
    );
  });

  it('another sending domain is not held by the pause', async () => {
    await withHarness({ config: { senderEmail: 'campaigns@other.example' } }, async (h) => {
      await pausedDomain(h);
      const { exec } = await startEnrolled(h, 'acme', 'q1', oneEmail);
      expect((await within(exec.done)).status).toBe('SUCCEEDED');
      const touches = (await h.store.touches.listOfAccount('acme', { limit: 10 })).items;
      expect(touches.map((t) => [t.status, t.at])).toEqual([
        ['sent', START.toISOString()],
        ['sent', START.toISOString()],
      ]);
      expect(await h.store.reputation.counts('other.example', [hourOf(START)])).toMatchObject({ sends: 2 });
    });
  });
});
