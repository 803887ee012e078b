/**
 * The per-account sequence engine (DESIGN 2.1 to 2.3): the use cases behind the AccountSequence
 * state machine's tasks. `executeStep` runs the current step of one enrolled account and plans the
 * next one (re-reading the account and the enrollment, which may have changed during the wait);
 * `park` stores a task token on the enrollment for await_engagement and pause.
 *
 * Same code in Lambda (functions/engine/handlers/execute-step.ts, park-execution.ts), in tests and in local
 * mode; only the wiring of `EngineDeps` differs.
 */
import * as z from 'zod';
import type { EventPublisher } from '../platform/bus';
import type { AccountRepository } from '../platform/store/repository';
import type { SecretSource } from '../platform/secrets';
import type { EmailSender } from '../platform/ses';
import { classifySesError } from '../platform/ses';
import type { AudienceProvider } from '../platform/providers/audience';
import type { DirectMailProvider } from '../platform/providers/direct-mail';
import { DETAIL_TYPES, SOURCES, type BusEvent } from '../kernel/events';
import { busEvent } from '../platform/providers/events';
import { ExecutionInput } from '../kernel/execution';
import type { Clock } from '../kernel/clock';
import { durationMillis } from '../kernel/duration';
import { hashEmailForAudience } from '../kernel/hash';
import type {
  Account,
  AdsStep,
  Contact,
  DirectMailStep,
  EmailStep,
  Enrollment,
  Role,
  SdrTaskStep,
  SequenceDefinition,
  Tier,
  Touch,
  TouchStep,
} from '../kernel/model';
import { EmailTemplate, renderTemplate } from '../kernel/templates';
import { signUnsubscribeToken } from '../kernel/unsubscribe-token';
import {
  adsEligibility,
  allUnsubscribed,
  directMailEligibility,
  emailEligibility,
  exclusivityConflict,
  selectContacts,
} from './domain/audience';
import { nextInWindow } from './domain/business-hours';
import {
  conditionHolds,
  isEmptyCondition,
  NO_FACTS,
  untilHolds,
  type AccountFacts,
} from './domain/conditions';
import { checkFrequencyCap, type SentTouch } from './domain/frequency';
import { Plan, timeoutSecondsOf } from '../kernel/plan';
import { stepById, successorOf, targetOf, walk, type Passed } from './domain/planner';
import { composeSdrTask, type Sla } from './domain/sdr';
import { accountFacts } from '../scoring/domain/facts';
import type { ScoreState } from '../scoring/domain/state';
import { ScoreStateSchema } from '../kernel/score';
import { removeFromSequenceAudiences, touchIdOf } from './audience-exit';
import { NotParkedError, TransientError } from './errors';

// ---------------------------------------------------------------------------
// Contracts
// ---------------------------------------------------------------------------

/** What ExecuteStep receives: the execution input plus the current plan (absent at the start). */
export const EngineState = ExecutionInput.extend({ plan: Plan.optional() }).loose();
export type EngineState = z.infer<typeof EngineState>;

/** What the park task (AwaitEngagement, Paused) receives. */
export const ParkInput = z.object({
  op: z.enum(['await', 'pause']),
  taskToken: z.string().min(1),
  accountId: z.string().min(1),
  campaignId: z.string().min(1),
  executionName: z.string().min(1),
  plan: Plan,
});
export type ParkInput = z.infer<typeof ParkInput>;

export interface EngineConfig {
  senderEmail: string;
  senderName?: string;
  /** e.g. https://abm.example.com/unsubscribe; the token goes in `?t=`. */
  unsubscribeBaseUrl: string;
  /** How long an unsubscribe link stays valid. Default 365 days. */
  unsubscribeTokenTtlDays?: number;
  /** Owner of SDR tasks for accounts without `ownerSdr`. Default "unassigned". */
  defaultSdrOwner?: string;
  sdrSla?: Partial<Record<Tier, Sla>>;
  talkingPoints?: Partial<Record<Role, string[]>>;
  /** Touch steps executed in one invocation before handing back (`run`). Default 5. */
  maxTouchStepsPerInvocation?: number;
  /** A planned time this close to now counts as now. Default 1 s. */
  toleranceMs?: number;
}

/** Reads the facts conditions are evaluated on. The default reads the scorer's state loosely. */
export type FactsReader = (account: Account, now?: Date) => Promise<AccountFacts>;

export interface EngineDeps {
  repo: AccountRepository;
  publisher: EventPublisher;
  clock: Clock;
  email: EmailSender;
  unsubscribeKey: SecretSource;
  audiences: AudienceProvider;
  directMail: DirectMailProvider;
  config: EngineConfig;
  facts?: FactsReader;
  log?: (message: string, data?: Record<string, unknown>) => void;
}

export interface SequenceEngine {
  executeStep(state: unknown): Promise<Plan>;
  park(input: unknown): Promise<{ parked: true; op: 'await' | 'pause' }>;
}

