/**
 * The touch ledger: one item per step per contact (`touchId = execution#step#contact`), and the
 * protocol that makes a retried, re-run or crashed step safe and truthful
 * (docs/architecture.md "The engine"):
 *
 *   claimed ──> handing_over ──> sent | failed | uncertain
 *      │                  (written immediately before the provider call)
 *      └──> skipped | deferred | failed   (never handed over: nothing left)
 *
 * Every write is conditional (a put-if-absent, then versioned updates from a named status), and a
 * touch in `claimed` or `handing_over` carries the `attempt` (one ExecuteStep invocation) that holds
 * it: only that attempt may hand it over or settle it. What a later attempt (a Step Functions retry,
 * local mode after a restart) finds tells it what is true:
 *   - `claimed` by another attempt: nothing left; it takes the claim over and executes it again;
 *   - `handing_over` by another attempt: the provider may have acted and no answer was recorded;
 *     the touch becomes `uncertain` (published as `touch.uncertain`), never sent again;
 *   - `deferred` or `failed` (a known non-send): it may be claimed again;
 *   - `sent`, `skipped` or `uncertain`: done, never again.
 * A touch a step left unresolved and no retry re-runs (the step failed for good, the enrollment
 * ends) is resolved by `resolveLeftovers`. The ledger publishes `touch.sent`, `touch.failed` and
 * `touch.uncertain` through the run's events.
 */
import { busEvent, DETAIL_TYPES } from '../kernel/events';
import { UNRESOLVED_TOUCH, type Contact, type Touch, type TouchStep } from '../kernel/model';
import type { TouchRepository } from '../platform/store/touches';
import { iso, type Run } from './context';
import type { SentTouch } from './domain/frequency';

/** The touch id of one step and contact: one touch item per step per contact. */
export function touchIdOf(executionName: string, stepId: string, contactId: string): string {
  return `${executionName}#${stepId}#${contactId}`;
}

/** The fields every touch of a step and contact carries. */
export interface TouchRef {
  touchId: string;
  accountId: string;
  campaignId: string;
  executionName: string;
  stepId: string;
  channel: TouchStep['channel'];
  contactId: string;
  role?: Contact['role'];
}

/** `previous`: the touch this claim took over (a deferred one keeps what its deferral said). */
export type Claim = { claimed: true; previous?: Touch } | { claimed: false; existing: Touch };

export interface ClaimOptions {
  /**
   * A touch another attempt handed over without recording the answer is claimed again (and sent
   * again) instead of becoming `uncertain`, when it was handed over less than this long ago: for a
   * channel whose provider dedupes by the touch id within that window (direct mail: Lob's and
   * PostGrid's idempotency keys). `previous` is then the `handing_over` touch.
   */
  resendHandedOverWithinMs?: number;
}

type Status = Touch['status'];

/** What resolving a touch needs of a run (an enrollment that ends early has read no account). */
type RunRef = Pick<Run, 'input' | 'now' | 'events' | 'attempt'> & Partial<Pick<Run, 'recent'>>;

/** Statuses a new attempt may claim: nothing of the touch has left (a stale claim, a known non-send). */
const RECLAIMABLE: readonly Status[] = ['claimed', 'deferred', 'failed'];

/** Why a touch handed over by an attempt that never recorded the answer is uncertain. */
export const NO_ANSWER = 'no_answer_after_hand_over';

const refOf = (t: Touch): TouchRef => ({
  touchId: t.touchId,
  accountId: t.accountId,
  campaignId: t.campaignId,
  executionName: t.executionName,
  stepId: t.stepId,
  channel: t.channel,
  contactId: t.contactId,
  role: t.role,
});

