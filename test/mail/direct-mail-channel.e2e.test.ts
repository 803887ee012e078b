/**
 * The direct-mail channel with a real print-and-mail adapter (Lob) against its double, through the
 * real AccountSequence ASL, engine and ledger: the piece's configured price feeds the budgets; a
 * refused order fails; an order the provider did not answer, or whose invocation crashed after the
 * hand-over, is sent again with the same idempotency key and makes one piece; past the provider's
 * idempotency window it is left uncertain instead.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DirectMailSettings } from '../../functions/kernel/direct-mail-providers';
import { DETAIL_TYPES } from '../../functions/kernel/events';
import type { SequenceInput } from '../../functions/kernel/model';
import { providers, type DirectMailProvider } from '../../functions/platform/providers';
import { LobDirectMail } from '../../functions/platform/providers/mail';
import { enrollmentLifecycle } from '../../functions/engine';
import { startMailDoubles, type MailDoubles } from '../../lib/local/doubles/mail';
import {
  committeeAccount,
  crashes,
  enroll,
  reasonOf,
  seedAccount,
  snapshot,
  START,
  within,
  withHarness,
  type Harness,
} from '../support/engine';
import { MAIL_HANG_TIMEOUT_MS, mailSettings } from '../support/mail';

let doubles: MailDoubles;
beforeAll(async () => {
  doubles = await startMailDoubles({ providers: ['lob'] });
});
afterAll(() => doubles.close());
afterEach(() => doubles.faults.clear());

const settings = () => mailSettings('lob', doubles.baseUrlFor('lob'));
const lob = (policy: { maxAttempts?: number } = {}) =>
  new LobDirectMail(settings(), doubles.secrets.lob, {
    sleep: async () => undefined,
    policy: { timeoutMs: MAIL_HANG_TIMEOUT_MS, ...policy },
  });

const gift = (step: Record<string, unknown> = {}): SequenceInput =>
  ({
    id: 'mail',
    name: 'Mail',
    steps: [
      {
        id: 'gift',
        channel: 'direct_mail',
        after: 'P0D',
        to: ['economic_buyer'],
        piece: 'roi-booklet',
        maxCostCents: 5000,
        ...step,
      },
    ],
  }) as SequenceInput;

/** A committee whose economic buyer has a complete US address (Lob needs the state). */
function account(accountId: string, region: string | null = 'IL') {
  const a = committeeAccount(accountId);
  a.contacts[0] = {
    ...(a.contacts[0] as (typeof a.contacts)[0] & { role: 'economic_buyer' }),
    postalAddress: {
      line1: '1 Main St',
      city: 'Springfield',
      postalCode: '12345',
      country: 'US',
      ...(region ? { region } : {}),
    },
  };
  return a;
}

async function run(h: Harness, accountId: string, sequence: SequenceInput, region?: string | null) {
  await seedAccount(h.store, account(accountId, region === undefined ? 'IL' : region));
  const input = await enroll(h.store, accountId, 'q1', snapshot(sequence), START);
  const summary = await within(h.sfn.start(input, { name: input.executionName }).done, 15_000);
  const touches = await h.store.touches.ofExecution(accountId, input.executionName);
  const spent = (await h.store.accounts.get(accountId))!.directMailSpentCents;
  const pieces = doubles.pieces('lob').filter((p) => p.metadata.accountId === accountId);
  return { summary, touches, spent, pieces, touchId: `${input.executionName}#gift#${accountId}-eb` };
}

const harness = (
  directMail: DirectMailProvider,
  config: Partial<{ directMail: DirectMailSettings }> = {},
) => ({
  config: { directMail: settings(), ...config },
  directMail,
});