// ---------------------------------------------------------------------------
// Internals
// ---------------------------------------------------------------------------

const ACTIVE = new Set(['running', 'waiting', 'paused']);

interface Run {
  input: EngineState;
  seq: SequenceDefinition;
  now: Date;
  account: Account;
  contacts: Contact[];
  enrollment: Enrollment;
  facts: AccountFacts;
  recent: Touch[];
  events: BusEvent[];
  templates: Map<string, z.infer<typeof EmailTemplate> | null>;
}

interface Remaining {
  contactId: string;
  at: Date;
}

/**
 * Default facts: the scorer's state read as the scorer reads it (ScoreStateSchema) and evaluated at
 * `now` with `accountFacts`: the score decayed to now, engaged contacts and roles inside the window,
 * the newest event per type. Without a state (never scored), the profile's stage and zeros.
 */
function defaultFacts(repo: AccountRepository, clock: Clock): FactsReader {
  return async (account, now) => {
    const stored = await repo.getScoreState(account.accountId, ScoreStateSchema);
    return accountFacts(stored?.state as ScoreState | undefined, now ?? clock.now(), account.stage);
  };
}

/** A Catch at the start writes `$.plan.failed` into a state that had no plan yet. */
function normaliseFailed(raw: unknown): unknown {
  const state = raw as { plan?: Record<string, unknown> } | undefined;
  if (state?.plan && state.plan.failed !== undefined && state.plan.action === undefined) {
    return { ...state, plan: { ...state.plan, action: 'run' } };
  }
  return raw;
}

export { touchIdOf };

function iso(d: Date): string {
  return d.toISOString();
}

function maxDate(a: Date, b: Date): Date {
  return a.getTime() >= b.getTime() ? a : b;
}

// ---------------------------------------------------------------------------
// Factory
// ---------------------------------------------------------------------------