export function createLedger(
  touches: TouchRepository,
  log: (message: string, data?: Record<string, unknown>) => void = () => undefined,
) {
  function ref(run: Run, step: TouchStep, contact: Contact): TouchRef {
    return {
      touchId: touchIdOf(run.input.executionName, step.id, contact.contactId),
      accountId: run.input.accountId,
      campaignId: run.input.campaignId,
      executionName: run.input.executionName,
      stepId: step.id,
      channel: step.channel,
      contactId: contact.contactId,
      role: contact.role,
    };
  }

  /**
   * `touch.failed` (refused by the provider, or never handed over) or `touch.uncertain` (handed
   * over, no answer) for a touch, with its reason.
   */
  function outcomeEvent(
    run: RunRef,
    kind: 'failed' | 'uncertain',
    touch: TouchRef,
    reason: string,
    at: string,
  ) {
    const type = kind === 'failed' ? DETAIL_TYPES.touchFailed : DETAIL_TYPES.touchUncertain;
    run.events.push(
      busEvent(type, { eventId: `${touch.touchId}#${kind}`, occurredAt: at, ...touch, reason }),
    );
  }

  /**
   * A touch handed over by another attempt that never recorded the provider's answer: `uncertain`
   * (it may have gone out; it counts against frequency caps, never as sent). The condition is the
   * status and the holder read, so a holder that is still alive and records its answer first wins.
   */
  async function orphanedHandOver(run: RunRef, existing: Touch): Promise<Touch> {
    const at = iso(run.now);
    const moved = await touches.updateStatus(
      existing.accountId,
      existing.touchId,
      { status: 'uncertain', reason: NO_ANSWER, at },
      { from: ['handing_over'], attempt: existing.attempt },
    );
    if (moved.updated) {
      outcomeEvent(run, 'uncertain', refOf(existing), NO_ANSWER, at);
      run.recent?.unshift({ ...existing, status: 'uncertain', reason: NO_ANSWER, at });
      log('touch handed over without an answer: uncertain', { touchId: existing.touchId });
    }
    return moved.touch ?? existing;
  }

  /** Moves a touch another attempt left (see RECLAIMABLE) to `patch`, fenced on what was read. */
  function takeOver(existing: Touch, patch: Parameters<TouchRepository['updateStatus']>[2]) {
    return touches.updateStatus(existing.accountId, existing.touchId, patch, {
      from: [existing.status],
      attempt: existing.status === 'claimed' ? existing.attempt : undefined,
    });
  }

  /**
   * Writes the touch as `claimed` by this attempt BEFORE anything else, with a condition. A touch
   * that exists is claimed again only when nothing of it has left (a stale claim of an attempt that
   * died, deferred, failed); one handed over without an answer becomes `uncertain`; sent, skipped
   * and uncertain ones are never claimed again: at most one send per execution, step and contact.
   */
  async function claim(run: Run, touch: TouchRef, options: ClaimOptions = {}): Promise<Claim> {
    const at = iso(run.now);
    const result = await touches.record({ ...touch, status: 'claimed', attempt: run.attempt, at });
    if (result.recorded) return { claimed: true };
    const existing = result.existing;
    if (existing.attempt === run.attempt) return { claimed: false, existing };
    if (existing.status === 'handing_over') {
      const age = run.now.getTime() - Date.parse(existing.at);
      if (options.resendHandedOverWithinMs !== undefined && age < options.resendHandedOverWithinMs) {
        // The provider makes one result per touch id however often it is sent: sending the touch
        // again cannot duplicate it, and leaving it uncertain could lose it.
        const moved = await touches.updateStatus(
          existing.accountId,
          existing.touchId,
          { status: 'claimed', attempt: run.attempt, at },
          { from: ['handing_over'], attempt: existing.attempt },
        );
        if (moved.updated) {
          log('touch handed over without an answer: sent again (idempotent provider)', {
            touchId: existing.touchId,
          });
          return { claimed: true, previous: existing };
        }
        return { claimed: false, existing: moved.touch ?? existing };
      }
      return { claimed: false, existing: await orphanedHandOver(run, existing) };
    }
    if (!RECLAIMABLE.includes(existing.status)) return { claimed: false, existing };
    const moved = await takeOver(existing, { status: 'claimed', attempt: run.attempt, at });
    if (moved.updated) return { claimed: true, previous: existing };
    return { claimed: false, existing: moved.touch ?? existing };
  }

  /**
   * Records a touch that was not attempted (skipped or deferred, with its reason) unless one that
   * counts already exists; a touch another attempt handed over without an answer becomes uncertain.
   */
  async function notSent(
    run: Run,
    touch: TouchRef,
    status: 'skipped' | 'deferred',
    reason: string,
  ): Promise<void> {
    const at = iso(run.now);
    const result = await touches.record({ ...touch, status, reason, at });
    if (result.recorded) return;
    const existing = result.existing;
    if (existing.status === 'handing_over' && existing.attempt !== run.attempt)
      await orphanedHandOver(run, existing);
    else if (RECLAIMABLE.includes(existing.status) && existing.attempt !== run.attempt)
      await takeOver(existing, { status, reason, at });
  }

  /**
   * The hand-over: `claimed` -> `handing_over`, written immediately before the provider call. False
   * when this attempt no longer holds the claim (another attempt took it over): then nothing may be
   * sent.
   */
  async function handingOver(run: Run, touch: TouchRef): Promise<boolean> {
    const moved = await touches.updateStatus(
      touch.accountId,
      touch.touchId,
      { status: 'handing_over', at: iso(run.now) },
      { from: ['claimed'], attempt: run.attempt },
    );
    if (!moved.updated)
      log('touch no longer held by this attempt: not handed over', {
        touchId: touch.touchId,
        status: moved.touch?.status,
      });
    return moved.updated;
  }

  /** Records the outcome of a touch this attempt holds; returns the time it was recorded at. */
  async function settle(
    run: Run,
    touch: TouchRef,
    patch: { status: Status; reason?: string; ref?: string; summary?: string },
    from: readonly Status[],
  ): Promise<{ at: string; updated: boolean }> {
    const at = iso(run.now);
    const moved = await touches.updateStatus(
      touch.accountId,
      touch.touchId,
      { ...patch, at },
      { from, attempt: run.attempt },
    );
    if (!moved.updated)
      log('touch outcome not recorded: the touch is no longer this attempt', {
        touchId: touch.touchId,
        outcome: patch.status,
        status: moved.touch?.status,
      });
    return { at, updated: moved.updated };
  }

  /**
   * A touch this attempt holds that will not go out after all, certainly not accepted by the
   * provider (not handed over, or refused without acting, e.g. throttled): `skipped` (e.g. over the
   * account's budget) or `deferred` (to be claimed again later).
   */
  async function released(
    run: Run,
    touch: TouchRef,
    reason: string,
    status: 'skipped' | 'deferred' = 'skipped',
  ): Promise<void> {
    await settle(run, touch, { status, reason }, ['claimed', 'handing_over']);
  }

  /**
   * The provider accepted it. From `uncertain` too: an answer that arrives after another attempt
   * gave up on this one is still the truth.
   */
  async function sent(run: Run, touch: TouchRef, providerRef: string, summary: string): Promise<void> {
    const { at, updated } = await settle(run, touch, { status: 'sent', ref: providerRef, summary }, [
      'handing_over',
      'uncertain',
    ]);
    if (!updated) return;
    run.recent.unshift({ ...touch, status: 'sent', ref: providerRef, summary, at });
    run.events.push(
      busEvent(DETAIL_TYPES.touchSent, {
        eventId: touch.touchId,
        occurredAt: at,
        ...touch,
        ref: providerRef,
        summary,
      }),
    );
  }

  /** The provider certainly did not act; `publish: false` when the step is retried at once. */
  async function failed(run: Run, touch: TouchRef, reason: string, publish: boolean): Promise<void> {
    const { at, updated } = await settle(run, touch, { status: 'failed', reason }, [
      'claimed',
      'handing_over',
    ]);
    if (updated && publish) outcomeEvent(run, 'failed', touch, reason, at);
  }

  /**
   * The provider may or may not have acted (no answer, a 5xx): `uncertain`, published as
   * `touch.uncertain`; never claimed again (at most once), counted against frequency caps.
   */
  async function unknown(run: Run, touch: TouchRef, reason: string): Promise<void> {
    const { at, updated } = await settle(run, touch, { status: 'uncertain', reason }, ['handing_over']);
    if (!updated) return;
    run.recent.unshift({ ...touch, status: 'uncertain', reason, at });
    outcomeEvent(run, 'uncertain', touch, reason, at);
  }

  /**
   * Resolves the touches of this execution (of one step when `stepId` is given) that an attempt
   * left `claimed` or `handing_over` and no retry will re-run: handed over -> `uncertain`; claimed
   * (nothing left) -> `notHandedOver` (`failed` after a step failed for good, `skipped` when the
   * enrollment ends before the step runs again). Returns how many it resolved.
   */
  async function resolveLeftovers(
    run: RunRef,
    notHandedOver: { status: 'failed' | 'skipped'; reason: string },
    stepId?: string,
  ): Promise<number> {
    const all = await touches.ofExecution(run.input.accountId, run.input.executionName);
    let resolved = 0;
    for (const t of all) {
      if (!UNRESOLVED_TOUCH.has(t.status) || (stepId !== undefined && t.stepId !== stepId)) continue;
      if (t.status === 'handing_over') {
        if ((await orphanedHandOver(run, t)).status !== 'handing_over') resolved++;
        continue;
      }
      const at = iso(run.now);
      const moved = await takeOver(t, { ...notHandedOver, at });
      if (!moved.updated) continue;
      resolved++;
      if (notHandedOver.status === 'failed') outcomeEvent(run, 'failed', refOf(t), notHandedOver.reason, at);
    }
    return resolved;
  }

  /** The run's recent touches as the frequency cap counts them. */
  function counted(run: Run): SentTouch[] {
    return run.recent.map((t) => ({
      contactId: t.contactId,
      channel: t.channel,
      at: t.at,
      status: t.status,
      touchId: t.touchId,
    }));
  }

  return { ref, claim, notSent, handingOver, released, sent, failed, unknown, resolveLeftovers, counted };
}

export type Ledger = ReturnType<typeof createLedger>;
