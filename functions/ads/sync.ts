/**
 * The audience sync (docs/architecture.md "Ad audiences"): consumes `ads.audience.changed` from its
 * queue and brings each configured provider's lists to the intended membership.
 *
 *   batch of changes -> intents per (provider, audience, kind, member), the newest per member wins
 *   (coalescing) -> the membership ledger decides what is still to do (an add for a member already
 *   added, or any change older than the one applied last, is nothing to do; a remove only where an
 *   add went) -> adds read the members from the store (contacts: email, names, country, ads consent;
 *   the account as a company: name, domain) and the adapter identifies them -> batches of at most
 *   `adapter.maxBatch` per provider list -> the ledger records what the provider accepted, with the
 *   identifiers sent.
 *
 * An erasure (a change without `audienceId`) removes the person from every list the ledger says it
 * was added to, with the recorded identifiers (the contact is gone from the store by then).
 *
 * Failures: a retryable `ProviderError` (or any unexpected error) fails the messages whose members
 * that batch carried (SQS partial batch response: they come back; what was done is in the ledger,
 * so the retry does only the rest); members the provider refused for good are counted as failures
 * and left out of the ledger. A message that does not parse is failed too: after the queue's
 * retries it lands in the dead-letter queue, whose alarm an operator sees.
 */
import { kindsOfTarget, type AdsProviderSettings, type AdsTarget } from '../kernel/ads-providers';
import { AdsAudienceChangedDetail } from '../kernel/event-schemas';
import type { Log } from '../platform/compose';
import type { AccountRepository } from '../platform/store/accounts';
import type { AdsMembership, AdsMembershipRepository } from '../platform/store/ads-memberships';
import type { Account, Contact } from '../kernel/model';
import type { AdsMetrics } from './metrics';
import {
  ProviderError,
  type AudienceAdapter,
  type AudienceMember,
  type IdentifiedMember,
  type ProviderAudience,
} from './port';

type Kind = 'contact' | 'company';

export interface SqsRecordLike {
  messageId: string;
  body: string;
}

export interface SyncDeps {
  providers: readonly AdsProviderSettings[];
  /** The adapter of a configured provider (built once per provider by the caller; may read its secret). */
  adapter(settings: AdsProviderSettings): Promise<AudienceAdapter>;
  accounts: Pick<AccountRepository, 'get' | 'listContacts'>;
  ledger: Pick<AdsMembershipRepository, 'getMany' | 'ofMember' | 'record'>;
  metrics: AdsMetrics;
  log: Log;
}

export interface SyncResult {
  batchItemFailures: { itemIdentifier: string }[];
}

interface Intent {
  provider: AdsProviderSettings;
  audience: string;
  kind: Kind;
  memberId: string;
  accountId: string;
  listId: string;
  action: 'add' | 'remove';
  at: string;
  changeId: string;
  /** Every message that wants this member's state (the coalesced ones too). */
  messages: Set<string>;
}

const intentKey = (i: Pick<Intent, 'provider' | 'audience' | 'kind' | 'memberId'>) =>
  `${i.provider.provider}\u0000${i.audience}\u0000${i.kind}\u0000${i.memberId}`;

/** The member kinds a change reaches (a change from before targets existed reaches contacts). */
const kindsOf = (target: AdsTarget | undefined): Kind[] => kindsOfTarget(target ?? 'contacts');