describe('direct mail through Lob, in the engine', () => {
  it('orders one letter per consenting contact with an address; the piece price is what the budgets count', async () => {
    await withHarness(harness(lob()), async (h) => {
      const r = await run(h, 'acme', gift());
      expect(reasonOf(r.summary)).toBe('completed');
      expect(r.pieces).toHaveLength(1);
      expect(r.pieces[0]!.metadata).toMatchObject({
        accountId: 'acme',
        campaignId: 'q1',
        touchId: r.touchId,
      });
      const touch = r.touches.find((t) => t.stepId === 'gift')!;
      expect(touch).toMatchObject({ status: 'sent', ref: r.pieces[0]!.id });
      expect(r.spent).toBe(180); // the piece's priceCents, not the step's whole budget
    });
  });

  it("keeps the step's costCents working as an override of the piece price", async () => {
    await withHarness(harness(lob()), async (h) => {
      const r = await run(h, 'bolt', gift({ costCents: 2000 }));
      expect(r.spent).toBe(2000);
      expect(r.pieces).toHaveLength(1);
    });
  });

  it('skips with the reason a piece whose price passes the step budget, and a piece the provider lacks', async () => {
    await withHarness(harness(lob()), async (h) => {
      const over = await run(h, 'cask', gift({ maxCostCents: 100 }));
      expect(over.touches.map((t) => [t.status, t.reason])).toEqual([['skipped', 'over_step_budget']]);
      const unknown = await run(h, 'dune', gift({ piece: 'brochure' }));
      expect(unknown.touches.map((t) => [t.status, t.reason])).toEqual([
        ['skipped', 'unknown_piece:brochure'],
      ]);
      expect([...over.pieces, ...unknown.pieces]).toEqual([]);
    });
  });

  it('skips a piece over the account budget', async () => {
    await withHarness(harness(lob()), async (h) => {
      await seedAccount(h.store, { ...account('echo'), directMailBudgetCents: 100 });
      const input = await enroll(h.store, 'echo', 'q1', snapshot(gift()), START);
      await within(h.sfn.start(input, { name: input.executionName }).done, 15_000);
      const touches = await h.store.touches.ofExecution('echo', input.executionName);
      expect(touches.map((t) => [t.status, t.reason])).toEqual([['skipped', 'over_account_budget']]);
      expect(doubles.pieces('lob').filter((p) => p.metadata.accountId === 'echo')).toEqual([]);
    });
  });

  it('a refused order (Lob 422: a US address without its state) fails, published, and gives the budget back', async () => {
    await withHarness(harness(lob()), async (h) => {
      const r = await run(h, 'fern', gift(), null);
      const touch = r.touches[0]!;
      expect(touch.status).toBe('failed');
      expect(touch.reason).toContain('(422)');
      expect(r.spent).toBe(0);
      expect(r.pieces).toEqual([]);
      expect(h.publisher.ofType(DETAIL_TYPES.touchFailed)).toHaveLength(1);
    });
  });

  it('an order Lob did not answer (made, then a timeout; then 500s) is sent again later with the same key: one piece', async () => {
    await withHarness(harness(lob({ maxAttempts: 2 })), async (h) => {
      doubles.faults.script('lob', 'hang', 'error');
      const repeated = doubles.repeatedKeys('lob');
      const r = await run(h, 'gale', gift());
      expect(reasonOf(r.summary)).toBe('completed');
      expect(r.pieces).toHaveLength(1);
      expect(r.touches[0]).toMatchObject({ status: 'sent', ref: r.pieces[0]!.id });
      expect(doubles.repeatedKeys('lob')).toBe(repeated + 1);
      expect(r.spent).toBe(180);
    });
  });

  it('an invocation that crashed after Lob made the piece: the retry sends it again, same key, one piece, budget once', async () => {
    const real = lob();
    const crash = crashes(1);
    const crashing: DirectMailProvider = {
      name: real.name,
      idempotent: true,
      request: async (order) => {
        const answer = await real.request(order);
        await crash.hang(); // the invocation dies after Lob made the piece, before the answer is kept
        return answer;
      },
    };
    await withHarness({ ...harness(crashing), wrapExecute: crash.wrap }, async (h) => {
      const r = await run(h, 'hull', gift());
      expect(reasonOf(r.summary)).toBe('completed');
      expect(r.pieces).toHaveLength(1);
      expect(r.touches[0]).toMatchObject({ status: 'sent', ref: r.pieces[0]!.id });
      expect(r.spent).toBe(180);
      expect(h.publisher.ofType(DETAIL_TYPES.touchUncertain)).toHaveLength(0);
    });
  });

  it('past the idempotency window an unanswered order is left uncertain, never sent again', async () => {
    await withHarness(harness(lob()), async (h) => {
      await seedAccount(h.store, account('iris'));
      const input = await enroll(h.store, 'iris', 'q1', snapshot(gift()), START);
      const since = new Date(START.getTime() - 21 * 3600_000).toISOString();
      await h.store.touches.record({
        touchId: `${input.executionName}#gift#iris-eb`,
        accountId: 'iris',
        campaignId: 'q1',
        executionName: input.executionName,
        stepId: 'gift',
        channel: 'direct_mail',
        contactId: 'iris-eb',
        role: 'economic_buyer',
        status: 'deferred',
        reason: `provider_unanswered since ${since} until ${START.toISOString()}`,
        at: START.toISOString(),
      });
      await within(h.sfn.start(input, { name: input.executionName }).done, 15_000);
      const touches = await h.store.touches.ofExecution('iris', input.executionName);
      expect(touches.map((t) => t.status)).toEqual(['uncertain']);
      expect(touches[0]!.reason).toContain('past the resend window');
      expect(doubles.pieces('lob').filter((p) => p.metadata.accountId === 'iris')).toEqual([]);
      expect(h.publisher.ofType(DETAIL_TYPES.touchUncertain)).toHaveLength(1);
    });
  });

  describe('cancellation', () => {
    const giftThenWait: SequenceInput = {
      ...gift(),
      steps: [
        ...gift().steps,
        {
          id: 'wait',
          type: 'await_engagement',
          timeout: 'P30D',
          until: { minScore: 1000 },
          onTimeout: 'exit',
        },
      ],
    } as SequenceInput;

    it('a stop inside the cancellation window cancels the piece at Lob', async () => {
      const adapter = lob();
      await withHarness(harness(adapter), async (h) => {
        await seedAccount(h.store, account('jade'));
        const input = await enroll(h.store, 'jade', 'q1', snapshot(giftThenWait), START);
        h.sfn.start(input, { name: input.executionName });
        await h.sfn.waitForParked({ execution: input.executionName, state: 'AwaitEngagement' });
        const [piece] = doubles.pieces('lob').filter((p) => p.metadata.accountId === 'jade');
        expect(piece?.status).toBe('ready');
        const lifecycle = enrollmentLifecycle(h.platform, {
          providers: { audiences: providers(h.platform).audiences, directMail: adapter },
        });
        const enrollment = (await h.store.enrollments.get('jade', 'q1'))!;
        const ended = await lifecycle.endFromOutside(enrollment, {
          status: 'stopped',
          reason: 'operator',
          cause: 'stopped by the operator',
          now: START,
        });
        expect(ended.changed).toBe(true);
        expect(doubles.pieces('lob').find((p) => p.id === piece!.id)?.status).toBe('cancelled');
        expect(doubles.details('lob').at(-1)).toMatchObject({
          method: 'DELETE',
          path: `/v1/letters/${piece!.id}`,
        });
      });
    });

    it('a sequence that completes leaves its pieces to be mailed', async () => {
      await withHarness(harness(lob()), async (h) => {
        const r = await run(h, 'kite', gift());
        expect(reasonOf(r.summary)).toBe('completed');
        expect(r.pieces.map((p) => p.status)).toEqual(['ready']);
        expect(
          doubles.details('lob').some((d) => d.method === 'DELETE' && d.path.endsWith(r.pieces[0]!.id)),
        ).toBe(false);
      });
    });
  });
});
