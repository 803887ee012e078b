/**
 * The forecast of one account's enrollment when nobody engages: the plan loop of ExecuteStep
 * (engine/step.ts) and the channel prologue (engine/channels/index.ts) replayed on the clock of the
 * plans, with the decisions they take and nothing else: the walk (`walk`: branches, splits, exits,
 * `if`, awaits), when each contact is reached (`timeTargets`: send windows in the contact's zone),
 * eligibility (`emailEligibility`, `adsStepIneligibility`, `directMailEligibility`), the frequency
 * cap (`capOutcome`) and the direct-mail budgets (`pieceCostCents`, `piecesLeft`,
 * `accountBudgetAllows`). What it does not foresee (a paused sending domain, a missing template, a
 * provider failure, other campaigns' future touches) is listed in the forecast's assumptions.
 *
 * An await, with no engagement, ends when it times out; its `until` is then evaluated on the
 * account's facts at that time (the score decayed), as the engine does.
 */
import type { ClosedDay } from '../../kernel/holidays';
import { conditionHolds, untilHolds, type AccountFacts } from '../../kernel/conditions';
import { durationMillis } from '../../kernel/duration';
import type { Account, Channel, Contact, SequenceDefinition, TouchStep } from '../../kernel/model';
import { timeoutSecondsOf } from '../../kernel/plan';
import {
  adsStepIneligibility,
  directMailEligibility,
  emailEligibility,
  exitReasonOf,
  selectContacts,
} from './audience';
import { accountBudgetAllows, pieceCostCents, pieceUnknown, piecesLeft } from './direct-mail';
import { DEFAULT_DIRECT_MAIL, type DirectMailSettings } from '../../kernel/direct-mail-providers';
import { CAPPED_CHANNELS, type SentTouch } from './frequency';
import { successorOf, targetOf, walk } from './planner';
import { capOutcome, timeTargets, WINDOWED } from './touch-timing';

export interface AccountToForecast {
  account: Pick<
    Account,
    'accountId' | 'stage' | 'suppressed' | 'directMailBudgetCents' | 'directMailSpentCents'
  >;
  contacts: readonly Contact[];
  /** The contact emails on the suppression list. */
  suppressed: ReadonlySet<string>;
  /** The account's touches recorded before the launch (the frequency cap counts them). */
  recent: readonly SentTouch[];
  /** The account's facts at a time (its score decayed to then; no new engagement). */
  factsAt(at: Date): AccountFacts;
  /** A contact's closed days under the send window (holidays, closed dates), as the step loads them. */
  closedDay?: (contact: Contact) => ClosedDay | undefined;
}

export interface ForecastTouch {
  stepId: string;
  contactId: string;
  channel: Channel;
  status: 'sent' | 'skipped';
  reason?: string;
  at: Date;
  /** The piece's price (direct mail). */
  costCents?: number;
}

export interface ForecastCap {
  stepId: string;
  contactId: string;
  channel: Channel;
  outcome: 'skipped' | 'deferred';
  scope: 'contact' | 'account';
  at: Date;
  until?: Date;
}

export interface AccountForecast {
  touches: ForecastTouch[];
  capped: ForecastCap[];
  /** When the enrollment ends, and how. */
  finishedAt: Date;
  end: { status: 'completed' | 'exited'; reason: string };
  /** ExecuteStep invocations (one per plan the engine returns, as the state machine runs them). */
  invocations: number;
}

export interface ForecastOptions {
  /** The engine's tolerance (`toleranceMs`, default 1 s) and touch steps per invocation (default 5). */
  toleranceMs?: number;
  maxTouchStepsPerInvocation?: number;
  /** `config.providers.directMail`: the pieces the provider has and their prices. */
  directMail?: DirectMailSettings;
}

/** A bound on invocations per account (a sequence loops only through waits, so this is years). */
const MAX_INVOCATIONS = 10_000;
const FINAL = new Set(['sent', 'skipped']);

