/**
 * Email pacing (docs/architecture.md "Email pacing"): the slot rule, the tickets in the table, and
 * the engine deferring a send that is not yet its turn, or that SES throttled, instead of failing it,
 * through the real ASL against dynalite and aws-ses-v2-local.
 */
import { describe, expect, it } from 'vitest';
import { DETAIL_TYPES } from '../../functions/kernel/events';
import type { SequenceInput } from '../../functions/kernel/model';
import {
  reservedSlot,
  slotMillis,
  slotReason,
  THROTTLED_RETRY_MAX_MS,
  THROTTLED_RETRY_MIN_MS,
  throttledRetryAt,
} from '../../functions/kernel/send-rate';
import {
  emailsTo,
  ONE_EMAIL_TO_EB,
  seedAndEnroll,
  throttledOnce,
  withHarness,
  type Harness,
} from '../support/engine';

describe('the slot rule', () => {
  it('cuts a second into one slot per send, never faster than the rate', () => {
    expect(slotMillis(1)).toBe(1000);
    expect(slotMillis(10)).toBe(100);
    expect(slotMillis(14)).toBe(72); // 13.9 per second, not 14.08
    expect(slotMillis(0.5)).toBe(2000);
    expect(slotMillis(1000)).toBe(1);
  });

  it("keeps a deferred touch's slot in its reason, unless the send window moved it", () => {
    const slot = new Date('2026-03-02T15:00:01.100Z');
    const reason = slotReason(10, slot);
    expect(reason).toBe('send_rate:10/s slot 2026-03-02T15:00:01.100Z');
    expect(reservedSlot(`${reason} until 2026-03-02T15:00:01.100Z`)).toEqual(slot);
    expect(reservedSlot(`${reason} until 2026-03-03T14:00:00.000Z`)).toBeUndefined();
    expect(reservedSlot('frequency_capped:contact until 2026-03-03T14:00:00.000Z')).toBeUndefined();
    // A throttled send queued again keeps the slot it took.
    expect(reservedSlot(`throttled:ThrottlingException ${reason} until 2026-03-02T15:00:01.100Z`)).toEqual(
      slot,
    );
    expect(reservedSlot(undefined)).toBeUndefined();
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

describe('the line in the table', () => {
  it('gives concurrent callers consecutive distinct slots, and starts again at now when idle', async () => {
    await withHarness({}, async (h) => {
      const now = new Date('2026-03-02T15:00:00Z');
      const slots = await Promise.all(Array.from({ length: 20 }, () => h.store.sendRate.reserve(now, 100)));
      expect(slots.map((d) => d.getTime() - now.getTime()).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 20 }, (_, i) => i * 100),
      );
      // Still busy half a second later: behind the twenty.
      expect(
        (await h.store.sendRate.reserve(new Date(now.getTime() + 500), 100)).getTime() - now.getTime(),
      ).toBe(2000);
      // Idle again after the line has drained.
      const later = new Date(now.getTime() + 10_000);
      expect(await h.store.sendRate.reserve(later, 100)).toEqual(later);
      expect(await h.store.sendRate.line()).toEqual({ next: later.getTime() + 100, reservations: 22 });
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
        // Each contact reserved one slot: a touch that came back early kept its place.
        expect((await h.store.sendRate.line())?.reservations).toBe(3);
        for (const to of ['dana@paced.example', 'sam@paced.example', 'kim@paced.example'])
          expect(await emailsTo(h, to)).toHaveLength(1);
        expect(h.publisher.ofType(DETAIL_TYPES.touchFailed)).toHaveLength(0);
      },
    );
  });

  it('defers a send SES throttles anyway to its next turn, at least a second later', async () => {
    let harness: Harness | undefined;
    const seen: { status: string; reason?: string; at: string }[] = [];
    await withHarness(
      {
        config: { maxSendRate: 5 },
        email: throttledOnce,
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
        const input = await seedAndEnroll(h, 'pthrottle', 'c-pthrottle', ONE_EMAIL_TO_EB);
        const summary = await h.sfn.start(input, { name: input.executionName }).done;
        expect(summary.retries).toBe(0);
        expect(seen[0]).toMatchObject({ status: 'deferred' });
        const until = /until (\S+)$/.exec(seen[0].reason!)![1];
        expect(seen[0].reason).toMatch(/^throttled:ThrottlingException (send_rate:5\/s slot \S+ )?until /);
        expect(Date.parse(until) - Date.parse(seen[0].at)).toBeGreaterThanOrEqual(1000);
        expect(seen.at(-1)).toMatchObject({ status: 'sent' });
        expect(await emailsTo(h, 'dana@pthrottle.example')).toHaveLength(1);
      },
    );
  });
});