export function createAudienceSync(deps: SyncDeps) {
  const configured = new Map(deps.providers.map((p) => [p.provider, p]));

  /** One queue batch; the messages to retry are returned as SQS partial batch failures. */
  async function handleBatch(records: readonly SqsRecordLike[]): Promise<SyncResult> {
    const failed = new Set<string>();
    const intents = new Map<string, Intent>();
    const want = (intent: Omit<Intent, 'messages'>, messageId: string) => {
      const key = intentKey(intent);
      const current = intents.get(key);
      const messages = new Set([...(current?.messages ?? []), messageId]);
      // The newest change per member wins; on a tie, the later message.
      if (!current || current.at <= intent.at) intents.set(key, { ...intent, messages });
      else current.messages = messages;
    };

    for (const record of records) {
      try {
        const detail = parse(record.body);
        if (detail.audienceId === undefined) {
          await erasure(detail, record.messageId, want);
          continue;
        }
        for (const provider of deps.providers) {
          const lists = provider.audiences[detail.audienceId];
          if (!lists) continue;
          const base = {
            provider,
            audience: detail.audienceId,
            at: detail.occurredAt,
            changeId: detail.eventId,
          };
          const kinds = kindsOf(detail.target);
          if (kinds.includes('contact') && lists.contacts !== undefined) {
            const listId = lists.contacts;
            for (const [ids, action] of [
              [detail.addContactIds, 'add'],
              [detail.removeContactIds, 'remove'],
            ] as const)
              for (const memberId of ids)
                want(
                  { ...base, kind: 'contact', memberId, accountId: detail.accountId, listId, action },
                  record.messageId,
                );
          }
          const companies = 'companies' in lists ? lists.companies : undefined;
          if (kinds.includes('company') && detail.company && companies !== undefined)
            want(
              {
                ...base,
                kind: 'company',
                memberId: detail.accountId,
                accountId: detail.accountId,
                listId: companies,
                action: detail.company,
              },
              record.messageId,
            );
        }
      } catch (err) {
        deps.log.error('ads sync: cannot read a change', { messageId: record.messageId, error: String(err) });
        failed.add(record.messageId);
      }
    }

    await apply(
      [...intents.values()].filter((i) => ![...i.messages].some((m) => failed.has(m))),
      failed,
    );
    return { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })) };
  }

  /** An erasure: every (provider, audience) the ledger says the person was added to. */
  async function erasure(
    detail: AdsAudienceChangedDetail,
    messageId: string,
    want: (intent: Omit<Intent, 'messages'>, messageId: string) => void,
  ): Promise<void> {
    const people = new Set([...detail.removeContactIds, ...(detail.contactId ? [detail.contactId] : [])]);
    for (const memberId of people)
      for (const entry of await deps.ledger.ofMember('contact', memberId)) {
        if (entry.accountId !== detail.accountId) continue;
        const provider = configured.get(entry.provider as AdsProviderSettings['provider']);
        if (!provider) {
          deps.log.warn('ads sync: erasure for a provider no longer configured', {
            provider: entry.provider,
            audience: entry.audience,
          });
          continue;
        }
        want(
          {
            provider,
            audience: entry.audience,
            kind: 'contact',
            memberId,
            accountId: entry.accountId,
            listId: entry.listId,
            action: 'remove',
            at: detail.occurredAt,
            changeId: detail.eventId,
          },
          messageId,
        );
      }
  }

  async function apply(intents: Intent[], failed: Set<string>): Promise<void> {
    if (intents.length === 0) return;
    const ledger = new Map(
      (
        await deps.ledger.getMany(
          intents.map((i) => ({
            kind: i.kind,
            memberId: i.memberId,
            provider: i.provider.provider,
            audience: i.audience,
          })),
        )
      ).map((e) => [intentKey({ ...e, provider: { provider: e.provider } as AdsProviderSettings }), e]),
    );
    const todo = intents.flatMap((i) => {
      const entry = ledger.get(intentKey(i));
      if (entry && entry.at > i.at) return []; // stale: a newer change was applied
      if (i.action === 'add') return entry?.status === 'added' ? [] : [i];
      // Removes go only where adds went: the list the ledger recorded (the config may have moved on).
      return entry?.status === 'added' ? [{ ...i, listId: entry.listId }] : [];
    });
    const members = await readMembers(todo.filter((i) => i.action === 'add'));

    // One group per provider list and action, in batches of the adapter's maximum.
    const groups = new Map<string, Intent[]>();
    for (const i of todo) {
      const key = `${i.provider.provider}\u0000${i.audience}\u0000${i.kind}\u0000${i.listId}\u0000${i.action}`;
      groups.set(key, [...(groups.get(key) ?? []), i]);
    }
    for (const group of groups.values()) {
      const first = group[0]!;
      const name = first.provider.provider;
      let adapter: AudienceAdapter;
      try {
        adapter = await deps.adapter(first.provider);
      } catch (err) {
        deps.log.error('ads sync: no adapter', { provider: name, error: String(err) });
        deps.metrics.count(name, 'failures', group.length);
        for (const i of group) for (const m of i.messages) failed.add(m);
        continue;
      }
      const target: ProviderAudience = { audience: first.audience, kind: first.kind, listId: first.listId };
      const sendable: { intent: Intent; member: IdentifiedMember }[] = [];
      for (const intent of group) {
        const member =
          intent.action === 'remove'
            ? recorded(ledger.get(intentKey(intent))!)
            : identify(
                adapter,
                members.get(`${intent.kind}\u0000${intent.accountId}\u0000${intent.memberId}`),
              );
        if (member) sendable.push({ intent, member });
      }
      for (let start = 0; start < sendable.length; start += adapter.maxBatch) {
        await sendBatch(
          adapter,
          target,
          first.action,
          sendable.slice(start, start + adapter.maxBatch),
          failed,
        );
      }
    }
  }

  async function sendBatch(
    adapter: AudienceAdapter,
    target: ProviderAudience,
    action: 'add' | 'remove',
    batch: { intent: Intent; member: IdentifiedMember }[],
    failed: Set<string>,
  ): Promise<void> {
    const name = adapter.provider;
    const byId = new Map(batch.map((b) => [b.member.memberId, b]));
    let outcome;
    try {
      const members = batch.map((b) => b.member);
      outcome = await (action === 'add' ? adapter.add(target, members) : adapter.remove(target, members));
    } catch (err) {
      const retryable = !(err instanceof ProviderError) || err.retryable;
      deps.log.error('ads sync: provider call failed', {
        provider: name,
        audience: target.audience,
        action,
        members: batch.length,
        retryable,
        error: String(err),
      });
      deps.metrics.count(name, 'failures', batch.length);
      // Retried through the queue; past its retries the change goes to the dead-letter queue (alarm).
      for (const b of batch) for (const m of b.intent.messages) failed.add(m);
      return;
    }
    const done = outcome.done.map((id) => byId.get(id)).filter((b) => b !== undefined);
    await deps.ledger.record(
      done.map(({ intent, member }) => ({
        provider: name,
        audience: intent.audience,
        kind: intent.kind,
        memberId: intent.memberId,
        accountId: intent.accountId,
        listId: intent.listId,
        status: action === 'add' ? ('added' as const) : ('removed' as const),
        ids: member.ids,
        ...(member.consent ? { consent: member.consent } : {}),
        at: intent.at,
        changeId: intent.changeId,
      })),
    );
    deps.metrics.count(name, action === 'add' ? 'membersAdded' : 'membersRemoved', done.length);
    for (const f of outcome.failed) {
      deps.metrics.count(name, 'failures', 1);
      const b = byId.get(f.memberId);
      deps.log.warn('ads sync: the provider refused a member', {
        provider: name,
        audience: target.audience,
        action,
        memberId: f.memberId,
        reason: f.reason,
        retryable: f.retryable,
      });
      if (f.retryable && b) for (const m of b.intent.messages) failed.add(m);
    }
  }

  /** The members adds need, read from the store: contacts per account, companies as accounts. */
  async function readMembers(adds: readonly Intent[]): Promise<Map<string, AudienceMember>> {
    const out = new Map<string, AudienceMember>();
    const accountIds = new Set(adds.map((i) => i.accountId));
    const contactsWanted = new Set(adds.filter((i) => i.kind === 'contact').map((i) => i.accountId));
    const companiesWanted = new Set(adds.filter((i) => i.kind === 'company').map((i) => i.accountId));
    for (const accountId of accountIds) {
      if (contactsWanted.has(accountId))
        for (const c of await deps.accounts.listContacts(accountId)) {
          const member = contactMember(c);
          if (member) out.set(`contact\u0000${accountId}\u0000${c.contactId}`, member);
        }
      if (companiesWanted.has(accountId)) {
        const account = await deps.accounts.get(accountId);
        if (account) out.set(`company\u0000${accountId}\u0000${accountId}`, companyMember(account));
      }
    }
    return out;
  }

  function identify(
    adapter: AudienceAdapter,
    member: AudienceMember | undefined,
  ): IdentifiedMember | undefined {
    // A contact erased, without an email or without ads consent by now is not added.
    if (!member || !adapter.kinds.includes(member.kind)) return undefined;
    return adapter.identify(member);
  }

  return { handleBatch };
}

