/**
 * POST /accounts/import (docs/api.md "Import rows"): JSON or CSV, upsert by account id or domain,
 * per-row errors, fit and suggested tier computed on import, 10,000 rows in one request.
 *
 * Good rows always land: a row that does not validate, that would not fit in a DynamoDB item, or
 * whose write DynamoDB refuses for its size is rejected with its row number and the others are
 * written. An account is one UpdateItem (no read first, its version an atomic counter), so
 * concurrent imports of the same account all land and none retries; the contacts of accounts the
 * import created go in batches, those of existing accounts one UpdateItem each (keeping unsubscribes).
 * More than BULK_NEW_ACCOUNTS new accounts go in batches, profiles and contacts.
 */
import type * as z from 'zod';
import { mapLimit } from '../kernel/async';
import type { Clock } from '../kernel/clock';
import { BadRequest, detailsFromZod, type ErrorDetail } from '../kernel/errors';
import { Account, Contact, ContactInput } from '../kernel/model';
import type { Platform } from '../platform/compose';
import { AccountRepository } from '../platform/store/accounts';
import { ItemTooLargeError } from '../platform/store/codec';
import { coverageFeature } from './coverage-service';
import { importEvents } from './import-events';
import { PUBLISHER } from '../platform/bus';
import { withPorts } from '../platform/compose';
import { ProgramRepository } from '../platform/store/programs';
import { accountOfRow, contactOfRow, parseCsv, type CsvRow } from './csv';
import { DEFAULT_ICP, Icp, scoreFit } from './domain/fit';
import { ImportAccount, type ImportResult } from './schemas';

export interface AccountImportDeps {
  accounts: Pick<
    AccountRepository,
    | 'findByDomain'
    | 'getMany'
    | 'importProfile'
    | 'oversizedProfile'
    | 'oversizedContact'
    | 'writeContact'
    | 'writeNew'
  >;
  clock: Clock;
  icp: Icp;
  /** Concurrent single-item writes. */
  concurrency: number;
  /**
   * Called once the rows are written, with each account written: an account the import created
   * comes with its profile and contacts as written (nothing else is stored for it yet).
   */
  afterWrite?: (written: WrittenAccount[]) => Promise<void>;
}

export interface WrittenAccount {
  accountId: string;
  fresh?: { account: Account; contacts: Contact[] };
}

type Rejection = ImportResult['rejected'][number];

/**
 * Above this many new accounts in one import, they are written in batches (25 per call) rather than
 * one UpdateItem each: the bulk path of a large import (docs/api.md "Import rows").
 */
const BULK_NEW_ACCOUNTS = 100;

/** One account of the input: a JSON row, or the CSV rows of one account. */
interface Unit {
  /** The row the account is reported under (its first). */
  row: number;
  /** Every row of the account: all are rejected when the account is. */
  rows: number[];
  raw: Record<string, unknown>;
  /** CSV: the row of each contact in `raw.contacts`. */
  contactRows?: number[];
}

