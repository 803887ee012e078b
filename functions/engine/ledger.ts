/**
 * The touch ledger: one item per step per contact (`touchId = execution#step#contact`), and the
 * protocol that makes a retried or re-run step safe. A touch is claimed (`pending`, a conditional
 * write) BEFORE its side effect, then marked `sent` or `failed` after it; one the provider may or
 * may not have acted on stays `pending` (never claimed again: at most once). A touch that did not
 * go out is recorded `skipped` or `deferred` with its reason. The ledger also publishes what
 * happened (`touch.sent`, `touch.failed`) through the run's events.
 */
import { busEvent, DETAIL_TYPES } from '../kernel/events';
import type { Contact, Touch, TouchStep } from '../kernel/model';
import type { TouchRepository, TouchStatusPatch } from '../platform/store/touches';
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
  role: Contact['role'];
}

export type Claim = { claimed: true } | { claimed: false; existing: Touch };

/** Statuses of a known non-send: such a touch may be claimed again. */
const RETRYABLE: Touch['status'][] = ['deferred', 'failed'];

export function createLedger(touches: TouchRepository) {
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
   * Writes the touch as `pending` with a condition BEFORE the side effect. A touch that exists as
   * deferred or failed (a known non-send) may be claimed again; sent, skipped or pending (in flight
   * or unknown after a crash) may not: at most one send per execution, step and contact.
   */
  async function claim(run: Run, touch: TouchRef): Promise<Claim> {
    const at = iso(run.now);
    const result = await touches.record({ ...touch, status: 'pending', at });
    if (result.recorded) return { claimed: true };
    if (!RETRYABLE.includes(result.existing.status)) return { claimed: false, existing: result.existing };
    const moved = await touches.updateStatus(
      touch.accountId,
      touch.touchId,
      { status: 'pending', at },
      { from: RETRYABLE },
    );
    if (moved.updated) return { claimed: true };
    return { claimed: false, existing: moved.touch ?? result.existing };
  }

  /** Records a touch that was not sent (skipped or deferred) unless one that counts already exists. */
  async function notSent(
    run: Run,
    touch: TouchRef,
    status: 'skipped' | 'deferred',
    reason: string,
  ): Promise<void> {
    const at = iso(run.now);
    const result = await touches.record({ ...touch, status, reason, at });
    if (!result.recorded && RETRYABLE.includes(result.existing.status)) {
      await touches.updateStatus(touch.accountId, touch.touchId, { status, reason, at }, { from: RETRYABLE });
    }
  }

  /** Ends a claimed (pending) touch with its outcome; returns the time it was recorded at. */
  async function settle(run: Run, touch: TouchRef, patch: Omit<TouchStatusPatch, 'at'>): Promise<string> {
    const at = iso(run.now);
    await touches.updateStatus(touch.accountId, touch.touchId, { ...patch, at }, { from: ['pending'] });
    return at;
  }

  /** `touch.failed` for a touch: refused (`#failed`) or of unknown outcome (`#unknown`). */
  function failedEvent(run: Run, touch: TouchRef, kind: 'failed' | 'unknown', reason: string, at: string) {
    run.events.push(
      busEvent(DETAIL_TYPES.touchFailed, {
        eventId: `${touch.touchId}#${kind}`,
        occurredAt: at,
        ...touch,
        reason,
      }),
    );
  }

  /** A claimed touch that will not go out after all (e.g. over the account's budget). */
  async function released(run: Run, touch: TouchRef, reason: string): Promise<void> {
    await settle(run, touch, { status: 'skipped', reason });
  }

  async function sent(run: Run, touch: TouchRef, providerRef: string, summary: string): Promise<void> {
    const at = await settle(run, touch, { status: 'sent', ref: providerRef, summary });
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
    const at = await settle(run, touch, { status: 'failed', reason });
    if (publish) failedEvent(run, touch, 'failed', reason, at);
  }

  /**
   * The provider may or may not have done it (no answer, 5xx): the touch stays `pending`, so it is
   * never claimed again (at most once), with the reason recorded; it counts against frequency caps.
   */
  async function unknown(run: Run, touch: TouchRef, reason: string): Promise<void> {
    const at = await settle(run, touch, { status: 'pending', reason });
    run.recent.unshift({ ...touch, status: 'pending', reason, at });
    failedEvent(run, touch, 'unknown', reason, at);
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

  return { ref, claim, notSent, released, sent, failed, unknown, counted };
}

export type Ledger = ReturnType<typeof createLedger>;
