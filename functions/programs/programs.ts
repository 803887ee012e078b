/**
 * Always-on programs (docs/api.md "Programs"): `PUT /programs/{id}` saves a trigger, an audience, a
 * sequence and a re-entry rule; every program has a campaign of its own (`program-<id>`, which
 * never completes by itself) that its enrollments belong to, so a program reports like a campaign
 * and pauses, resumes and stops like one.
 *
 * A firing trigger (functions/programs/triggers.ts) enrolls the account once per trigger event:
 * the enrollment's execution name carries a hash of the trigger event id, so a redelivered event
 * finds its own enrollment (and StartExecution is idempotent), while a re-entry after the cooldown
 * gets a new name. An account is never in one program twice at once, never enters a program after
 * `once`, nor before the cooldown `after` since its last entry; nor while it is enrolled elsewhere
 * in an exclusive sequence (or elsewhere at all, when this program's sequence is exclusive).
 */
import type { Clock } from '../kernel/clock';
import { Conflict, NotFound } from '../kernel/errors';
import { parseDuration } from '../kernel/duration';
import { entryExecutionNameFor, snapshotOf } from '../kernel/execution';
import {
  ACTIVE_ENROLLMENT,
  Enrollment,
  programCampaignId,
  ProgramInput,
  type Account,
  type Program,
} from '../kernel/model';
import type { Log } from '../platform/compose';
import type { ExecutionStarter } from '../platform/sfn';
import type { AccountRepository } from '../platform/store/accounts';
import type { CampaignRepository } from '../platform/store/campaigns';
import type { CatalogReader } from '../platform/store/catalog';
import type { EnrollmentRepository } from '../platform/store/enrollments';
import type { ProgramRepository } from '../platform/store/programs';
import { firingPrograms, outsideAudience, type TriggerEvent } from './triggers';

export interface ProgramsDeps {
  programs: ProgramRepository;
  campaigns: Pick<CampaignRepository, 'get' | 'create' | 'update'>;
  catalog: Pick<CatalogReader, 'getSequence'>;
  accounts: Pick<AccountRepository, 'get'>;
  enrollments: Pick<EnrollmentRepository, 'get' | 'create' | 'update' | 'listOfAccount'>;
  starter: ExecutionStarter;
  /** The campaign control (pause, resume a program's enrollments). */
  control: { campaign(campaignId: string, action: 'pause' | 'resume'): Promise<unknown> };
  clock: Clock;
  log: Log;
}

/** What a trigger did for one program and account. */
export type EntryOutcome =
  | 'entered'
  | 'duplicate'
  | 'outside_audience'
  | 'already_enrolled'
  | 'once'
  | 'cooldown'
  | 'exclusive_elsewhere'
  | 'enrolled_elsewhere'
  | 'suppressed'
  | 'no_account'
  | 'no_sequence';

