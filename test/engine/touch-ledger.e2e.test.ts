/**
 * The touch ledger tells the truth at every instant, through the real AccountSequence ASL (its
 * retries and RecordFailure), the real engine, dynalite and aws-ses-v2-local. A "crash" is an
 * invocation that stops for ever at a chosen point (a Lambda that times out or dies there) while
 * the task reports `Lambda.Unknown`, as Step Functions does for a crashed or timed-out function:
 *   - dead between the claim and the hand-over: the retry executes the touch again (no loss);
 *   - dead between the hand-over and the provider's answer: the retry marks it `uncertain`
 *     (`touch.uncertain`), never sends it again, never counts it as sent;
 *   - dead on every attempt: RecordFailure resolves the step's touches (claimed -> failed);
 *   - an enrollment never ends with a touch unresolved; the campaign counters equal the ledger;
 *   - a campaign whose enrollments have all ended is `completed`.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DETAIL_TYPES } from '../../functions/kernel/events';
import type { SequenceInput, Touch } from '../../functions/kernel/model';

/** Unresolved touches, with `pending` (what the one-phase ledger left unresolved before). */
const UNRESOLVED: ReadonlySet<string> = new Set(['claimed', 'handing_over', 'pending']);
import { SesEmailSender } from '../../functions/platform/ses';
import { CatalogReader } from '../../functions/platform/store/catalog';
import { TouchRepository } from '../../functions/platform/store/touches';
import { reportsFeature } from '../../functions/reports';
import {
  crashes,
  emailsTo,
  enroll,
  reasonOf,
  seedAccount,
  committeeAccount,
  seedAndEnroll,
  snapshot,
  START,
  within,
  withHarness,
  type Harness,
} from '../support/engine';

const twoSteps: SequenceInput = {
  id: 'two',
  name: 'Two',
  steps: [
    { id: 'first', channel: 'email', after: 'P0D', to: ['economic_buyer', 'champion'], template: 'intro' },
    { id: 'second', channel: 'email', after: 'P1D', to: ['economic_buyer'], template: 'follow' },
  ],
} as SequenceInput;

/** Crashes the invocation reading a template (after the claim, before the hand-over) when `when`. */
function crashInTemplateRead(crash: ReturnType<typeof crashes>, when: (templateId: string) => boolean) {
  // The engine's read of a template to render (with its compiled form).
  const original = CatalogReader.prototype.getTemplateToRender;
  vi.spyOn(CatalogReader.prototype, 'getTemplateToRender').mockImplementation(async function (
    this: CatalogReader,
    ...args: Parameters<CatalogReader['getTemplateToRender']>
  ) {
    if (when(args[0])) await crash.hang();
    return original.apply(this, args as never);
  } as never);
}

afterEach(() => {
  vi.restoreAllMocks();
});

async function campaign(h: Harness, campaignId: string) {
  const now = START.toISOString();
  await h.store.campaigns.create({
    campaignId,
    name: campaignId,
    sequenceId: twoSteps.id,
    version: 1,
    audience: { tier: 1 },
    status: 'running',
    createdAt: now,
    updatedAt: now,
  });
}

/** Per step and status: what the ledger holds, and what the campaign view counts. */
async function countersAndLedger(h: Harness, campaignId: string) {
  const touches = await h.store.touches.allOfCampaign(campaignId);
  const ledger: Record<string, Record<string, number>> = {};
  for (const t of touches) {
    const key = UNRESOLVED.has(t.status) ? 'inFlight' : t.status;
    (ledger[t.stepId] ??= {})[key] = (ledger[t.stepId]?.[key] ?? 0) + 1;
  }
  const view = await reportsFeature(h.platform).progress(campaignId);
  const counted: Record<string, Record<string, number>> = {};
  for (const s of view.steps) {
    for (const k of ['sent', 'skipped', 'failed', 'deferred', 'uncertain', 'inFlight'] as const)
      if (s[k] > 0) (counted[s.stepId] ??= {})[k] = s[k];
  }
  return { ledger, counted, view, touches };
}

const byContact = (touches: Touch[], stepId: string) =>
  Object.fromEntries(touches.filter((t) => t.stepId === stepId).map((t) => [t.contactId, t]));

describe('a crash between the claim and the hand-over', () => {
  it('the retried step executes the claimed touch again: delivered once, nothing lost', async () => {
    const crash = crashes();
    crashInTemplateRead(crash, () => true); // rendering the first touch: claimed, not handed over
    await withHarness({ wrapExecute: crash.wrap }, async (h) => {
      await campaign(h, 'c-cl');
      const input = await seedAndEnroll(h, 'cl', 'c-cl', twoSteps);
      const summary = await within(h.sfn.start(input, { name: input.executionName }).done, 15_000);
      expect(crash.crashed).toBe(1);
      expect(reasonOf(summary)).toBe('completed');
      expect(summary.path).not.toContain('RecordFailure');
      expect(await emailsTo(h, 'dana@cl.example')).toHaveLength(2);
      expect(await emailsTo(h, 'sam@cl.example')).toHaveLength(1);
      const { ledger, counted, touches } = await countersAndLedger(h, 'c-cl');
      expect(touches.map((t) => t.status)).toEqual(['sent', 'sent', 'sent']);
      expect(ledger).toEqual({ first: { sent: 2 }, second: { sent: 1 } });
      expect(counted).toEqual(ledger);
      expect(h.publisher.ofType(DETAIL_TYPES.touchUncertain)).toEqual([]);
    });
  });
});