/** A contact as a member, or nothing when it may not be added (no email, no ads consent). */
export function contactMember(c: Contact): AudienceMember | undefined {
  if (!c.email || !c.consent?.ads) return undefined;
  const [firstName, ...rest] = c.name.trim().split(/\s+/);
  const granted = 'granted' as const;
  return {
    kind: 'contact',
    memberId: c.contactId,
    accountId: c.accountId,
    email: c.email,
    firstName,
    ...(rest.length > 0 ? { lastName: rest.join(' ') } : {}),
    ...(c.postalAddress?.country ? { countryCode: c.postalAddress.country.toUpperCase() } : {}),
    // Ads consent is the person's consent to ad matching and personalisation (Google's EEA fields).
    consent: { adUserData: granted, adPersonalization: granted },
  };
}

export function companyMember(a: Account): AudienceMember {
  return { kind: 'company', memberId: a.accountId, name: a.name, ...(a.domain ? { domain: a.domain } : {}) };
}

/** What the ledger recorded as sent: the identifiers a remove sends back. */
function recorded(entry: AdsMembership): IdentifiedMember {
  return {
    memberId: entry.memberId,
    kind: entry.kind,
    ids: entry.ids,
    ...(entry.consent ? { consent: entry.consent as IdentifiedMember['consent'] } : {}),
  };
}

/** The change an SQS record carries (an EventBridge event, or the bare detail). */
function parse(body: string): AdsAudienceChangedDetail {
  const json = JSON.parse(body) as { detail?: unknown };
  return AdsAudienceChangedDetail.parse(
    json && typeof json === 'object' && 'detail' in json ? json.detail : json,
  );
}

export type AudienceSync = ReturnType<typeof createAudienceSync>;