export function createPrograms(deps: ProgramsDeps) {
  async function put(programId: string, body: unknown): Promise<{ program: Program; created: boolean }> {
    const input = ProgramInput.parse(body);
    const sequence = await deps.catalog.getSequence(input.sequenceId);
    if (!sequence)
      throw new NotFound(`no sequence ${input.sequenceId}`, [
        { path: 'body.sequenceId', message: 'not found' },
      ]);
    const campaignId = programCampaignId(programId);
    const existing = await deps.campaigns.get(campaignId);
    if (existing && existing.programId !== programId)
      throw new Conflict(`campaign ${campaignId} exists and is not this program's`);
    const saved = await deps.programs.put(programId, { ...input, sequenceVersion: sequence.version });
    const now = deps.clock.now().toISOString();
    const status = input.status === 'active' ? 'running' : 'paused';
    if (!existing)
      await deps.campaigns.create({
        campaignId,
        name: input.name,
        sequenceId: input.sequenceId,
        version: sequence.version,
        audience: { programId },
        programId,
        holdoutPercent: 0,
        status,
        createdAt: now,
        updatedAt: now,
      });
    else
      await deps.campaigns.update(campaignId, (c) => ({
        ...c,
        name: input.name,
        sequenceId: input.sequenceId,
        version: sequence.version,
        status: c.status === 'stopped' ? c.status : status,
      }));
    // A status change in the body moves the program's running enrollments too.
    if (existing && existing.status !== status && existing.status !== 'stopped')
      await deps.control.campaign(campaignId, input.status === 'active' ? 'resume' : 'pause');
    return saved;
  }

  async function get(programId: string): Promise<Program> {
    const program = await deps.programs.get(programId);
    if (!program) throw new NotFound(`no program ${programId}`);
    return program;
  }

  async function setStatus(programId: string, status: Program['status']): Promise<Program> {
    await get(programId);
    const updated = await deps.programs.update(programId, (p) =>
      p.status === status ? undefined : { ...p, status },
    );
    await deps.control.campaign(programCampaignId(programId), status === 'active' ? 'resume' : 'pause');
    return updated!;
  }

  /** Enters the account into the program for this trigger event, if its rules allow. */
  async function enter(program: Program, account: Account, eventId: string): Promise<EntryOutcome> {
    if (outsideAudience(program.audience, account)) return 'outside_audience';
    const campaignId = programCampaignId(program.programId);
    const executionName = entryExecutionNameFor(campaignId, account.accountId, eventId);
    const now = deps.clock.now();
    const current = await deps.enrollments.get(account.accountId, campaignId);
    const sequence = await deps.catalog.getSequence(program.sequenceId, program.sequenceVersion);
    if (!sequence) {
      deps.log.warn('program sequence missing', {
        programId: program.programId,
        sequenceId: program.sequenceId,
      });
      return 'no_sequence';
    }
    const start = () =>
      deps.starter.start({
        accountId: account.accountId,
        campaignId,
        executionName,
        sequence: snapshotOf(sequence),
        enrolledAt: now.toISOString(),
      });
    if (current?.executionName === executionName) {
      // This trigger event entered it already (a redelivery): make sure its execution started.
      if (ACTIVE_ENROLLMENT.has(current.status)) await start();
      return 'duplicate';
    }
    if (current && ACTIVE_ENROLLMENT.has(current.status)) return 'already_enrolled';
    if (current && 'once' in program.reentry) return 'once';
    if (current && 'after' in program.reentry) {
      const cooldown = parseDuration(program.reentry.after);
      if (cooldown.ok && now.getTime() < Date.parse(current.startedAt) + cooldown.millis) return 'cooldown';
    }
    const elsewhere = (await deps.enrollments.listOfAccount(account.accountId)).filter(
      (e) => e.campaignId !== campaignId && ACTIVE_ENROLLMENT.has(e.status),
    );
    if (elsewhere.some((e) => e.exclusive)) return 'exclusive_elsewhere';
    if (sequence.exclusive && elsewhere.length > 0) return 'enrolled_elsewhere';

    const campaign = await deps.campaigns.get(campaignId);
    const iso = now.toISOString();
    const fresh = Enrollment.parse({
      accountId: account.accountId,
      campaignId,
      sequenceId: sequence.id,
      sequenceVersion: sequence.version,
      exclusive: sequence.exclusive,
      executionName,
      // Entered while the program's campaign is paused (a race with a pause): it parks at once.
      status: campaign?.status === 'paused' ? 'paused' : 'running',
      startedAt: iso,
      updatedAt: iso,
    });
    if (current) {
      let replaced = false;
      await deps.enrollments.update(account.accountId, campaignId, (e) => {
        // Another trigger replaced it meanwhile (or it became active): leave it.
        if (ACTIVE_ENROLLMENT.has(e.status) || e.executionName !== current.executionName) return undefined;
        replaced = true;
        return { ...fresh, version: e.version };
      });
      if (!replaced) return 'already_enrolled';
    } else if (!(await deps.enrollments.create(fresh)).created) return 'already_enrolled';
    await start();
    await deps.programs.update(program.programId, (p) => ({ ...p, entries: p.entries + 1 }));
    await deps.campaigns.update(campaignId, (c) => ({ ...c, enrolled: c.enrolled + 1 }));
    return 'entered';
  }

  /** The programs an event fires, each entered (or not) with its outcome. */
  async function onEvent(
    event: TriggerEvent,
    programs?: readonly Program[],
  ): Promise<{ programId: string; outcome: EntryOutcome }[]> {
    const firing = firingPrograms(programs ?? (await deps.programs.listAll()), event);
    if (firing.length === 0) return [];
    const account = await deps.accounts.get(event.detail.accountId);
    const out: { programId: string; outcome: EntryOutcome }[] = [];
    for (const program of firing) {
      const outcome: EntryOutcome = !account
        ? 'no_account'
        : account.suppressed
          ? 'suppressed'
          : await enter(program, account, event.detail.eventId);
      if (outcome === 'entered')
        deps.log.info('program entered', { programId: program.programId, accountId: event.detail.accountId });
      out.push({ programId: program.programId, outcome });
    }
    return out;
  }

  /** A batch of events (one read of the programs for all). */
  async function onEvents(events: readonly TriggerEvent[]) {
    if (events.length === 0) return [];
    const programs = await deps.programs.listAll();
    const results = [];
    for (const e of events) results.push(...(await onEvent(e, programs)));
    return results;
  }

  return {
    put,
    get,
    list: () => deps.programs.listAll(),
    pause: (programId: string) => setStatus(programId, 'paused'),
    resume: (programId: string) => setStatus(programId, 'active'),
    onEvent,
    onEvents,
  };
}

export type ProgramsService = ReturnType<typeof createPrograms>;
