/**
 * Email pacing (docs/architecture.md "Email pacing"): the slot rule, the tickets in the table, and
 * the engine deferring a send that is not yet its turn, or that SES throttled, instead of failing it,
 * through the real ASL against dynalite and aws-ses-v2-local.
 */
import { describe, expect, it } from 'vitest';
import { DETAIL_TYPES } from '../../functions/kernel/events';
import type { SequenceInput } from '../../functions/kernel/model';
import {
  slotMillis,
  slotOf,
  THROTTLED_RETRY_MAX_MS,
  THROTTLED_RETRY_MIN_MS,
  throttledRetryAt,
  ticketTurn,
} from '../../functions/kernel/send-rate';
import { SesEmailSender } from '../../functions/platform/ses';
import { emailsTo, seedAndEnroll, withHarness, type Harness } from '../support/engine';

describe('the slot rule', () => {
  it('cuts a second into one slot per send, never faster than the rate', () => {
    expect(slotMillis(1)).toBe(1000);
    expect(slotMillis(10)).toBe(100);
    expect(slotMillis(14)).toBe(72); // 13.9 per second, not 14.08
    expect(slotMillis(0.5)).toBe(2000);
    expect(slotMillis(1000)).toBe(1);
    expect(slotOf(new Date(1_234_567), 10)).toBe(1_234_500);
  });

  it('lets the first ticket of a slot go and puts ticket n n-1 slots later', () => {
    expect(ticketTurn(5_000, 1, 10)).toBe('go');
    expect(ticketTurn(5_000, 2, 10)).toEqual(new Date(5_100));
    expect(ticketTurn(5_000, 11, 10)).toEqual(new Date(6_000));
  });

  it('retries an unpaced throttled send after 1 to 60 seconds, jittered', () => {
    const now = new Date('2026-03-02T15:00:00Z');
    expect(throttledRetryAt(now, () => 0).getTime() - now.getTime()).toBe(THROTTLED_RETRY_MIN_MS);
    expect(throttledRetryAt(now, () => 0.999999).getTime() - now.getTime()).toBeLessThan(
      THROTTLED_RETRY_MAX_MS,
    );
    expect(throttledRetryAt(now, () => 0.5).getTime() - now.getTime()).toBe(30_500);
  });
});

const allThree = {
  id: 'one-mail',
  name: 'One mail to the committee',
  steps: [{ id: 'only', channel: 'email', to: 'all', template: 'intro' }],
} as SequenceInput;

describe('tickets in the table', () => {
  it('gives concurrent callers of one slot distinct numbers, and lists the slots', async () => {
    await withHarness({}, async (h) => {
      const tickets = await Promise.all(Array.from({ length: 20 }, () => h.store.sendRate.ticket(60_000)));
      expect([...tickets].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      await h.store.sendRate.ticket(61_000);
      expect(await h.store.sendRate.slots(new Date(60_000), new Date(61_000))).toEqual([
        { slot: 60_000, tickets: 20 },
        { slot: 61_000, tickets: 1 },
      ]);
    });
  });
});

describe('the engine paced to maxSendRate', () => {
  it('sends the first contact at once and defers the others to their slots, each sent once', async () => {
    const plans: { action: string; at?: string; contacts?: string[] }[] = [];
    await withHarness(
      {
        config: { maxSendRate: 1 },
        wrapExecute: (inner) => async (input, ctx) => {
          const plan = (await inner(input, ctx)) as (typeof plans)[number];
          plans.push(plan);
          return plan;
        },
      },
      async (h) => {
        const input = await seedAndEnroll(h, 'paced', 'c-paced', allThree);
        const summary = await h.sfn.start(input, { name: input.executionName }).done;
        expect(summary.status).toBe('SUCCEEDED');
        expect(summary.retries).toBe(0);
        // First invocation: one sent, two deferred; the plan comes back for those two.
        expect(plans[0].action).toBe('wait');
        expect(plans[0].contacts).toHaveLength(2);
        const touches = await h.store.touches.ofExecution('paced', input.executionName);
        expect(touches.map((t) => t.status)).toEqual(['sent', 'sent', 'sent']);
        // One per second of the (virtual) clock: three distinct slots a second apart.
        const at = touches.map((t) => Date.parse(t.at)).sort((a, b) => a - b);
        expect(at[1] - at[0]).toBeGreaterThanOrEqual(1000);
        expect(at[2] - at[1]).toBeGreaterThanOrEqual(1000);
        for (const to of ['dana@paced.example', 'sam@paced.example', 'kim@paced.example'])
          expect(await emailsTo(h, to)).toHaveLength(1);
        expect(h.publisher.ofType(DETAIL_TYPES.touchFailed)).toHaveLength(0);
      },
    );
  });

  it('defers a send SES throttles anyway to its next turn, at least a second later', async () => {
    let calls = 0;
    let harness: Harness | undefined;
    const seen: { status: string; reason?: string; at: string }[] = [];
    await withHarness(
      {
        config: { maxSendRate: 5 },
        email: (ses) => {
          const real = new SesEmailSender(ses.client);
          return {
            send: async (mail) => {
              if (calls++ === 0)
                throw Object.assign(new Error('Maximum sending rate exceeded.'), {
                  name: 'ThrottlingException',
                  $metadata: { httpStatusCode: 400 },
                });
              return real.send(mail);
            },
          };
        },
        wrapExecute: (inner) => async (input, ctx) => {
          const plan = await inner(input, ctx);
          const name = (input as { executionName: string }).executionName;
          const t = await harness!.store.touches.get('pthrottle', `${name}#only#pthrottle-eb`);
          if (t) seen.push(t);
          return plan;
        },
      },
      async (h) => {
        harness = h;
        const seq = {
          id: 'one-mail-eb',
          name: 'One mail to the economic buyer',
          steps: [{ id: 'only', channel: 'email', to: ['economic_buyer'], template: 'intro' }],
        } as SequenceInput;
        const input = await seedAndEnroll(h, 'pthrottle', 'c-pthrottle', seq);
        const summary = await h.sfn.start(input, { name: input.executionName }).done;
        expect(summary.retries).toBe(0);
        expect(seen[0]).toMatchObject({ status: 'deferred' });
        const until = /until (\S+)$/.exec(seen[0].reason!)![1];
        expect(seen[0].reason).toMatch(/^throttled:ThrottlingException until /);
        expect(Date.parse(until) - Date.parse(seen[0].at)).toBeGreaterThanOrEqual(1000);
        expect(seen.at(-1)).toMatchObject({ status: 'sent' });
        expect(await emailsTo(h, 'dana@pthrottle.example')).toHaveLength(1);
      },
    );
  });
});
