/**
 * Accounts: import (JSON or CSV; upsert by account id or domain; per-row errors; fit and suggested
 * tier computed on import; 10,000 rows in one request through batched writes), list, read, contact
 * upsert and erasure (GDPR).
 */
import { mapLimit } from '../kernel/async';
import type { Clock } from '../kernel/clock';
import { BadRequest, NotFound, detailsFromZod, type ErrorDetail } from '../kernel/errors';
import { hashEmailForAudience } from '../kernel/hash';
import { Account, Contact, ContactInput, type Stage, type Tier } from '../kernel/model';
import type { AudienceProvider } from '../platform/providers';
import type { AccountRepository } from '../platform/store/accounts';
import type { EnrollmentRepository } from '../platform/store/enrollments';
import type { ScoreReader, StoredScore } from '../platform/store/scores';
import { PreconditionFailedError, type Precondition } from '../platform/store/table';
import type { TouchRepository } from '../platform/store/touches';
import { mqaProgress, type ReadoutConfig } from '../scoring';
import { accountOfRow, contactOfRow, parseCsv } from './csv';
import { scoreFit, DEFAULT_ICP, type Icp } from './domain/fit';
import { preconditionFailed } from './preconditions';
import { AccountSummary, ImportAccount, type AccountView, type ImportResult } from './schemas';

export interface AccountsDeps {
  accounts: AccountRepository;
  enrollments: Pick<EnrollmentRepository, 'listOfAccount'>;
  touches: Pick<TouchRepository, 'listOfAccount'>;
  scores: Pick<ScoreReader, 'get'>;
  /** Erasure removes the person from every ad audience. */
  audiences: AudienceProvider;
  clock: Clock;
  /** The scoring configuration the account view shows the score and the MQA progress with. */
  readout: ReadoutConfig;
  icp?: Icp;
  /** Concurrent single-item writes during an import. Default 16. */
  concurrency?: number;
}

interface Candidate {
  row: number;
  /** CSV rows that make up this account (for rejecting all of them when the account is bad). */
  rows: number[];
  raw: Record<string, unknown>;
}

const defined = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

function slugFromDomain(domain: string): string {
  return domain
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
}