describe('a crash between the hand-over and the provider’s answer', () => {
  it('before SES got it: the touch is uncertain, published, never sent again, counted as uncertain', async () => {
    const crash = crashes();
    await withHarness(
      {
        wrapExecute: crash.wrap,
        email: (ses) => {
          const real = new SesEmailSender(ses.client);
          return {
            send: async (mail) => {
              await crash.hang(); // handed over, then the process dies inside the call
              return real.send(mail);
            },
          };
        },
      },
      async (h) => {
        await campaign(h, 'c-ho');
        const input = await seedAndEnroll(h, 'ho', 'c-ho', twoSteps);
        const summary = await within(h.sfn.start(input, { name: input.executionName }).done, 15_000);
        expect(crash.crashed).toBe(1);
        expect(reasonOf(summary)).toBe('completed');
        const { ledger, counted, touches, view } = await countersAndLedger(h, 'c-ho');
        // Contacts go in contact id order: the champion's touch was the one in the call.
        const first = byContact(touches, 'first');
        expect(first['ho-ch']).toMatchObject({ status: 'uncertain', reason: 'no_answer_after_hand_over' });
        expect(first['ho-eb']).toMatchObject({ status: 'sent' });
        // Never re-sent: the champion got nothing, the economic buyer both steps.
        expect(await emailsTo(h, 'sam@ho.example')).toEqual([]);
        expect(await emailsTo(h, 'dana@ho.example')).toHaveLength(2);
        expect(ledger).toEqual({ first: { sent: 1, uncertain: 1 }, second: { sent: 1 } });
        expect(counted).toEqual(ledger);
        expect(view.steps.find((s) => s.stepId === 'first')).toMatchObject({ sent: 1, uncertain: 1 });
        const uncertain = h.publisher.ofType(DETAIL_TYPES.touchUncertain);
        expect(uncertain.map((e) => e.source)).toEqual(['abm.engine']);
        expect(uncertain[0]!.detail).toMatchObject({
          touchId: `${input.executionName}#first#ho-ch`,
          reason: 'no_answer_after_hand_over',
        });
        expect(await h.store.enrollments.get('ho', 'c-ho')).toMatchObject({ status: 'completed' });
      },
    );
  });

  it('after SES accepted it: delivered once, uncertain (never counted as sent), never sent again', async () => {
    const crash = crashes();
    const original = TouchRepository.prototype.updateStatus;
    vi.spyOn(TouchRepository.prototype, 'updateStatus').mockImplementation(async function (
      this: TouchRepository,
      ...args: Parameters<TouchRepository['updateStatus']>
    ) {
      if (args[2].status === 'sent') await crash.hang(); // SES answered; dead before recording it
      return original.apply(this, args);
    });
    await withHarness({ wrapExecute: crash.wrap }, async (h) => {
      await campaign(h, 'c-ac');
      const input = await seedAndEnroll(h, 'ac', 'c-ac', twoSteps);
      const summary = await within(h.sfn.start(input, { name: input.executionName }).done, 15_000);
      expect(crash.crashed).toBe(1);
      expect(reasonOf(summary)).toBe('completed');
      expect(await emailsTo(h, 'dana@ac.example')).toHaveLength(2);
      expect(await emailsTo(h, 'sam@ac.example')).toHaveLength(1);
      const { ledger, counted } = await countersAndLedger(h, 'c-ac');
      expect(ledger).toEqual({ first: { sent: 1, uncertain: 1 }, second: { sent: 1 } });
      expect(counted).toEqual(ledger);
      expect(h.publisher.ofType(DETAIL_TYPES.touchUncertain)).toHaveLength(1);
    });
  });
});

describe('a step that crashes on every attempt', () => {
  it('RecordFailure resolves its touches (claimed -> failed, published) and the enrollment ends', async () => {
    const crash = crashes(3); // the attempt and its two Lambda.Unknown retries
    crashInTemplateRead(crash, (templateId) => templateId === 'follow'); // the second step, every attempt
    await withHarness({ wrapExecute: crash.wrap }, async (h) => {
      await campaign(h, 'c-rf');
      const input = await seedAndEnroll(h, 'rf', 'c-rf', twoSteps);
      const summary = await within(h.sfn.start(input, { name: input.executionName }).done, 15_000);
      expect(crash.crashed).toBe(3);
      expect(summary.path).toContain('RecordFailure');
      expect(reasonOf(summary)).toBe('completed');
      const { ledger, counted, touches } = await countersAndLedger(h, 'c-rf');
      expect(byContact(touches, 'second')['rf-eb']).toMatchObject({
        status: 'failed',
        reason: 'step_failed',
      });
      expect(ledger).toEqual({ first: { sent: 2 }, second: { failed: 1 } });
      expect(await emailsTo(h, 'dana@rf.example')).toHaveLength(1);
      expect(counted).toEqual(ledger);
      expect(
        h.publisher
          .ofType(DETAIL_TYPES.touchFailed)
          .map((e) => (e.detail as { touchId?: string; reason: string }).touchId ?? 'step'),
      ).toEqual(expect.arrayContaining([`${input.executionName}#second#rf-eb`]));
    });
  });
});