/** Forecasts one account's enrollment from `start` (see the module comment). */
export function forecastAccount(
  seq: SequenceDefinition,
  a: AccountToForecast,
  start: Date,
  options: ForecastOptions = {},
): AccountForecast {
  const tolerance = options.toleranceMs ?? 1000;
  const mail = options.directMail ?? DEFAULT_DIRECT_MAIL;
  const maxTouchSteps = options.maxTouchStepsPerInvocation ?? 5;
  const accountId = a.account.accountId;
  const touches: ForecastTouch[] = [];
  const capped: ForecastCap[] = [];
  const outcome = new Map<string, ForecastTouch>(); // stepId#contactId -> its final outcome
  const counted: SentTouch[] = [...a.recent];
  const budget = {
    directMailBudgetCents: a.account.directMailBudgetCents,
    directMailSpentCents: a.account.directMailSpentCents ?? 0,
  };
  let now = start;
  let invocations = 1;
  let executed = 0;
  const wake = (at: Date) => {
    now = at;
    invocations++;
    executed = 0;
  };
  const end = (status: 'completed' | 'exited', reason: string): AccountForecast => ({
    touches,
    capped,
    finishedAt: now,
    end: { status, reason },
    invocations,
  });

  const exit = exitReasonOf(a.account, a.contacts, seq);
  if (exit) return end('exited', exit);

  /** The prologue and hand-over of one touch step for its contacts due now; the rest, with their times. */
  function touchStep(step: TouchStep, due: Date, only?: string[]): { contactId: string; at: Date }[] {
    let targets = selectContacts(a.contacts, step.to);
    if (only) targets = targets.filter((c) => only.includes(c.contactId));
    if (targets.length === 0) return [];
    const windowed = WINDOWED[step.channel];
    const { ready, remaining } = timeTargets(targets, {
      from: due > now ? due : now,
      now,
      windowed,
      window: seq.sendWindow,
      toleranceMs: tolerance,
      closedDay: a.closedDay,
    });
    if (ready.length === 0) return remaining;
    const deferred: { contactId: string; at: Date }[] = [];
    const cost = step.channel === 'direct_mail' ? pieceCostCents(step, mail) : 0;
    let pieces =
      step.channel === 'direct_mail'
        ? piecesLeft(step, touches.filter((t) => t.stepId === step.id && t.status === 'sent').length, mail)
        : Infinity;
    const record = (contact: Contact, status: 'sent' | 'skipped', reason?: string) => {
      const touch: ForecastTouch = {
        stepId: step.id,
        contactId: contact.contactId,
        channel: step.channel,
        status,
        at: now,
      };
      if (reason) touch.reason = reason;
      if (status === 'sent' && step.channel === 'direct_mail') touch.costCents = cost;
      outcome.set(`${step.id}#${contact.contactId}`, touch);
      touches.push(touch);
      if (status === 'sent')
        counted.push({
          contactId: contact.contactId,
          channel: step.channel,
          at: now.toISOString(),
          status: 'sent',
          touchId: `${step.id}#${contact.contactId}`,
        });
    };
    for (const contact of ready) {
      const key = `${step.id}#${contact.contactId}`;
      // A touch already sent or skipped (a step reached again) is never recorded again.
      if (FINAL.has(outcome.get(key)?.status ?? '')) continue;
      const reason = ineligibility(step, contact, a.suppressed, pieces, mail);
      if (reason) {
        record(contact, 'skipped', reason);
        continue;
      }
      if (CAPPED_CHANNELS.includes(step.channel)) {
        const cap = capOutcome(seq.frequencyCap, counted, contact, now, {
          touchId: key,
          windowed,
          window: seq.sendWindow,
          closed: a.closedDay?.(contact),
        });
        if (cap) {
          capped.push({
            stepId: step.id,
            contactId: contact.contactId,
            channel: step.channel,
            outcome: cap.status,
            scope: cap.scope,
            at: now,
            ...(cap.status === 'deferred' ? { until: cap.until } : {}),
          });
          if (cap.status === 'skipped') record(contact, 'skipped', cap.reason);
          else deferred.push({ contactId: contact.contactId, at: cap.until });
          continue;
        }
      }
      if (step.channel === 'direct_mail') {
        if (!accountBudgetAllows(budget, cost)) {
          record(contact, 'skipped', 'over_account_budget');
          continue;
        }
        budget.directMailSpentCents += cost;
        pieces--;
      }
      record(contact, 'sent');
    }
    return [...remaining, ...deferred];
  }

  let next: { from: string | undefined; base: Date } = { from: seq.steps[0]?.id, base: now };
  let cursor: { step: TouchStep; due: Date; only?: string[]; resumed: boolean } | undefined;
  while (invocations < MAX_INVOCATIONS) {
    if (!cursor) {
      const w = walk(seq, next.from, { accountId, facts: a.factsAt(now), splitSalt: seq.id, now });
      if (w.kind === 'end') return end(w.status, w.reason);
      if (w.kind === 'await') {
        // Parked until its timeout (no engagement completes it), then the path it ends on.
        const since = now;
        wake(new Date(now.getTime() + timeoutSecondsOf(durationMillis(w.step.timeout)) * 1000));
        if (untilHolds(w.step.until, a.factsAt(now), since))
          next = { from: successorOf(seq, w.step), base: now };
        else if (w.step.onTimeout === 'exit') return end('exited', `await_timeout:${w.step.id}`);
        else next = { from: targetOf(seq, w.step, w.step.onTimeout), base: now };
        continue;
      }
      cursor = {
        step: w.step,
        due: new Date(next.base.getTime() + durationMillis(w.step.after)),
        resumed: false,
      };
    }
    const step = cursor.step;
    if (executed >= maxTouchSteps) {
      // The `run` plan: ExecuteStep again at once.
      wake(now);
      cursor.resumed = true;
    }
    if (cursor.resumed && step.if && !conditionHolds(step.if, a.factsAt(now))) {
      next = { from: successorOf(seq, step), base: now };
      cursor = undefined;
      continue;
    }
    const remaining = touchStep(step, cursor.due, cursor.only);
    if (remaining.length > 0) {
      // The `wait` plan: back at the earliest time, for the contacts still to reach.
      wake(remaining.reduce((min, r) => (r.at < min ? r.at : min), remaining[0].at));
      cursor = {
        ...cursor,
        only: [...new Set(remaining.map((r) => r.contactId))].sort(),
        resumed: true,
      };
      continue;
    }
    executed++;
    next = { from: successorOf(seq, step), base: now };
    cursor = undefined;
  }
  return end('exited', 'forecast_bound');
}

/** Why a touch step does not reach the contact (recorded skipped), as each channel decides. */
function ineligibility(
  step: TouchStep,
  contact: Contact,
  suppressed: ReadonlySet<string>,
  pieces: number,
  mail: DirectMailSettings,
): string | undefined {
  switch (step.channel) {
    case 'email': {
      const e = emailEligibility(contact, contact.email ? suppressed.has(contact.email) : false);
      return e.ok ? undefined : e.reason;
    }
    case 'ads':
      return adsStepIneligibility(step, contact);
    case 'sdr_task':
      return undefined;
    case 'direct_mail': {
      const e = directMailEligibility(contact);
      if (!e.ok) return e.reason;
      const unknown = pieceUnknown(step, mail);
      if (unknown) return unknown;
      return pieces <= 0 ? 'over_step_budget' : undefined;
    }
  }
}
