/**
 * Coverage gaps become research tasks (README "Coverage"): after an import, a contact upsert or an
 * erasure, each account touched is checked against the roles its tier needs
 * (functions/kernel/coverage.ts). An account missing a required role has one open SDR research task
 * ("find the economic buyer at Northwind Retail", the missing roles in its context); the task is
 * rewritten when the missing roles change and closed by itself (completed, no outcome, no engagement)
 * when none is missing.
 *
 * One open research task per account: the n-th research task of an account has the id
 * `research-<accountId>-<n>` and is created only if absent, so a retried or concurrent check opens
 * one. A check that finds an open one rewrites it rather than opening another; a role lost after
 * the task closed (an erasure) opens the next one.
 */
import { mapLimit } from '../kernel/async';
import type { Clock } from '../kernel/clock';
import { coverageOf, requiredRolesOf, researchReason, type RequiredRoles } from '../kernel/coverage';
import { sdrTaskCreatedEvent } from '../kernel/events';
import type { Account, Contact, Role, SdrTask } from '../kernel/model';
import { PUBLISHER, type EventPublisher } from '../platform/bus';
import { withPorts, type Platform } from '../platform/compose';
import { AccountRepository } from '../platform/store/accounts';
import { TaskRepository } from '../platform/store/tasks';

/** Research is due within this long of opening. */
const RESEARCH_DUE_MS = 3 * 86_400_000;
/** Closing note of a task closed because every required role is mapped. */
export const RESEARCH_CLOSED_NOTE = 'closed by itself: every required role has a contact';

export interface CoverageDeps {
  accounts: Pick<AccountRepository, 'get' | 'listContacts'>;
  tasks: Pick<TaskRepository, 'create' | 'listOfAccount' | 'updateOpen'>;
  publisher: EventPublisher;
  clock: Clock;
  requiredRoles: RequiredRoles;
  /** Owner of research tasks for accounts without `ownerSdr`. */
  defaultOwner: string;
  /** Concurrent account checks after an import. Default 8. */
  concurrency?: number;
}

/** What a check did for one account. */
export type CoverageAction = 'none' | 'opened' | 'updated' | 'closed';

const sameRoles = (a: readonly Role[] = [], b: readonly Role[]) =>
  a.length === b.length && a.every((r) => b.includes(r));

export function createCoverage(deps: CoverageDeps) {
  const { requiredRoles } = deps;

  function researchTask(account: Account, missing: Role[], now: Date, n: number): SdrTask {
    return {
      taskId: `research-${account.accountId}-${n}`,
      accountId: account.accountId,
      owner: account.ownerSdr ?? deps.defaultOwner,
      type: 'research',
      status: 'open',
      priority: account.tier === 1 ? 2 : 3,
      dueAt: new Date(now.getTime() + RESEARCH_DUE_MS).toISOString(),
      reason: researchReason(missing, account.name),
      context: {
        stage: account.stage,
        talkingPoints: [`Missing roles for a tier ${account.tier} committee: ${missing.join(', ')}`],
        recentEngagement: [],
        lastTouches: [],
        missingRoles: missing,
      },
      createdAt: now.toISOString(),
    };
  }

  /**
   * Brings the account's research task in line with its committee. `known` saves the reads when
   * the caller has them (an account an import just created: its contacts, no task yet).
   */
  async function check(
    accountId: string,
    known?: { account: Account; contacts: readonly Contact[]; fresh: true },
  ): Promise<CoverageAction> {
    const account = known?.account ?? (await deps.accounts.get(accountId));
    if (!account) return 'none';
    const [contacts, tasks] = known
      ? [known.contacts, [] as SdrTask[]]
      : await Promise.all([deps.accounts.listContacts(accountId), deps.tasks.listOfAccount(accountId)]);
    const { missing } = coverageOf(account.tier, contacts, requiredRoles);
    const research = tasks.filter((t) => t.type === 'research');
    const open = research.filter((t) => t.status === 'open');
    const now = deps.clock.now();

    if (missing.length === 0) {
      if (open.length === 0) return 'none';
      for (const t of open)
        await deps.tasks.updateOpen(accountId, t.taskId, (task) => ({
          ...task,
          status: 'completed',
          notes: RESEARCH_CLOSED_NOTE,
          completedAt: now.toISOString(),
        }));
      return 'closed';
    }
    if (open.length > 0) {
      const [current] = open;
      if (sameRoles(current.context.missingRoles, missing)) return 'none';
      const wanted = researchTask(account, missing, now, research.length);
      await deps.tasks.updateOpen(accountId, current.taskId, (task) => ({
        ...task,
        reason: wanted.reason,
        context: { ...task.context, talkingPoints: wanted.context.talkingPoints, missingRoles: missing },
      }));
      return 'updated';
    }
    const task = researchTask(account, missing, now, research.length + 1);
    const created = await deps.tasks.create(task);
    if (created.created) await deps.publisher.publish([sdrTaskCreatedEvent(task)]);
    return created.created ? 'opened' : 'none';
  }

  /** Checks every account an import wrote; counts what it did. */
  async function afterImport(
    written: { accountId: string; fresh?: { account: Account; contacts: readonly Contact[] } }[],
  ): Promise<Record<CoverageAction, number>> {
    const counts: Record<CoverageAction, number> = { none: 0, opened: 0, updated: 0, closed: 0 };
    const actions = await mapLimit(written, deps.concurrency ?? 8, (w) =>
      check(w.accountId, w.fresh ? { ...w.fresh, fresh: true } : undefined),
    );
    for (const a of actions) counts[a]++;
    return counts;
  }

  return {
    check,
    afterImport,
    coverage: (tier: 1 | 2 | 3, contacts: readonly { role: Role }[]) =>
      coverageOf(tier, contacts, requiredRoles),
  };
}

export type CoverageService = ReturnType<typeof createCoverage>;

/** The coverage service of a platform (`config.coverage`, the default SDR owner). */
export function coverageFeature(platform: Platform): CoverageService {
  return createCoverage(
    withPorts(
      platform,
      { publisher: PUBLISHER },
      {
        accounts: platform.repository(AccountRepository),
        tasks: platform.repository(TaskRepository),
        clock: platform.clock,
        requiredRoles: requiredRolesOf(platform.config.coverage),
        defaultOwner: platform.config.defaultSdrOwner ?? 'unassigned',
      },
    ),
  );
}