export function createAccountsService(deps: AccountsDeps) {
  const { accounts } = deps;
  const icp = deps.icp ?? DEFAULT_ICP;
  const concurrency = deps.concurrency ?? 16;

  async function importAccounts(input: { json?: unknown[]; csv?: string }): Promise<ImportResult> {
    const rejected: ImportResult['rejected'] = [];
    const candidates: Candidate[] = [];

    if (input.csv !== undefined) {
      const parsed = parseCsv(input.csv);
      rejected.push(...parsed.rejected);
      if (parsed.rows.length === 0 && parsed.rejected.length === 0)
        throw new BadRequest([{ path: 'body', message: 'the CSV has no rows' }]);
      // Group contact rows into accounts: by account id, else by domain.
      const groups = new Map<string, Candidate & { contacts: unknown[] }>();
      for (const r of parsed.rows) {
        const groupKey = r.fields.accountId
          ? `id:${r.fields.accountId}`
          : `domain:${(r.fields.domain ?? '').toLowerCase()}#${r.line}`;
        let g = groups.get(groupKey);
        if (!g) {
          g = { row: r.line, rows: [], raw: accountOfRow(r.fields), contacts: [] };
          groups.set(groupKey, g);
        }
        g.rows.push(r.line);
        const contact = contactOfRow(r.fields);
        if (contact) {
          const c = ContactInput.safeParse(defined(contact));
          if (!c.success) {
            rejected.push({
              row: r.line,
              accountId: r.fields.accountId,
              errors: detailsFromZod(c.error, 'contact'),
            });
            continue;
          }
          g.contacts.push(c.data);
        }
      }
      for (const g of groups.values())
        candidates.push({ ...g, raw: { ...defined(g.raw), contacts: g.contacts } });
    } else {
      (input.json ?? []).forEach((raw, i) =>
        candidates.push({ row: i + 1, rows: [i + 1], raw: raw as Record<string, unknown> }),
      );
    }

    // Validate every row before writing anything.
    const valid: { row: number; rows: number[]; account: ImportAccount }[] = [];
    const seenIds = new Map<string, number>();
    for (const c of candidates) {
      const parsed = ImportAccount.safeParse(c.raw);
      if (!parsed.success) {
        const errors = detailsFromZod(parsed.error);
        for (const row of c.rows)
          rejected.push({
            row,
            accountId: typeof c.raw?.accountId === 'string' ? c.raw.accountId : undefined,
            errors,
          });
        continue;
      }
      const dupContacts = duplicateContacts(parsed.data.contacts);
      if (dupContacts.length > 0) {
        rejected.push({ row: c.row, accountId: parsed.data.accountId, errors: dupContacts });
        continue;
      }
      valid.push({ row: c.row, rows: c.rows, account: parsed.data });
    }

    // Upsert by domain: rows without an account id take the id of the account with that domain.
    await mapLimit(
      valid.filter((v) => !v.account.accountId),
      concurrency,
      async (v) => {
        const existing = await accounts.findByDomain(v.account.domain);
        v.account.accountId = existing?.accountId ?? slugFromDomain(v.account.domain);
      },
    );
    const unique: typeof valid = [];
    for (const v of valid) {
      const id = v.account.accountId as string;
      const first = seenIds.get(id);
      if (first !== undefined) {
        rejected.push({
          row: v.row,
          accountId: id,
          errors: [{ path: 'accountId', message: `account ${id} appears twice (first at row ${first})` }],
        });
        continue;
      }
      seenIds.set(id, v.row);
      unique.push(v);
    }

    const existing = await accounts.getMany(unique.map((v) => v.account.accountId as string));
    const now = deps.clock.now().toISOString();
    const created: { account: Account; contacts: Contact[] }[] = [];
    const updates: { account: Account; previous: Account; contacts: Contact[] }[] = [];
    let contactCount = 0;

    for (const { account: a } of unique) {
      const accountId = a.accountId as string;
      const previous = existing.get(accountId);
      const fit = scoreFit(a, icp);
      const { contacts, ...profile } = a;
      const account = Account.parse({
        ...previous,
        ...defined(profile),
        accountId,
        fit,
        tier: a.tier ?? previous?.tier ?? fit.suggestedTier,
        stage: previous?.stage ?? 'target',
        suppressed: previous?.suppressed ?? false,
        directMailSpentCents: previous?.directMailSpentCents ?? 0,
        createdAt: previous?.createdAt ?? now,
        updatedAt: now,
        version: previous ? previous.version : 1,
      });
      const contactRecords = contacts.map((c) => Contact.parse({ ...c, accountId, updatedAt: now }));
      contactCount += contactRecords.length;
      if (previous) updates.push({ account, previous, contacts: contactRecords });
      else {
        created.push({ account, contacts: contactRecords });
      }
    }

    // New accounts and their contacts: BatchWriteItem (25 per call, unprocessed items retried), in
    // parallel chunks of about 250 items.
    const chunks: { profiles: Account[]; contacts: Contact[] }[] = [];
    let chunk: { profiles: Account[]; contacts: Contact[] } = { profiles: [], contacts: [] };
    for (const c of created) {
      chunk.profiles.push(c.account);
      chunk.contacts.push(...c.contacts);
      if (chunk.profiles.length + chunk.contacts.length >= 250) {
        chunks.push(chunk);
        chunk = { profiles: [], contacts: [] };
      }
    }
    if (chunk.profiles.length > 0) chunks.push(chunk);
    await mapLimit(chunks, 4, (c) => accounts.writeNew(c.profiles, c.contacts));

    // Updated accounts: one conditional put on the version read (a concurrent writer wins and we
    // merge again through the repository), then the contacts, keeping stored unsubscribes.
    await mapLimit(updates, concurrency, async (u) => {
      if (!(await accounts.replaceIfVersion(u.account, u.previous.version))) {
        // eslint-disable-next-line @typescript-eslint/no-unused-vars
        const { stage, suppressed, directMailSpentCents, createdAt, updatedAt, version, ...profile } =
          u.account;
        await accounts.upsert(profile);
      }
      if (u.contacts.length > 0) await accounts.putContacts(u.account.accountId, u.contacts);
    });

    return {
      imported: created.length,
      updated: updates.length,
      contacts: contactCount,
      rejected: mergeByRow(rejected),
    };
  }

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
    const account = await accounts.get(accountId);
    if (!account) throw new NotFound(`no account ${accountId}`);
    const [contacts, enrollments, touches, score] = await Promise.all([
      accounts.listContacts(accountId),
      deps.enrollments.listOfAccount(accountId),
      deps.touches.listOfAccount(accountId, { limit: 20 }),
      deps.scores.get(accountId, { consistent: false }),
    ]);
    return {
      ...summary(account),
      industry: account.industry,
      employees: account.employees,
      annualRevenueUsd: account.annualRevenueUsd,
      region: account.region,
      techStack: account.techStack,
      ...scoreOf(score, deps.clock.now(), deps.readout),
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
      if (c.email) {
        await deps.audiences.apply({
          changeId: `erase-${c.accountId}-${contactId}`,
          accountId: c.accountId,
          contactId,
          add: [],
          remove: [hashEmailForAudience(c.email)],
          occurredAt: now,
          reason: 'erasure',
        });
      }
      await accounts.deleteContact(c.accountId, c.contactId);
    }
    return { contactId, erased: found.length, accounts: found.map((c) => c.accountId) };
  }

  return { importAccounts, listAccounts, getAccount, putContact, getContact, eraseContact };
}

function duplicateContacts(contacts: { contactId: string }[]): ErrorDetail[] {
  const seen = new Map<string, number>();
  const out: ErrorDetail[] = [];
  contacts.forEach((c, i) => {
    const first = seen.get(c.contactId);
    if (first !== undefined)
      out.push({
        path: `contacts.${i}.contactId`,
        message: `duplicate contactId (first at contacts.${first})`,
      });
    else seen.set(c.contactId, i);
  });
  return out;
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

/** One rejection per row, with all its errors (a CSV row can fail as a contact and as an account). */
function mergeByRow(rejected: ImportResult['rejected']): ImportResult['rejected'] {
  const byRow = new Map<number, ImportResult['rejected'][number]>();
  for (const r of rejected) {
    const seen = byRow.get(r.row);
    if (!seen) byRow.set(r.row, { ...r, errors: [...r.errors] });
    else
      for (const e of r.errors)
        if (!seen.errors.some((x) => x.path === e.path && x.message === e.message)) seen.errors.push(e);
  }
  return [...byRow.values()].sort((x, y) => x.row - y.row);
}
