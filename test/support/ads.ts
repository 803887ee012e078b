/**
 * Shared parts of the ad-adapter contract tests and the audiences bench: members, an adapter
 * wired to a local double with no real waiting, and `settle`, which drives an adapter the way the
 * sync service does (batches of at most `maxBatch`; members that failed retryably sent again)
 * so a test can compare the provider's final membership with the intended set.
 * (No vitest import: bench/ uses it too.)
 */
import { createAdapter, type AdapterDeps } from '../../functions/ads/adapters';
import type {
  AdsProviderName,
  AudienceAdapter,
  ContactMember,
  IdentifiedMember,
  ProviderAudience,
} from '../../functions/ads/port';
import type { ProviderDoubles } from '../../lib/local/doubles';
import type { RequestMetric } from '../../functions/platform/providers/http';

/** SHA-256 hex of "dana@northwind.example", computed outside this code (sha256sum). */
export const DANA_SHA256 = 'a8d08c8b12b62d7483db9556ab07fc1d8ab97d08a2c80a9ba39f22056fd01764';

export function contact(i: number, overrides: Partial<ContactMember> = {}): ContactMember {
  return {
    kind: 'contact',
    memberId: `c-${i}`,
    accountId: `acct-${Math.floor(i / 5)}`,
    email: `person.${i}@account-${Math.floor(i / 5)}.example`,
    consent: { adUserData: 'granted', adPersonalization: 'granted' },
    ...overrides,
  };
}

/** The per-attempt timeout of tests that inject a hang (the only real wait in them). */
export const HANG_TIMEOUT_MS = 250;

export interface Wired {
  adapter: AudienceAdapter;
  /** Every wait the HTTP client asked for (ms); none really happened. */
  sleeps: number[];
  metrics: RequestMetric[];
}

/**
 * An adapter against its double: sleeps recorded (not waited). Tests that inject `hang` pass a
 * short `policy.timeoutMs` (HANG_TIMEOUT_MS); the default stays long, so a big batch on a busy
 * machine is not timed out and sent twice.
 */
export function wire(
  doubles: ProviderDoubles,
  provider: AdsProviderName,
  deps: AdapterDeps = {},
  settings: { customerId?: string; loginCustomerId?: string } = {},
): Wired {
  const sleeps: number[] = [];
  const metrics: RequestMetric[] = [];
  const adapter = createAdapter(
    { provider, baseUrl: doubles.baseUrlFor(provider), customerId: '123-456-7890', ...settings },
    doubles.secrets[provider],
    {
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 0.5,
      onRequest: (m) => metrics.push(m),
      ...deps,
      policy: { timeoutMs: 10_000, ...deps.policy },
    },
  );
  return { adapter, sleeps, metrics };
}

/** Contacts `from` .. `from + count - 1`, identified by `provider`'s adapter. */
export function identifiedContacts(
  doubles: ProviderDoubles,
  provider: AdsProviderName,
  from: number,
  count: number,
): IdentifiedMember[] {
  const { adapter } = wire(doubles, provider);
  return Array.from({ length: count }, (_, i) => adapter.identify(contact(from + i))!);
}

export interface Settled {
  /** Member ids the provider accepted, each once however many tries it took. */
  done: string[];
  /** Members the provider refused for good. */
  refused: { memberId: string; reason: string }[];
  /** Requests (batches) sent, including resends of retryable failures. */
  batches: number;
  /** Members reported done over all batches: equal to `done.length` when none is reported twice. */
  reportedDone: number;
}

/**
 * Adds or removes `members` in batches of `maxBatch`, sending members that failed retryably again
 * (up to `rounds` times), as the sync service does with a redelivered change.
 */
export async function settle(
  adapter: AudienceAdapter,
  op: 'add' | 'remove',
  target: ProviderAudience,
  members: IdentifiedMember[],
  rounds = 5,
): Promise<Settled> {
  const done = new Set<string>();
  const refused: Settled['refused'] = [];
  let pending = members;
  let batches = 0;
  let reportedDone = 0;
  for (let round = 0; round < rounds && pending.length > 0; round++) {
    const retry: IdentifiedMember[] = [];
    for (let i = 0; i < pending.length; i += adapter.maxBatch) {
      const batch = pending.slice(i, i + adapter.maxBatch);
      batches++;
      const outcome = await adapter[op](target, batch);
      reportedDone += outcome.done.length;
      for (const id of outcome.done) done.add(id);
      const byId = new Map(batch.map((m) => [m.memberId, m]));
      for (const f of outcome.failed) {
        if (f.retryable) retry.push(byId.get(f.memberId)!);
        else refused.push({ memberId: f.memberId, reason: f.reason });
      }
    }
    pending = retry;
  }
  if (pending.length > 0) throw new Error(`${pending.length} members still failing after ${rounds} rounds`);
  return { done: [...done], refused, batches, reportedDone };
}

/** The identifiers (as the provider keys them) of identified members. */
export function keysOf(members: IdentifiedMember[], key: string): string[] {
  return members.map((m) => m.ids[key]!).sort();
}
