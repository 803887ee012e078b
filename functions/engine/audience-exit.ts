/**
 * Leaving the ad audiences of a sequence: when an enrollment ends, every contact an `ads` step with
 * action `add` put in an audience (its touch for that step is `sent`) is removed from it again. One
 * function for every way an enrollment ends (functions/engine/lifecycle.ts): the engine's finish
 * step, and a stop from outside (the scorer's exit stages, the operator's stop), whose execution
 * never reaches that step. Idempotent: the change id is `${executionName}#${stepId}#audience-exit`
 * whoever calls it, so a repeated cleanup (a retry, or the engine and a stop both doing it) is one
 * change to consumers.
 */
import { hashEmailForAudience } from '../kernel/hash';
import type { AdsStep, Enrollment, SequenceDefinition } from '../kernel/model';
import type { AudienceProvider } from '../platform/providers';
import type { AccountRepository } from '../platform/store/accounts';
import type { CatalogReader } from '../platform/store/catalog';
import type { TouchRepository } from '../platform/store/touches';
import { touchIdOf } from './ledger';

export interface AudienceExitDeps {
  touches: Pick<TouchRepository, 'get'>;
  accounts: Pick<AccountRepository, 'listContacts'>;
  audiences: AudienceProvider;
}

export interface AudienceExitArgs {
  accountId: string;
  campaignId: string;
  executionName: string;
  /** The sequence version the execution ran (its steps name the audiences). */
  sequence: Pick<SequenceDefinition, 'steps'>;
  /** The account's contacts when the caller has them already; read otherwise. */
  contacts?: Iterable<{ contactId: string; email?: string }>;
  now: Date;
  /** Default `enrollment finished` (the engine's). */
  reason?: string;
}

export interface AudienceExitResult {
  /** One per audience change applied: the change id and the hashes removed. */
  changes: { changeId: string; audienceId: string; removed: number }[];
}

export function audienceExitChangeId(executionName: string, stepId: string): string {
  return `${executionName}#${stepId}#audience-exit`;
}

/**
 * Removes from each `add` audience of the sequence the contacts whose touch for that step was sent,
 * and the account as a company when the step targets companies.
 */
export async function removeFromSequenceAudiences(
  deps: AudienceExitDeps,
  args: AudienceExitArgs,
): Promise<AudienceExitResult> {
  const result: AudienceExitResult = { changes: [] };
  const adds = args.sequence.steps.filter(
    (s): s is AdsStep => s.type === 'touch' && s.channel === 'ads' && s.action === 'add',
  );
  if (adds.length === 0) return result;
  const contacts = [...(args.contacts ?? (await deps.accounts.listContacts(args.accountId)))];
  for (const step of adds) {
    const hashes: string[] = [];
    const contactIds: string[] = [];
    for (const contact of contacts) {
      if (!contact.email) continue;
      const touch = await deps.touches.get(
        args.accountId,
        touchIdOf(args.executionName, step.id, contact.contactId),
      );
      if (touch?.status === 'sent') {
        hashes.push(hashEmailForAudience(contact.email));
        contactIds.push(contact.contactId);
      }
    }
    // The company leaves the lists it may have joined; the sync's ledger removes only what was added.
    const company = step.target === 'companies' || step.target === 'both' ? ('remove' as const) : undefined;
    if (hashes.length === 0 && !company) continue;
    const changeId = audienceExitChangeId(args.executionName, step.id);
    await deps.audiences.apply({
      changeId,
      audienceId: step.audience,
      accountId: args.accountId,
      campaignId: args.campaignId,
      stepId: step.id,
      add: [],
      remove: hashes,
      target: step.target,
      removeContactIds: contactIds,
      company,
      occurredAt: args.now.toISOString(),
      reason: args.reason ?? 'enrollment finished',
    });
    result.changes.push({ changeId, audienceId: step.audience, removed: hashes.length });
  }
  return result;
}

/**
 * The cleanup for an enrollment whose execution was stopped from outside (StopExecution): reads the
 * sequence version the enrollment runs. A version that cannot be read is reported, not guessed.
 */
export async function removeEnrollmentFromAudiences(
  deps: AudienceExitDeps & { catalog: Pick<CatalogReader, 'getSequence'> },
  enrollment: Pick<
    Enrollment,
    'accountId' | 'campaignId' | 'executionName' | 'sequenceId' | 'sequenceVersion'
  >,
  options: { now: Date; reason: string; contacts?: Iterable<{ contactId: string; email?: string }> },
): Promise<AudienceExitResult & { sequenceMissing?: true }> {
  const sequence = await deps.catalog.getSequence(enrollment.sequenceId, enrollment.sequenceVersion);
  if (!sequence) return { changes: [], sequenceMissing: true };
  return removeFromSequenceAudiences(deps, {
    accountId: enrollment.accountId,
    campaignId: enrollment.campaignId,
    executionName: enrollment.executionName,
    sequence,
    contacts: options.contacts,
    now: options.now,
    reason: options.reason,
  });
}
