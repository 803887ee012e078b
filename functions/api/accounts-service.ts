/**
 * Accounts: import (functions/api/account-import.ts), list, read, contact upsert and erasure (GDPR).
 */
import type { Clock } from '../kernel/clock';
import { BadRequest, NotFound } from '../kernel/errors';
import { hashEmailForAudience } from '../kernel/hash';
import { ContactInput, type Account, type Stage, type Tier } from '../kernel/model';
import type { AudienceProvider } from '../platform/providers';
import type { AccountViewReader } from '../platform/store/account-view';
import type { AccountRepository } from '../platform/store/accounts';
import type { StoredScore } from '../platform/store/scores';
import { PreconditionFailedError, type Precondition } from '../platform/store/table';
import type { TouchRepository } from '../platform/store/touches';
import { mqaProgress, type ReadoutConfig } from '../scoring';
import type { CoverageService } from './coverage-service';
import { preconditionFailed } from './preconditions';
import { AccountSummary, type AccountView } from './schemas';

export interface AccountsDeps {
  accounts: AccountRepository;
  /** The account view's read: profile, committee, enrollments and score in one query. */
  accountView: Pick<AccountViewReader, 'get'>;
  touches: Pick<TouchRepository, 'listOfAccount'>;
  /** Erasure removes the person from every ad audience. */
  audiences: AudienceProvider;
  clock: Clock;
  /** The scoring configuration the account view shows the score and the MQA progress with. */
  readout: ReadoutConfig;
  /** Committee coverage: the account view's `coverage`, research tasks for missing roles. */
  coverage: Pick<CoverageService, 'check' | 'coverage'>;
}

const defined = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

export function createAccountsService(deps: AccountsDeps) {
  const { accounts } = deps;

  async function listAccounts(q: { tier?: Tier; stage?: Stage; limit: number; cursor?: string }) {
    let state: { t: number; c?: string } = { t: q.tier ?? 1 };
    if (q.cursor) {
      try {
        const parsed = JSON.parse(Buffer.from(q.cursor, 'base64url').toString('utf8')) as {
          t: unknown;
          c?: unknown;
        };
        if (
          ![1, 2, 3].includes(parsed.t as number) ||
          (parsed.c !== undefined && typeof parsed.c !== 'string')
        )
          throw new Error();
        if (q.tier !== undefined && parsed.t !== q.tier) throw new Error();
        state = { t: parsed.t as number, c: parsed.c as string | undefined };
      } catch {
        throw new BadRequest([{ path: 'query.cursor', message: 'not a cursor this API returned' }]);
      }
    }
    const items: Account[] = [];
    let next: { t: number; c?: string } | undefined = state;
    for (let pages = 0; next && items.length < q.limit && pages < 20; pages++) {
      const page = await accounts.listByTier(next.t as Tier, {
        limit: q.limit - items.length,
        cursor: next.c,
      });
      items.push(...page.items.filter((a) => !q.stage || a.stage === q.stage));
      if (page.cursor) next = { t: next.t, c: page.cursor };
      else next = q.tier === undefined && next.t < 3 ? { t: next.t + 1 } : undefined;
    }
    return {
      items: items.map(summary),
      cursor: next ? Buffer.from(JSON.stringify(next)).toString('base64url') : null,
    };
  }

  async function getAccount(accountId: string): Promise<AccountView> {
    const [whole, touches] = await Promise.all([
      deps.accountView.get(accountId),
      deps.touches.listOfAccount(accountId, { limit: 20 }),
    ]);
    if (!whole) throw new NotFound(`no account ${accountId}`);
    const { account, contacts, enrollments, score } = whole;
    return {
      ...summary(account),
      industry: account.industry,
      employees: account.employees,
      annualRevenueUsd: account.annualRevenueUsd,
      region: account.region,
      techStack: account.techStack,
      ...scoreOf(score, deps.clock.now(), deps.readout),
      coverage: deps.coverage.coverage(account.tier, contacts),
      contacts: contacts.map((c) => defined(c) as AccountView['contacts'][number]),
      enrollments: enrollments.map((e) => ({
        campaignId: e.campaignId,
        sequenceId: e.sequenceId,
        status: e.status,
        stepId: e.stepId,
      })),
      touches: touches.items.map((t) => ({
        stepId: t.stepId,
        channel: t.channel,
        contactId: t.contactId,
        status: t.status,
        reason: t.reason,
        at: t.at,
      })),
      createdAt: account.createdAt,
      updatedAt: account.updatedAt,
    };
  }

  /** Creates or replaces a contact: never refused for concurrency without If-Match (last writer wins). */
  async function putContact(
    accountId: string,
    contactId: string,
    body: Record<string, unknown>,
    precondition?: Precondition,
  ) {
    if (body.contactId !== undefined && body.contactId !== contactId) {
      throw new BadRequest([{ path: 'body.contactId', message: 'must equal the contactId in the path' }]);
    }
    const account = await accounts.get(accountId);
    if (!account) throw new NotFound(`no account ${accountId}`);
    const input = ContactInput.parse({ ...body, contactId });
    try {
      const stored = await accounts.writeContact({ ...input, accountId }, { precondition });
      await deps.coverage.check(accountId);
      return { contact: defined(stored.contact), version: stored.version };
    } catch (err) {
      if (err instanceof PreconditionFailedError)
        throw preconditionFailed(`contact ${contactId}`, err.current);
      throw err;
    }
  }

  /** One contact with its version (the ETag a conditional PUT sends back). */
  async function getContact(accountId: string, contactId: string) {
    const found = await accounts.getVersionedContact(accountId, contactId);
    if (!found) throw new NotFound(`no contact ${contactId} in account ${accountId}`);
    return { contact: defined(found.contact), version: found.version };
  }

  /** GDPR erasure: every contact item with this id, and a removal from ad audiences by hashed email. */
  async function eraseContact(contactId: string) {
    const found = await accounts.findContactsById(contactId);
    if (found.length === 0) throw new NotFound(`no contact ${contactId}`);
    const now = deps.clock.now().toISOString();
    for (const c of found) {
      // Ad audiences forget the person first; if that fails nothing is deleted yet and a retry is safe.
      // The audience sync removes it by id with the identifiers its ledger recorded (the contact is
      // gone by then), so the change goes out for a contact without an email too.
      await deps.audiences.apply({
        changeId: `erase-${c.accountId}-${contactId}`,
        accountId: c.accountId,
        contactId,
        add: [],
        remove: c.email ? [hashEmailForAudience(c.email)] : [],
        removeContactIds: [contactId],
        occurredAt: now,
        reason: 'erasure',
      });
      await accounts.deleteContact(c.accountId, c.contactId);
      await deps.coverage.check(c.accountId);
    }
    return { contactId, erased: found.length, accounts: found.map((c) => c.accountId) };
  }

  return { listAccounts, getAccount, putContact, getContact, eraseContact };
}

/** An account as the list shows it. */
const summary = (a: Account) => AccountSummary.parse(a);

/**
 * The score decayed to now (null before any engagement) with the time it is as of, and the progress
 * towards MQA at that time (docs/api.md "Accounts: score and MQA progress").
 */
function scoreOf(
  stored: StoredScore | undefined,
  now: Date,
  config: ReadoutConfig,
): Pick<AccountView, 'score' | 'mqaProgress'> {
  const progress = mqaProgress(stored?.state, now, config);
  return {
    score: stored
      ? {
          value: progress.score.value,
          asOf: progress.asOf,
          contributors: stored.state.contributors as unknown as Record<string, unknown>[],
        }
      : null,
    mqaProgress: progress,
  };
}
