/**
 * The channel registry and the prologue every channel shares. For the contacts a touch step
 * targets whose time has come (inside their send window for a windowed channel), in turn:
 *   1. eligibility (consent, address, suppression, budget) -> a `skipped` touch with its reason;
 *   1b. a hold the channel asks for (email: a paused sending domain) -> `deferred` to its re-check;
 *   2. the frequency cap, on the channels that reach a person directly -> `skipped`, or `deferred`
 *      to when the cap allows it (inside the window for a windowed channel);
 *   3. the claim on the ledger (never twice for a step and contact; engine/ledger.ts);
 *   4. the channel's side effect, handed over on the ledger immediately before the provider call;
 *      or, when the channel says the touch must wait (email: its turn at the SES sending rate, or
 *      a throttled send, certainly not accepted) -> `deferred` to when it may go.
 * A new channel is one executor here (and its step schema in kernel/model.ts).
 */
import type { Channel, Contact, TouchStep } from '../../kernel/model';
import { maxDate, iso, type Remaining, type Run } from '../context';
import { selectContacts } from '../domain/audience';
import { CAPPED_CHANNELS } from '../domain/frequency';
import { capOutcome, timeTargets, windowedTime } from '../domain/touch-timing';
import { ads } from './ads';
import { directMail } from './direct-mail';
import { email } from './email';
import { sdrTask } from './sdr-task';
import type { ChannelDeps, ChannelExecutor } from './types';

/** Executes a touch step for its contacts whose time has come (see `createChannels`). */
export type ExecuteTouch = (
  run: Run,
  step: TouchStep,
  due: Date,
  only?: string[],
) => Promise<Remaining[] | 'none'>;

export type ChannelRegistry = { [C in Channel]: ChannelExecutor<Extract<TouchStep, { channel: C }>> };

export function createChannels(deps: ChannelDeps) {
  const registry: ChannelRegistry = {
    email: email(deps),
    ads: ads(deps),
    sdr_task: sdrTask(deps),
    direct_mail: directMail(deps),
  };
  const tolerance = deps.config.toleranceMs ?? 1000;
  const { ledger } = deps;

  /**
   * Records the touch as deferred until `until` (the next window opening from it, if windowed):
   * before the claim (`held`: a hold, a cap) or, for a touch this attempt holds that certainly did
   * not reach the provider, after it (`claimed`: released as deferred).
   */
  async function defer(
    run: Run,
    touch: ReturnType<typeof ledger.ref>,
    contact: Contact,
    windowed: boolean,
    reason: string,
    until: Date,
    when: 'held' | 'claimed' = 'held',
  ): Promise<Remaining> {
    const at = windowedTime(until, windowed, contact.timeZone, run.seq.sendWindow, run.closedDay?.(contact));
    const why = `${reason} until ${iso(at)}`;
    if (when === 'claimed') await ledger.released(run, touch, why, 'deferred');
    else await ledger.notSent(run, touch, 'deferred', why);
    return { contactId: contact.contactId, at };
  }

  /** The frequency cap: null when the touch may go; else it is recorded and its later time given. */
  async function capped(
    run: Run,
    touch: ReturnType<typeof ledger.ref>,
    contact: Contact,
    windowed: boolean,
  ): Promise<Remaining | 'skipped' | null> {
    const outcome = capOutcome(run.seq.frequencyCap, ledger.counted(run), contact, run.now, {
      touchId: touch.touchId,
      windowed,
      window: run.seq.sendWindow,
      closed: run.closedDay?.(contact),
    });
    if (!outcome) return null;
    if (outcome.status === 'skipped') {
      await ledger.notSent(run, touch, 'skipped', outcome.reason);
      return 'skipped';
    }
    // Already inside the window: deferring again moves it no further.
    return defer(run, touch, contact, windowed, outcome.reason, outcome.until);
  }

  /**
   * Executes a touch step for the targeted contacts whose time has come; returns those still to
   * reach (another window, deferred by a cap), each with its time, or 'none' when none is due yet.
   */
  const executeTouch: ExecuteTouch = async (run, step, due, only) => {
    const executor = registry[step.channel] as ChannelExecutor;
    let targets = selectContacts(run.contacts, step.to);
    if (only) targets = targets.filter((c) => only.includes(c.contactId));
    if (targets.length === 0) return [];
    const { ready, remaining } = timeTargets(targets, {
      from: maxDate(due, run.now),
      now: run.now,
      windowed: executor.windowed,
      window: run.seq.sendWindow,
      toleranceMs: tolerance,
      closedDay: run.closedDay,
    });
    if (ready.length === 0) return remaining.length > 0 ? remaining : 'none';

    const delivery = executor.begin(run, step);
    const isCapped = CAPPED_CHANNELS.includes(step.channel);
    const deferred: Remaining[] = [];
    for (const contact of ready) {
      const touch = ledger.ref(run, step, contact);
      const reason = await delivery.ineligible?.(contact);
      if (reason) {
        await ledger.notSent(run, touch, 'skipped', reason);
        continue;
      }
      const held = await delivery.hold?.(contact);
      if (held) {
        deferred.push(await defer(run, touch, contact, executor.windowed, held.reason, held.until));
        continue;
      }
      if (isCapped) {
        const cap = await capped(run, touch, contact, executor.windowed);
        if (cap === 'skipped') continue;
        if (cap) {
          deferred.push(cap);
          continue;
        }
      }
      const claim = await ledger.claim(run, touch, {
        resendHandedOverWithinMs: executor.resendHandedOverWithinMs,
      });
      if (!claim.claimed) {
        deps.log('touch already recorded; not sending again', {
          touchId: touch.touchId,
          status: claim.existing.status,
        });
        continue;
      }
      const later = await delivery.deliver(touch, contact, claim.previous);
      if (later)
        deferred.push(
          await defer(run, touch, contact, executor.windowed, later.reason, later.until, 'claimed'),
        );
    }
    await delivery.flush?.();
    return [...remaining, ...deferred];
  };

  return { executeTouch };
}