describe('an enrollment ends with every touch resolved', () => {
  it('touches an earlier attempt left on a step no retry runs again are resolved before it completes', async () => {
    await withHarness({}, async (h) => {
      await campaign(h, 'c-lo');
      const input = await seedAndEnroll(h, 'lo', 'c-lo', twoSteps);
      const base = {
        accountId: 'lo',
        campaignId: 'c-lo',
        executionName: input.executionName,
        stepId: 'first',
        channel: 'email' as const,
        attempt: 'a-dead-attempt',
        at: START.toISOString(),
      };
      await h.store.touches.record({
        ...base,
        touchId: `${input.executionName}#first#lo-eb`,
        contactId: 'lo-eb',
        status: 'claimed',
      });
      await h.store.touches.record({
        ...base,
        touchId: `${input.executionName}#first#lo-ch`,
        contactId: 'lo-ch',
        status: 'handing_over',
      });
      // The execution is past `first` (its plan runs `second`).
      const plan = { action: 'run', step: 'second', due: START.toISOString() };
      const summary = await within(
        h.sfn.start({ ...input, plan }, { name: input.executionName }).done,
        15_000,
      );
      expect(reasonOf(summary)).toBe('completed');
      const touches = await h.store.touches.ofExecution('lo', input.executionName);
      expect(touches.filter((t) => UNRESOLVED.has(t.status))).toEqual([]);
      const first = byContact(touches, 'first');
      expect(first['lo-eb']).toMatchObject({ status: 'skipped', reason: 'enrollment_completed:completed' });
      expect(first['lo-ch']).toMatchObject({ status: 'uncertain', reason: 'no_answer_after_hand_over' });
      expect(await h.store.enrollments.get('lo', 'c-lo')).toMatchObject({ status: 'completed' });
      expect(h.publisher.ofType(DETAIL_TYPES.touchUncertain)).toHaveLength(1);
    });
  });
});

describe('campaigns end', () => {
  it('a campaign is completed when its last enrollment ends, not before; a stopped one stays stopped', async () => {
    await withHarness({}, async (h) => {
      await campaign(h, 'c-end');
      const seq = snapshot(twoSteps);
      const inputs = [];
      for (const id of ['e1', 'e2']) {
        await seedAccount(h.store, committeeAccount(id));
        inputs.push(await enroll(h.store, id, 'c-end', seq, START));
      }
      // A held-out enrollment is not active: it never keeps a campaign open.
      await h.store.enrollments.create({
        ...inputs[0]!,
        accountId: 'e3',
        executionName: 'c-end--e3',
        sequenceId: seq.id,
        sequenceVersion: seq.version,
        status: 'held_out',
        startedAt: START.toISOString(),
        updatedAt: START.toISOString(),
      });
      await within(h.sfn.start(inputs[0]!, { name: inputs[0]!.executionName }).done, 15_000);
      expect(await h.store.campaigns.get('c-end')).toMatchObject({ status: 'running' });
      await within(h.sfn.start(inputs[1]!, { name: inputs[1]!.executionName }).done, 15_000);
      expect(await h.store.campaigns.get('c-end')).toMatchObject({ status: 'completed' });
      expect((await reportsFeature(h.platform).progress('c-end')).status).toBe('completed');

      await campaign(h, 'c-stop');
      const stopped = await enroll(h.store, 'e1', 'c-stop', seq, START);
      await h.store.campaigns.update('c-stop', (c) => ({ ...c, status: 'stopped' }));
      await within(h.sfn.start(stopped, { name: stopped.executionName }).done, 15_000);
      expect(await h.store.campaigns.get('c-stop')).toMatchObject({ status: 'stopped' });
    });
  });

  it('the campaign view completes a running campaign whose enrollments have all ended', async () => {
    await withHarness({}, async (h) => {
      await campaign(h, 'c-late');
      const input = await seedAndEnroll(h, 'la', 'c-late', twoSteps);
      await h.store.enrollments.update('la', 'c-late', (e) => ({ ...e, status: 'exited', reason: 'test' }));
      expect(await h.store.campaigns.get('c-late')).toMatchObject({ status: 'running' });
      expect(input.executionName).toBe('c-late--la');
      expect((await reportsFeature(h.platform).progress('c-late')).status).toBe('completed');
      expect(await h.store.campaigns.get('c-late')).toMatchObject({ status: 'completed' });
    });
  });
});