const defined = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** A domain as the schema stores it, or undefined when it is not one. */
function domainOf(value: unknown): string | undefined {
  const parsed = ImportAccount.shape.domain.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

function slugFromDomain(domain: string): string {
  return domain
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
}

/** The account fields a CSV row repeats (all but the id): later rows must agree with earlier ones. */
const ACCOUNT_FIELDS = Object.keys(accountOfRow({})).filter((f) => f !== 'accountId');

/** A field's value as the schema reads it (so `Retail` and `retail`, `1` and `01` agree). */
function comparable(field: string, value: unknown): string {
  const schema = (ImportAccount.shape as Record<string, z.ZodType>)[field];
  const parsed = schema?.safeParse(value);
  return JSON.stringify(parsed?.success ? parsed.data : value);
}

export function createAccountImport(deps: AccountImportDeps) {
  const { accounts, concurrency } = deps;

  /**
   * Account ids for the items without one, by domain (docs/api.md "Import rows"): the account of the
   * file with that domain, else the stored account with it, else one id generated from the domain
   * (never one an account of another domain has). Every item of a domain gets the same id. Returns
   * the ids by item index; an item left out could not be given one (its error is in `errors`).
   */
  async function resolveIds(
    items: { accountId?: string; domain?: unknown }[],
  ): Promise<{ ids: Map<number, string>; errors: Map<number, ErrorDetail> }> {
    const ids = new Map<number, string>();
    const errors = new Map<number, ErrorDetail>();
    const inFile = new Map<string, Set<string>>();
    const taken = new Map<string, string>(); // id -> domain it is used for in the file
    items.forEach((item) => {
      const domain = domainOf(item.domain);
      if (!item.accountId || !domain) return;
      inFile.set(domain, (inFile.get(domain) ?? new Set()).add(item.accountId));
      taken.set(item.accountId, domain);
    });
    const byDomain = new Map<string, number[]>();
    items.forEach((item, i) => {
      const domain = domainOf(item.domain);
      if (item.accountId) ids.set(i, item.accountId);
      // Without a valid domain the row is rejected for its domain.
      else if (domain) byDomain.set(domain, [...(byDomain.get(domain) ?? []), i]);
    });
    const resolved = new Map<string, string>();
    const unresolved: string[] = [];
    for (const domain of byDomain.keys()) {
      const owners = [...(inFile.get(domain) ?? [])];
      if (owners.length === 1) resolved.set(domain, owners[0]);
      else if (owners.length > 1)
        for (const i of byDomain.get(domain) ?? [])
          errors.set(i, {
            path: 'accountId',
            message: `${domain} is the domain of ${owners.join(' and ')} in this file; give the accountId`,
          });
      else unresolved.push(domain);
    }
    const stored = await mapLimit(unresolved, concurrency, (d) => accounts.findByDomain(d));
    const fresh: string[] = [];
    unresolved.forEach((domain, i) => {
      const id = stored[i]?.accountId;
      if (id) resolved.set(domain, id);
      else fresh.push(domain);
    });
    // New domains: the slug of the domain, or slug-2, slug-3... when another domain has it.
    let pending = fresh;
    for (let round = 1; round <= 5 && pending.length > 0; round++) {
      const candidates = pending.map((d) => ({
        domain: d,
        id: round === 1 ? slugFromDomain(d) : `${slugFromDomain(d)}-${round}`,
      }));
      const existing = await accounts.getMany(candidates.map((c) => c.id));
      const next: string[] = [];
      for (const c of candidates) {
        const owner = taken.get(c.id) ?? existing.get(c.id)?.domain;
        if (c.id === '' || (owner !== undefined && owner !== c.domain)) next.push(c.domain);
        else {
          resolved.set(c.domain, c.id);
          taken.set(c.id, c.domain);
        }
      }
      pending = next;
    }
    for (const [domain, rows] of byDomain) {
      const id = resolved.get(domain);
      for (const i of rows) {
        if (id) ids.set(i, id);
        else if (!errors.has(i))
          errors.set(i, {
            path: 'accountId',
            message: `no free account id for ${domain}; give the accountId`,
          });
      }
    }
    return { ids, errors };
  }

  /** CSV rows grouped into accounts by (resolved) account id; conflicting and bad rows rejected. */
  async function csvUnits(csv: string, rejected: Rejection[]): Promise<Unit[]> {
    const parsed = parseCsv(csv);
    rejected.push(...parsed.rejected);
    if (parsed.rows.length === 0 && parsed.rejected.length === 0)
      throw new BadRequest([{ path: 'body', message: 'the CSV has no rows' }]);
    const { ids, errors } = await resolveIds(parsed.rows.map((r) => r.fields));
    const groups = new Map<string, Unit & { seen: Map<string, { key: string; row: number }> }>();
    parsed.rows.forEach((r: CsvRow, i) => {
      const unresolved = errors.get(i);
      if (unresolved) {
        rejected.push({ row: r.line, errors: [unresolved] });
        return;
      }
      const accountId = ids.get(i);
      const rowErrors: ErrorDetail[] = [];
      const fields = defined(accountOfRow(r.fields));
      let group = accountId ? groups.get(`id:${accountId}`) : undefined;
      if (group) {
        for (const field of ACCOUNT_FIELDS) {
          if (fields[field] === undefined) continue;
          const earlier = group.seen.get(field);
          if (earlier && earlier.key !== comparable(field, fields[field]))
            rowErrors.push({
              path: field,
              message: `conflicts with row ${earlier.row} of account ${accountId} (${JSON.stringify(group.raw[field])})`,
            });
        }
      }
      const contact = contactOfRow(r.fields);
      const checked = contact ? ContactInput.safeParse(defined(contact)) : undefined;
      if (checked && !checked.success) rowErrors.push(...detailsFromZod(checked.error, 'contact'));
      if (!group) {
        // The first row of an account makes it, even when its own contact is rejected.
        const key = accountId ? `id:${accountId}` : `row:${r.line}`;
        group = { row: r.line, rows: [], raw: { contacts: [] }, contactRows: [], seen: new Map() };
        groups.set(key, group);
      } else if (rowErrors.length > 0) {
        rejected.push({ row: r.line, accountId, errors: rowErrors });
        return;
      }
      if (rowErrors.length > 0) rejected.push({ row: r.line, accountId, errors: rowErrors });
      group.rows.push(r.line);
      for (const field of ACCOUNT_FIELDS)
        if (fields[field] !== undefined && !group.seen.has(field)) {
          group.raw[field] = fields[field];
          group.seen.set(field, { key: comparable(field, fields[field]), row: r.line });
        }
      if (accountId) group.raw.accountId = accountId;
      if (checked?.success) {
        (group.raw.contacts as unknown[]).push(checked.data);
        group.contactRows?.push(r.line);
      }
    });
    return [...groups.values()].map(({ seen: _seen, ...unit }) => unit);
  }

  /** JSON rows, one account each; a row without an id takes one by its domain. */
  async function jsonUnits(rows: unknown[], rejected: Rejection[]): Promise<Unit[]> {
    const raws = rows.map((raw) =>
      raw && typeof raw === 'object' && !Array.isArray(raw) ? { ...(raw as Record<string, unknown>) } : raw,
    );
    const objects = raws.map((r) => (r && typeof r === 'object' ? (r as Record<string, unknown>) : {}));
    const { ids, errors } = await resolveIds(
      objects.map((o) => ({
        accountId: typeof o.accountId === 'string' && o.accountId !== '' ? o.accountId : undefined,
        domain: o.domain,
      })),
    );
    const units: Unit[] = [];
    raws.forEach((raw, i) => {
      const error = errors.get(i);
      if (error) {
        rejected.push({ row: i + 1, errors: [error] });
        return;
      }
      const o = objects[i];
      if (o === raw && o.accountId === undefined && ids.has(i)) o.accountId = ids.get(i);
      units.push({ row: i + 1, rows: [i + 1], raw: raw as Record<string, unknown> });
    });
    return units;
  }

  return async function importAccounts(input: { json?: unknown[]; csv?: string }): Promise<ImportResult> {
    const rejected: Rejection[] = [];
    const units =
      input.csv !== undefined
        ? await csvUnits(input.csv, rejected)
        : await jsonUnits(input.json ?? [], rejected);
    const now = deps.clock.now().toISOString();
    const rejectUnit = (u: Unit, accountId: string | undefined, errors: ErrorDetail[]) => {
      for (const row of u.rows) rejected.push({ row, accountId, errors });
    };

    // Validate every row, and the size of what it would write, before writing anything.
    type Valid = {
      unit: Unit;
      account: ImportAccount & { accountId: string };
      fit: ReturnType<typeof scoreFit>;
      /** The profile as a new account stores it. */
      fresh: Account;
      contacts: Contact[];
    };
    const valid: Valid[] = [];
    const seenIds = new Map<string, number>();
    for (const unit of units) {
      const parsed = ImportAccount.safeParse(unit.raw);
      const rawId = typeof unit.raw?.accountId === 'string' ? unit.raw.accountId : undefined;
      if (!parsed.success) {
        rejectUnit(unit, rawId, detailsFromZod(parsed.error));
        continue;
      }
      const a = parsed.data;
      if (!a.accountId) {
        rejectUnit(unit, undefined, [
          { path: 'accountId', message: 'required when the domain is not valid' },
        ]);
        continue;
      }
      const accountId = a.accountId;
      const dupContacts = duplicateContacts(a.contacts);
      if (dupContacts.length > 0) {
        rejected.push({ row: unit.row, accountId, errors: dupContacts });
        continue;
      }
      const first = seenIds.get(accountId);
      if (first !== undefined) {
        rejected.push({
          row: unit.row,
          accountId,
          errors: [
            { path: 'accountId', message: `account ${accountId} appears twice (first at row ${first})` },
          ],
        });
        continue;
      }
      const fit = scoreFit(a, deps.icp);
      const { contacts: _contacts, ...profile } = a;
      const fresh = Account.parse({
        ...profile,
        accountId,
        fit,
        tier: a.tier ?? fit.suggestedTier,
        createdAt: now,
        updatedAt: now,
        version: 1,
      });
      const big = accounts.oversizedProfile(fresh);
      if (big) {
        rejectUnit(unit, accountId, [tooLarge(largestOf(big.attributes, profile), big.bytes, 'the account')]);
        continue;
      }
      const contacts: Contact[] = [];
      const contactErrors: ErrorDetail[] = [];
      a.contacts.forEach((c, i) => {
        const contact = Contact.parse({ ...c, accountId, updatedAt: now });
        const over = accounts.oversizedContact(contact);
        if (!over) {
          contacts.push(contact);
          return;
        }
        const field = largestOf(over.attributes, c);
        const error = tooLarge(
          `${unit.contactRows ? 'contact' : `contacts.${i}`}.${field}`,
          over.bytes,
          'the contact',
        );
        // CSV: the contact's own row; JSON: the contact is part of the account's row.
        if (unit.contactRows) rejected.push({ row: unit.contactRows[i], accountId, errors: [error] });
        else contactErrors.push(error);
      });
      if (contactErrors.length > 0) {
        rejected.push({ row: unit.row, accountId, errors: contactErrors });
        continue;
      }
      seenIds.set(accountId, unit.row);
      valid.push({ unit, account: { ...a, accountId }, fit, fresh, contacts });
    }

    let imported = 0;
    let updated = 0;
    let contactCount = 0;
    const written: WrittenAccount[] = [];
    const newContacts: Contact[] = [];
    const chunked = <T>(items: T[], size: number) =>
      Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

    // Many new accounts (a bulk import): the profiles read as absent a moment before, with their
    // contacts, in batches. A concurrent import creating one of the same accounts in that moment
    // is overwritten by this one (the last writer wins), its version counting one write.
    const stored = await accounts.getMany(valid.map((v) => v.account.accountId));
    const absent = valid.filter((v) => !stored.has(v.account.accountId));
    const bulk = new Set(absent.length > BULK_NEW_ACCOUNTS ? absent : []);
    await mapLimit(chunked([...bulk], 100), 4, async (chunk) => {
      await accounts.writeNew(
        chunk.map((v) => v.fresh),
        chunk.flatMap((v) => v.contacts),
      );
      imported += chunk.length;
      contactCount += chunk.reduce((n, v) => n + v.contacts.length, 0);
      for (const v of chunk)
        written.push({ accountId: v.account.accountId, fresh: { account: v.fresh, contacts: v.contacts } });
    });

    // Every other account: one UpdateItem, no read first, its version an atomic counter; the
    // contacts of the accounts it created in batches after, those of existing ones one by one.
    await mapLimit(
      valid.filter((v) => !bulk.has(v)),
      concurrency,
      async ({ unit, account, fit, fresh, contacts }) => {
        const { contacts: _contacts, ...profile } = account;
        let created: boolean;
        try {
          ({ created } = await accounts.importProfile({ ...profile, fit }, fit.suggestedTier));
        } catch (err) {
          if (!(err instanceof ItemTooLargeError)) throw err;
          rejectUnit(unit, account.accountId, [
            { path: '', message: 'with what is stored, the account would exceed the 400 KB item limit' },
          ]);
          return;
        }
        if (created) {
          imported++;
          newContacts.push(...contacts);
          contactCount += contacts.length;
          written.push({ accountId: account.accountId, fresh: { account: fresh, contacts } });
          return;
        }
        updated++;
        await mapLimit(contacts, 4, async (c) => {
          await accounts.writeContact(c);
          contactCount++;
        });
        written.push({ accountId: account.accountId });
      },
    );
    await mapLimit(chunked(newContacts, 250), 4, (chunk) => accounts.writeNew([], chunk));
    await deps.afterWrite?.(written);

    return { imported, updated, contacts: contactCount, rejected: mergeByRow(rejected) };
  };
}

/** The largest of the fields the row gave (not what is derived from them, such as the fit). */
function largestOf(sizes: Record<string, number>, given: object): string {
  const fields = Object.keys(given).filter((f) => sizes[f] !== undefined);
  return fields.reduce((a, b) => (sizes[b] > sizes[a] ? b : a), fields[0] ?? '');
}

function tooLarge(path: string, bytes: number, what: string): ErrorDetail {
  return {
    path,
    message: `${what} would take about ${Math.ceil(bytes / 1024)} KB; DynamoDB stores at most 400 KB per item`,
  };
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

export type AccountImport = ReturnType<typeof createAccountImport>;

/** The import of a platform: its ideal-customer profile from the configuration, 16 writes at a time. */
export function accountImportFeature(platform: Platform): AccountImport {
  const coverage = coverageFeature(platform);
  const accounts = platform.repository(AccountRepository);
  const announce = importEvents(
    withPorts(
      platform,
      { publisher: PUBLISHER },
      { programs: platform.repository(ProgramRepository), accounts, clock: platform.clock },
    ),
  );
  return createAccountImport({
    accounts,
    clock: platform.clock,
    icp: platform.config.icp === undefined ? DEFAULT_ICP : Icp.parse(platform.config.icp),
    concurrency: 16,
    // The committee of each account written against its tier's roles (research tasks).
    afterWrite: async (written) => {
      await coverage.afterImport(written);
      // account.imported for the programs that listen to imports (functions/api/import-events.ts).
      await announce(written);
    },
  });
}