export function createSequenceEngine(deps: EngineDeps): SequenceEngine {
  const { repo, publisher, clock, config } = deps;
  const readFacts = deps.facts ?? defaultFacts(repo, clock);
  const tolerance = config.toleranceMs ?? 1000;
  const maxTouchSteps = config.maxTouchStepsPerInvocation ?? 5;
  const log = deps.log ?? (() => undefined);

  // ----- touches: the idempotency protocol --------------------------------

  function baseTouch(run: Run, step: TouchStep, contact: Contact) {
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

  type Claim = { claimed: true } | { claimed: false; existing: Touch };

  /**
   * Writes the touch as `pending` with a condition BEFORE the side effect. A touch that exists as
   * deferred or failed (a known non-send) may be claimed again; sent, skipped or pending (in flight
   * or unknown after a crash) may not: at most one send per execution, step and contact.
   */
  async function claim(run: Run, base: ReturnType<typeof baseTouch>): Promise<Claim> {
    const at = iso(run.now);
    const result = await repo.recordTouch({ ...base, status: 'pending', at });
    if (result.recorded) return { claimed: true };
    if (result.existing.status === 'deferred' || result.existing.status === 'failed') {
      const moved = await repo.updateTouchStatus(
        base.accountId,
        base.touchId,
        { status: 'pending', at },
        { from: ['deferred', 'failed'] },
      );
      if (moved.updated) return { claimed: true };
      return { claimed: false, existing: moved.touch ?? result.existing };
    }
    return { claimed: false, existing: result.existing };
  }

  /** Records a touch that was not sent (skipped or deferred) unless one that counts already exists. */
  async function recordNotSent(
    run: Run,
    base: ReturnType<typeof baseTouch>,
    status: 'skipped' | 'deferred',
    reason: string,
  ): Promise<void> {
    const at = iso(run.now);
    const result = await repo.recordTouch({ ...base, status, reason, at });
    if (!result.recorded && (result.existing.status === 'deferred' || result.existing.status === 'failed')) {
      await repo.updateTouchStatus(
        base.accountId,
        base.touchId,
        { status, reason, at },
        { from: ['deferred', 'failed'] },
      );
    }
  }

  async function markSent(
    run: Run,
    base: ReturnType<typeof baseTouch>,
    ref: string,
    summary: string,
  ): Promise<void> {
    const at = iso(run.now);
    await repo.updateTouchStatus(
      base.accountId,
      base.touchId,
      { status: 'sent', ref, summary, at },
      { from: ['pending'] },
    );
    run.recent.unshift({ ...base, status: 'sent', ref, summary, at } as Touch);
    run.events.push(
      busEvent(SOURCES.engine, DETAIL_TYPES.touchSent, {
        eventId: base.touchId,
        occurredAt: at,
        ...base,
        ref,
        summary,
      }),
    );
  }

  async function markFailed(run: Run, base: ReturnType<typeof baseTouch>, reason: string, publish: boolean) {
    const at = iso(run.now);
    await repo.updateTouchStatus(
      base.accountId,
      base.touchId,
      { status: 'failed', reason, at },
      { from: ['pending'] },
    );
    if (publish) {
      run.events.push(
        busEvent(SOURCES.engine, DETAIL_TYPES.touchFailed, {
          eventId: `${base.touchId}#failed`,
          occurredAt: at,
          ...base,
          reason,
        }),
      );
    }
  }

  /**
   * The provider may or may not have done it (no answer, 5xx): the touch stays `pending`, so it is
   * never claimed again (at most once), with the reason recorded; it counts against frequency caps.
   */
  async function markUnknown(run: Run, base: ReturnType<typeof baseTouch>, reason: string) {
    const at = iso(run.now);
    await repo.updateTouchStatus(
      base.accountId,
      base.touchId,
      { status: 'pending', reason, at },
      { from: ['pending'] },
    );
    run.recent.unshift({ ...base, status: 'pending', reason, at } as Touch);
    run.events.push(
      busEvent(SOURCES.engine, DETAIL_TYPES.touchFailed, {
        eventId: `${base.touchId}#unknown`,
        occurredAt: at,
        ...base,
        reason,
      }),
    );
  }

  function sentTouches(run: Run): SentTouch[] {
    return run.recent.map((t) => ({
      contactId: t.contactId,
      channel: t.channel,
      at: t.at,
      status: t.status,
      touchId: t.touchId,
    }));
  }

  /** Frequency cap: null when the touch may go, else what to do with it. */
  async function capped(
    run: Run,
    base: ReturnType<typeof baseTouch>,
    contact: Contact,
    windowed: boolean,
  ): Promise<Remaining | 'skipped' | null> {
    const cap = run.seq.frequencyCap;
    const check = checkFrequencyCap(cap, sentTouches(run), contact.contactId, run.now, {
      excludeTouchId: base.touchId,
    });
    if (!check.capped) return null;
    const reason = `frequency_capped:${check.scope}`;
    if (cap.onCapped === 'skip') {
      await recordNotSent(run, base, 'skipped', reason);
      return 'skipped';
    }
    const at = windowed ? nextInWindow(check.until, contact.timeZone, run.seq.sendWindow) : check.until;
    await recordNotSent(run, base, 'deferred', `${reason} until ${iso(at)}`);
    return { contactId: contact.contactId, at };
  }

  // ----- channels -----------------------------------------------------------

  async function template(run: Run, templateId: string) {
    if (!run.templates.has(templateId)) {
      const stored = await repo.getTemplate(templateId);
      const parsed = stored ? EmailTemplate.safeParse({ version: 1, ...stored }) : undefined;
      run.templates.set(templateId, parsed?.success ? parsed.data : null);
    }
    return run.templates.get(templateId) ?? undefined;
  }

  async function sendEmail(run: Run, step: EmailStep, ready: Contact[]): Promise<Remaining[]> {
    const remaining: Remaining[] = [];
    for (const contact of ready) {
      const base = baseTouch(run, step, contact);
      const suppressed = contact.email ? await repo.isSuppressed(contact.email) : false;
      const eligible = emailEligibility(contact, suppressed);
      if (!eligible.ok) {
        await recordNotSent(run, base, 'skipped', eligible.reason);
        continue;
      }
      const cap = await capped(run, base, contact, true);
      if (cap === 'skipped') continue;
      if (cap) {
        remaining.push(cap);
        continue;
      }
      const tpl = await template(run, step.template);
      const claimed = await claim(run, base);
      if (!claimed.claimed) {
        log('touch already recorded; not sending again', {
          touchId: base.touchId,
          status: claimed.existing.status,
        });
        continue;
      }
      if (!tpl) {
        await markFailed(run, base, `template_missing:${step.template}`, true);
        continue;
      }
      const key = await deps.unsubscribeKey.getSecret();
      const ttlDays = config.unsubscribeTokenTtlDays ?? 365;
      const token = signUnsubscribeToken(
        {
          a: run.account.accountId,
          c: contact.contactId,
          k: run.input.campaignId,
          exp: Math.floor(run.now.getTime() / 1000) + ttlDays * 86_400,
        },
        key,
      );
      const unsubscribeUrl = `${config.unsubscribeBaseUrl}${config.unsubscribeBaseUrl.includes('?') ? '&' : '?'}t=${encodeURIComponent(token)}`;
      const last = run.recent.find((t) => t.status === 'sent' && t.summary && t.stepId !== step.id);
      const rendered = renderTemplate(tpl, {
        account: {
          accountId: run.account.accountId,
          name: run.account.name,
          industry: run.account.industry,
          domain: run.account.domain,
        },
        contact: {
          contactId: contact.contactId,
          name: contact.name,
          firstName: contact.name.split(/\s+/)[0] ?? contact.name,
          role: contact.role,
          title: contact.title,
        },
        sender: { email: config.senderEmail, name: config.senderName },
        unsubscribeUrl,
        lastTouch: last
          ? { stepId: last.stepId, channel: last.channel, summary: last.summary, at: last.at }
          : undefined,
      });
      let messageId: string;
      try {
        ({ messageId } = await deps.email.send({
          from: config.senderName ? `${config.senderName} <${config.senderEmail}>` : config.senderEmail,
          to: contact.email as string,
          subject: rendered.subject,
          html: rendered.html,
          text: rendered.text,
          headers: [
            { name: 'List-Unsubscribe', value: `<${unsubscribeUrl}>` },
            { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
          ],
          tags: {
            accountId: run.account.accountId,
            campaignId: run.input.campaignId,
            stepId: step.id,
            contactId: contact.contactId,
          },
        }));
      } catch (err) {
        const name = (err as Error).name;
        switch (classifySesError(err)) {
          case 'throttled':
            // Certainly not accepted: release the claim and let the state machine retry the task.
            await markFailed(run, base, `throttled:${name}`, false);
            throw new TransientError(`SES: ${(err as Error).message}`, { cause: err });
          case 'rejected':
            await markFailed(run, base, `ses_rejected:${name}: ${(err as Error).message}`, true);
            continue;
          case 'unknown':
            // SES may have accepted it: keep the claim (pending: never sent again) and go on.
            await markUnknown(run, base, `unknown_outcome:${name}: ${(err as Error).message}`);
            continue;
        }
      }
      // Outside the try: a failure to record the send must not look like a failure to send.
      await markSent(run, base, messageId, `email "${rendered.subject}"`);
    }
    return remaining;
  }

  async function syncAudience(run: Run, step: AdsStep, ready: Contact[]): Promise<Remaining[]> {
    const claimed: { base: ReturnType<typeof baseTouch>; hash: string }[] = [];
    for (const contact of ready) {
      const base = baseTouch(run, step, contact);
      const eligible =
        step.action === 'remove'
          ? { ok: Boolean(contact.email), reason: 'no_email_address' }
          : adsEligibility(contact);
      if (!eligible.ok) {
        await recordNotSent(run, base, 'skipped', (eligible as { reason: string }).reason);
        continue;
      }
      const c = await claim(run, base);
      if (c.claimed) claimed.push({ base, hash: hashEmailForAudience(contact.email as string) });
    }
    if (claimed.length === 0) return [];
    const hashes = claimed.map((c) => c.hash);
    try {
      const { ref } = await deps.audiences.apply({
        changeId: `${run.input.executionName}#${step.id}#audience`,
        audienceId: step.audience,
        accountId: run.account.accountId,
        campaignId: run.input.campaignId,
        stepId: step.id,
        add: step.action === 'add' ? hashes : [],
        remove: step.action === 'remove' ? hashes : [],
        occurredAt: iso(run.now),
        reason: `sequence step ${step.id}`,
      });
      for (const c of claimed) await markSent(run, c.base, ref, `ads ${step.action} ${step.audience}`);
    } catch (err) {
      for (const c of claimed) await markFailed(run, c.base, `provider:${(err as Error).message}`, false);
      throw new TransientError(`audience provider: ${(err as Error).message}`, { cause: err });
    }
    return [];
  }

  function recentEngagement(run: Run): string[] {
    return run.facts.recentEvents
      .slice(0, 5)
      .map((e) => `${e.type} ${e.role ? `by ${e.role} ` : ''}at ${e.occurredAt}`);
  }

  function lastTouchLines(run: Run): string[] {
    return run.recent
      .filter((t) => t.status === 'sent')
      .slice(0, 5)
      .map((t) => `${t.at} ${t.channel} ${t.stepId}${t.summary ? `: ${t.summary}` : ''}`);
  }

  async function createSdrTasks(run: Run, step: SdrTaskStep, ready: Contact[]): Promise<Remaining[]> {
    const remaining: Remaining[] = [];
    for (const contact of ready) {
      const base = baseTouch(run, step, contact);
      const cap = await capped(run, base, contact, true);
      if (cap === 'skipped') continue;
      if (cap) {
        remaining.push(cap);
        continue;
      }
      const c = await claim(run, base);
      if (!c.claimed) continue;
      const task = composeSdrTask({
        account: run.account,
        contact,
        step,
        campaignId: run.input.campaignId,
        touchId: base.touchId,
        now: run.now,
        window: run.seq.sendWindow,
        score: run.facts.score,
        recentEngagement: recentEngagement(run),
        lastTouches: lastTouchLines(run),
        defaultOwner: config.defaultSdrOwner ?? 'unassigned',
        sla: config.sdrSla,
        talkingPoints: config.talkingPoints,
      });
      const created = await repo.putTask(task);
      const stored = created.created ? created.value : created.existing;
      run.events.push(
        busEvent(SOURCES.sdr, DETAIL_TYPES.sdrTaskCreated, {
          eventId: stored.taskId,
          occurredAt: stored.createdAt,
          ...stored,
        }),
      );
      await markSent(run, base, stored.taskId, `sdr ${step.taskType} task for ${contact.name}`);
    }
    return remaining;
  }

  async function orderDirectMail(run: Run, step: DirectMailStep, ready: Contact[]): Promise<Remaining[]> {
    const remaining: Remaining[] = [];
    const cost = step.costCents ?? step.maxCostCents;
    const stepSpent = run.recent.filter(
      (t) => t.status === 'sent' && t.executionName === run.input.executionName && t.stepId === step.id,
    ).length;
    let stepPieces = Math.floor(step.maxCostCents / cost) - stepSpent;
    for (const contact of ready) {
      const base = baseTouch(run, step, contact);
      const eligible = directMailEligibility(contact);
      if (!eligible.ok) {
        await recordNotSent(run, base, 'skipped', eligible.reason);
        continue;
      }
      if (stepPieces <= 0) {
        await recordNotSent(run, base, 'skipped', 'over_step_budget');
        continue;
      }
      const cap = await capped(run, base, contact, false);
      if (cap === 'skipped') continue;
      if (cap) {
        remaining.push(cap);
        continue;
      }
      const c = await claim(run, base);
      if (!c.claimed) continue;
      let reserved = false;
      await repo.updateAccount(run.account.accountId, (account) => {
        reserved = false;
        const budget = account.directMailBudgetCents;
        if (budget !== undefined && account.directMailSpentCents + cost > budget) return undefined;
        reserved = true;
        return { ...account, directMailSpentCents: account.directMailSpentCents + cost };
      });
      if (!reserved) {
        await repo.updateTouchStatus(
          base.accountId,
          base.touchId,
          { status: 'skipped', reason: 'over_account_budget', at: iso(run.now) },
          { from: ['pending'] },
        );
        continue;
      }
      stepPieces--;
      try {
        const { ref } = await deps.directMail.request({
          orderId: base.touchId,
          accountId: run.account.accountId,
          campaignId: run.input.campaignId,
          stepId: step.id,
          contactId: contact.contactId,
          recipientName: contact.name,
          address: contact.postalAddress!,
          piece: step.piece,
          costCents: cost,
          occurredAt: iso(run.now),
        });
        await markSent(run, base, ref, `direct mail ${step.piece}`);
      } catch (err) {
        await repo.updateAccount(run.account.accountId, (a) => ({
          ...a,
          directMailSpentCents: Math.max(0, a.directMailSpentCents - cost),
        }));
        await markFailed(run, base, `provider:${(err as Error).message}`, false);
        throw new TransientError(`direct mail provider: ${(err as Error).message}`, { cause: err });
      }
    }
    return remaining;
  }

  /** Email and SDR calls land inside each contact's window; ads and mail have no inbox moment. */
  function windowed(step: TouchStep): boolean {
    return step.channel === 'email' || step.channel === 'sdr_task';
  }

  /**
   * Executes a touch step for the targeted contacts whose time has come; returns those still to reach
   * (another window, deferred by a cap), each with its time.
   */
  async function executeTouch(
    run: Run,
    step: TouchStep,
    due: Date,
    only?: string[],
  ): Promise<Remaining[] | 'none'> {
    let targets = selectContacts(run.contacts, step.to);
    if (only) targets = targets.filter((c) => only.includes(c.contactId));
    if (targets.length === 0) return [];
    const from = maxDate(due, run.now);
    const timed = targets.map((c) => ({
      contact: c,
      at: windowed(step) ? nextInWindow(from, c.timeZone, run.seq.sendWindow) : from,
    }));
    const horizon = run.now.getTime() + tolerance;
    const ready = timed.filter((t) => t.at.getTime() <= horizon).map((t) => t.contact);
    const later: Remaining[] = timed
      .filter((t) => t.at.getTime() > horizon)
      .map((t) => ({ contactId: t.contact.contactId, at: t.at }));
    if (ready.length === 0) return later.length > 0 ? later : 'none';
    let deferred: Remaining[];
    switch (step.channel) {
      case 'email':
        deferred = await sendEmail(run, step, ready);
        break;
      case 'ads':
        deferred = await syncAudience(run, step, ready);
        break;
      case 'sdr_task':
        deferred = await createSdrTasks(run, step, ready);
        break;
      case 'direct_mail':
        deferred = await orderDirectMail(run, step, ready);
        break;
    }
    return [...later, ...deferred];
  }

  // ----- enrollment and finishing ---------------------------------------------

  async function setCursor(run: Run, patch: Partial<Enrollment>): Promise<void> {
    await repo.updateEnrollment(run.input.accountId, run.input.campaignId, (e) =>
      ACTIVE.has(e.status) ? { ...e, ...patch } : undefined,
    );
  }

  async function removeFromAudiences(run: Run): Promise<void> {
    await removeFromSequenceAudiences(
      { repo, audiences: deps.audiences },
      {
        accountId: run.input.accountId,
        campaignId: run.input.campaignId,
        executionName: run.input.executionName,
        sequence: run.seq,
        contacts: run.contacts,
        now: run.now,
        reason: 'enrollment finished',
      },
    );
  }

  async function finish(
    run: Pick<Run, 'input' | 'now' | 'events'> & Partial<Run>,
    reason: string,
    status: 'completed' | 'exited' | 'stopped',
  ): Promise<Plan> {
    const { input, now } = run;
    await repo.updateEnrollment(input.accountId, input.campaignId, (e) =>
      ACTIVE.has(e.status) || e.status === 'stopped'
        ? {
            ...e,
            status,
            reason,
            finishedAt: e.finishedAt ?? iso(now),
            taskToken: undefined,
            waitingFor: undefined,
          }
        : undefined,
    );
    if (run.contacts && run.seq) await removeFromAudiences(run as Run);
    run.events.push(
      busEvent(SOURCES.engine, DETAIL_TYPES.enrollmentFinished, {
        eventId: `${input.executionName}#finished`,
        occurredAt: iso(now),
        accountId: input.accountId,
        campaignId: input.campaignId,
        executionName: input.executionName,
        sequenceId: input.sequence.id,
        sequenceVersion: input.sequence.version,
        status,
        reason,
      }),
    );
    return { action: 'done', reason };
  }

  function exitReason(run: Run): string | undefined {
    if (run.account.suppressed) return 'account_suppressed';
    if (run.seq.exitWhen.stages.includes(run.account.stage)) return `exit_stage:${run.account.stage}`;
    if (run.seq.exitWhen.allUnsubscribed && allUnsubscribed(run.contacts)) return 'all_unsubscribed';
    return undefined;
  }

  function recordPassed(passed: Passed[]): Partial<Enrollment> {
    const split = [...passed].reverse().find((p) => p.kind === 'split');
    for (const p of passed) log('control step passed', { ...p });
    return split && split.kind === 'split' ? { variant: split.variant } : {};
  }

  // ----- the task ---------------------------------------------------------------

  async function executeStep(raw: unknown): Promise<Plan> {
    const input = EngineState.parse(normaliseFailed(raw));
    const now = clock.now();
    const events: BusEvent[] = [];
    try {
      return await executeInner(input, now, events);
    } finally {
      if (events.length > 0) await publisher.publish(events);
    }
  }

  async function executeInner(input: EngineState, now: Date, events: BusEvent[]): Promise<Plan> {
    const seq = input.sequence;
    const plan = input.plan;
    const [account, contacts, enrollment] = await Promise.all([
      repo.getAccount(input.accountId),
      repo.listContacts(input.accountId),
      repo.getEnrollment(input.accountId, input.campaignId),
    ]);
    if (!enrollment) return finish({ input, now, events }, 'not_enrolled', 'exited');
    if (enrollment.status === 'stopped')
      return finish({ input, now, events }, enrollment.reason ?? 'stopped', 'stopped');
    if (!ACTIVE.has(enrollment.status))
      return { action: 'done', reason: enrollment.reason ?? enrollment.status };
    if (!account) return finish({ input, now, events }, 'account_missing', 'exited');

    const facts = await readFacts(account, now).catch(() => ({ ...NO_FACTS, stage: account.stage }));
    const recent = (await repo.listTouchesOfAccount(input.accountId, { limit: 200 })).items;
    const run: Run = {
      input,
      seq,
      now,
      account,
      contacts,
      enrollment,
      facts,
      recent,
      events,
      templates: new Map(),
    };

    // A task that failed after its retries: record it now; what comes next is decided below, after
    // the exit and pause checks (a failed step must not let an exited, suppressed or paused account
    // receive the touches after it).
    if (plan?.failed !== undefined) recordStepFailure(run, plan);

    const exit = exitReason(run);
    if (exit) return finish(run, exit, 'exited');

    // Paused: park (keeping the plan to continue with) unless this is the resume.
    if (enrollment.status === 'paused') {
      const then = plan?.action === 'pause' ? plan.then : plan;
      return { action: 'pause', step: plan?.step, then };
    }

    if (plan?.failed !== undefined) {
      // The Paused park itself failed (and the enrollment is no longer paused): continue its plan.
      if (plan.action === 'pause') return resumeAfterPause(run, plan);
      return continueAfterFailure(run, plan);
    }

    if (!plan) {
      const others = await repo.listEnrollmentsOfAccount(input.accountId);
      const clash = exclusivityConflict(others, { campaignId: input.campaignId, exclusive: seq.exclusive });
      if (clash) return finish(run, `exclusive_conflict:${clash.campaignId}`, 'exited');
      return continueFrom(run, seq.steps[0]?.id, now);
    }

    switch (plan.action) {
      case 'await':
        return afterAwait(run, plan);
      case 'pause':
        return resumeAfterPause(run, plan);
      case 'wait':
      case 'run':
        return resumePlan(run, plan);
      case 'done':
        return plan;
    }
  }

  /** An await ended: its token was completed (engaged) or it timed out (engaged only if `until` holds). */
  async function afterAwait(run: Run, plan: Plan): Promise<Plan> {
    const seq = run.seq;
    const step = plan.step ? stepById(seq, plan.step) : undefined;
    if (!step || step.type !== 'await_engagement') return continueFrom(run, undefined, run.now);
    const since = plan.since ? new Date(plan.since) : run.now;
    const engaged = plan.timedOut === undefined || untilHolds(step.until, run.facts, since);
    await setCursor(run, { status: 'running', taskToken: undefined, waitingFor: undefined });
    if (engaged) return continueFrom(run, successorOf(seq, step), run.now);
    if (step.onTimeout === 'exit') return finish(run, `await_timeout:${step.id}`, 'exited');
    return continueFrom(run, targetOf(seq, step, step.onTimeout), run.now);
  }

  /** The pause token was completed (resume): continue with the plan the pause kept. */
  async function resumeAfterPause(run: Run, plan: Plan): Promise<Plan> {
    await setCursor(run, { taskToken: undefined });
    const then = plan.then ? Plan.parse(plan.then) : undefined;
    if (!then) return continueFrom(run, plan.step ?? run.seq.steps[0]?.id, run.now);
    // A step that failed before the pause: go on after it (its failure is already recorded).
    if (then.failed !== undefined) return continueAfterFailure(run, then);
    // An await that ended while paused (timed out, or its token was completed): take the path it
    // ended on instead of starting the wait again with its full timeout.
    if (then.action === 'await' && (then.timedOut !== undefined || then.resume !== undefined))
      return afterAwait(run, then);
    return resumePlan(run, then);
  }

  function recordStepFailure(run: Run, plan: Plan): void {
    const { input, now, seq } = run;
    const step = plan.step ? stepById(seq, plan.step) : undefined;
    run.events.push(
      busEvent(SOURCES.engine, DETAIL_TYPES.touchFailed, {
        eventId: `${input.executionName}#${plan.step ?? 'start'}#step-failed#${iso(now)}`,
        occurredAt: iso(now),
        accountId: input.accountId,
        campaignId: input.campaignId,
        executionName: input.executionName,
        stepId: plan.step,
        channel: step && step.type === 'touch' ? step.channel : undefined,
        reason: 'step_failed',
        error: plan.failed,
      }),
    );
  }

  /** After a failed step: the step after it (no step known: the start failed, which cannot be skipped). */
  function continueAfterFailure(run: Run, plan: Plan): Promise<Plan> {
    const step = plan.step ? stepById(run.seq, plan.step) : undefined;
    if (!step) return finish(run, 'start_failed', 'exited');
    return continueFrom(run, successorOf(run.seq, step), run.now);
  }

  /** Continues a wait/run plan (possibly after a pause). */
  async function resumePlan(run: Run, plan: Plan): Promise<Plan> {
    if (plan.action === 'await') {
      return { ...plan, resume: undefined, timedOut: undefined };
    }
    if (!plan.step) return continueFrom(run, undefined, run.now);
    if (plan.action === 'wait' && plan.at && new Date(plan.at).getTime() > run.now.getTime() + tolerance) {
      return { action: 'wait', at: plan.at, step: plan.step, due: plan.due, contacts: plan.contacts };
    }
    return loop(run, {
      stepId: plan.step,
      due: plan.due ? new Date(plan.due) : run.now,
      contacts: plan.contacts,
    });
  }

  function continueFrom(run: Run, stepId: string | undefined, base: Date): Promise<Plan> {
    return loop(run, undefined, { from: stepId, base });
  }

  /**
   * The planning loop: executes every touch that is due now (up to the per-invocation bound) and
   * passes control steps, until something lies in the future, an await, or the end.
   */
  async function loop(
    run: Run,
    current: { stepId: string; due: Date; contacts?: string[] } | undefined,
    walkFrom?: { from: string | undefined; base: Date },
  ): Promise<Plan> {
    const seq = run.seq;
    let cursor = current;
    let next = walkFrom;
    let enrollmentPatch: Partial<Enrollment> = {};
    for (let executed = 0; ;) {
      if (!cursor) {
        const w = walk(seq, next?.from, {
          accountId: run.account.accountId,
          facts: run.facts,
          splitSalt: seq.id,
          now: run.now,
        });
        enrollmentPatch = { ...enrollmentPatch, ...recordPassed(w.passed) };
        if (w.kind === 'end') return finish(run, w.reason, w.status);
        if (w.kind === 'await') {
          await setCursor(run, { ...enrollmentPatch, stepId: w.step.id });
          return {
            action: 'await',
            step: w.step.id,
            until: w.step.until,
            timeoutSeconds: timeoutSecondsOf(durationMillis(w.step.timeout)),
            since: iso(run.now),
          };
        }
        cursor = {
          stepId: w.step.id,
          due: new Date((next?.base ?? run.now).getTime() + durationMillis(w.step.after)),
        };
      }
      const step = stepById(seq, cursor.stepId);
      if (!step || step.type !== 'touch') {
        // Not a touch (e.g. a plan from an older snapshot): walk from it instead.
        next = { from: cursor.stepId, base: run.now };
        cursor = undefined;
        continue;
      }
      if (executed >= maxTouchSteps) {
        await setCursor(run, { ...enrollmentPatch, stepId: step.id });
        return { action: 'run', step: step.id, due: iso(cursor.due), contacts: cursor.contacts };
      }
      // Re-check the `if` of a step that waited: the account may have changed during the wait.
      if (current && step.if && !conditionHolds(step.if, run.facts)) {
        next = { from: successorOf(seq, step), base: run.now };
        cursor = undefined;
        current = undefined;
        continue;
      }
      const remaining = await executeTouch(run, step, cursor.due, cursor.contacts);
      if (remaining === 'none') {
        // Nothing to do yet: it is in the future.
        await setCursor(run, { ...enrollmentPatch, stepId: step.id });
        const at = maxDate(cursor.due, run.now);
        return {
          action: 'wait',
          at: iso(at),
          step: step.id,
          due: iso(cursor.due),
          contacts: cursor.contacts,
        };
      }
      if (remaining.length > 0) {
        const at = remaining.reduce((min, r) => (r.at < min ? r.at : min), remaining[0].at);
        await setCursor(run, { ...enrollmentPatch, stepId: step.id });
        return {
          action: 'wait',
          at: iso(at),
          step: step.id,
          due: iso(cursor.due),
          contacts: [...new Set(remaining.map((r) => r.contactId))].sort(),
        };
      }
      executed++;
      next = { from: successorOf(seq, step), base: run.now };
      cursor = undefined;
      current = undefined;
    }
  }

  // ----- park ---------------------------------------------------------------------

  async function park(raw: unknown): Promise<{ parked: true; op: 'await' | 'pause' }> {
    const input = ParkInput.parse(raw);
    const now = clock.now();
    let outcome = 'not_active' as 'parked' | 'not_active' | 'not_paused';
    await repo.updateEnrollment(input.accountId, input.campaignId, (e) => {
      if (!ACTIVE.has(e.status)) {
        outcome = 'not_active';
        return undefined;
      }
      if (input.op === 'pause') {
        if (e.status !== 'paused') {
          outcome = 'not_paused';
          return undefined;
        }
        outcome = 'parked';
        // The pause token replaces any await token (an await that ended while paused): without
        // `waitingFor`, resume completes this token instead of waiting for the scorer.
        return { ...e, taskToken: input.taskToken, waitingFor: undefined };
      }
      outcome = 'parked';
      return {
        ...e,
        status: e.status === 'paused' ? 'paused' : 'waiting',
        stepId: input.plan.step ?? e.stepId,
        taskToken: input.taskToken,
        waitingFor: {
          stepId: input.plan.step ?? 'unknown',
          until: input.plan.until,
          since: input.plan.since ?? now.toISOString(),
        },
      };
    });
    if (outcome !== 'parked') {
      // Resumed, stopped or finished between planning and parking: re-plan at once.
      throw new NotParkedError(`enrollment ${input.accountId}/${input.campaignId}: ${outcome}`);
    }
    if (input.op === 'await' && (await awaitAlreadyHolds(input, now))) {
      // Engagement scored after ExecuteStep planned this await and before the token was stored: the
      // scorer may have read the enrollment before the token existed. Take the token back and let
      // the state machine re-plan at once (NotParked -> ExecuteStep, which continues as engaged).
      await repo.updateEnrollment(input.accountId, input.campaignId, (e) =>
        e.taskToken === input.taskToken
          ? {
              ...e,
              status: e.status === 'waiting' ? 'running' : e.status,
              taskToken: undefined,
              waitingFor: undefined,
            }
          : undefined,
      );
      throw new NotParkedError(`enrollment ${input.accountId}/${input.campaignId}: condition already holds`);
    }
    return { parked: true, op: input.op };
  }

  /**
   * The engine's half of the await race (the scorer's half and the argument: scorer.ts,
   * resumeParkedAfterWrite): AFTER the token is stored, re-read the facts and test the condition
   * the way the scorer does (an empty condition never ends a wait early).
   */
  async function awaitAlreadyHolds(input: ParkInput, now: Date): Promise<boolean> {
    const until = input.plan.until;
    if (isEmptyCondition(until)) return false;
    const account = await repo.getAccount(input.accountId);
    if (!account) return false;
    const facts = await readFacts(account, now);
    return untilHolds(until, facts, input.plan.since ? new Date(input.plan.since) : now);
  }

  return { executeStep, park };
}
