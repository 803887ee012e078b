/**
 * A channel executor: what one channel does for the contacts of a touch step. The registry
 * (channels/index.ts) runs the prologue every channel shares (timing in the send window,
 * eligibility, a hold, the frequency cap, the claim on the ledger) and hands each claimed touch to
 * `deliver`; a channel that acts once per step (an ad audience) collects and acts in `flush`.
 */
import type { Contact, Touch, TouchStep } from '../../kernel/model';
import type { EngineDeps, Run } from '../context';
import type { Ledger, TouchRef } from '../ledger';

/** A touch to try again later, and why. */
export interface Later {
  reason: string;
  until: Date;
}

/** One step's delivery on a channel, begun for the invocation that executes it. */
export interface StepDelivery {
  /** Why the contact may not be reached by this step (recorded as a skipped touch), or nothing. */
  ineligible?(contact: Contact): Promise<string | undefined> | string | undefined;
  /**
   * Why the contact's touch must wait (recorded as a deferred touch, tried again at `until`, inside
   * the send window for a windowed channel), or nothing: e.g. a paused sending domain.
   */
  hold?(contact: Contact): Promise<Later | undefined>;
  /**
   * The side effect of one claimed touch: the hand-over on the ledger immediately before the
   * provider call, then the outcome (sent, failed, uncertain). Or, when the touch certainly did
   * not reach the provider and should be tried again later (email: not yet its turn at the SES
   * sending rate, or SES throttled it), a `Later`: the registry records the touch `deferred` and
   * the step comes back for it at `until`. `previous`: the touch as an earlier attempt left it
   * (deferred, failed, a stale claim), when there was one.
   */
  deliver(touch: TouchRef, contact: Contact, previous?: Touch): Promise<void | Later>;
  /** After every contact of the step. */
  flush?(): Promise<void>;
}

export interface ChannelExecutor<S extends TouchStep = TouchStep> {
  /** The touch lands inside each contact's send window (an inbox or a phone), or whenever due. */
  readonly windowed: boolean;
  /**
   * The provider dedupes by the touch id for this long: a touch an attempt handed over without an
   * answer (a crash) is sent again within it rather than left uncertain (engine/ledger.ts, claim).
   */
  readonly resendHandedOverWithinMs?: number;
  begin(run: Run, step: S): StepDelivery;
}

export interface ChannelDeps extends EngineDeps {
  ledger: Ledger;
}

export type ChannelFactory<S extends TouchStep> = (deps: ChannelDeps) => ChannelExecutor<S>;
