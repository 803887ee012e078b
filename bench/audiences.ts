/**
 * Ad audiences end to end at the adapter level: 10,000 contacts (2,000 accounts of 5) added to a
 * LinkedIn, a Google and a Meta audience (and the 2,000 accounts to a LinkedIn company list), then
 * 1,000 contacts removed from all three, through the real adapters and HTTP client against the
 * in-process doubles over 127.0.0.1, with 5% of requests answered 429 (`Retry-After: 1`).
 *
 * Batches are the adapters' `maxBatch` (what the sync service sends once it has coalesced a
 * change set); members that fail retryably are sent again (test/support/ads.ts `settle`). The
 * HTTP client's waits are real but scaled by SLEEP_SCALE (a 1 s Retry-After sleeps 10 ms), so the
 * figures measure requests and payloads, not the provider's back-off.
 *
 * requests: per provider, every HTTP request including 429s, retries and Google's token refresh
 * (median of the runs); membersPerRequest: member changes (adds + removes) per request.
 * lost: intended members the provider does not hold, plus members it holds that it should not
 * (`extra`, reported too); duplicates: members reported done more than once by the adapters plus
 * identifiers a double lists twice. Seconds: median of RUNS runs, with the spread.
 *
 *   npm run bench -- audiences
 */
import type { AdsProviderName, IdentifiedMember, ProviderAudience } from '../functions/ads/port';
import { startProviderDoubles } from '../lib/local/doubles';
import { contact, settle, wire } from '../test/support/ads';

const CONTACTS = 10_000;
const REMOVED = 1_000;
const THROTTLE_RATE = 0.05;
const SLEEP_SCALE = 0.01;
const RUNS = 3;
const PROVIDERS: AdsProviderName[] = ['linkedin', 'google', 'meta'];

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

interface RunResult {
  seconds: number;
  requests: Record<string, number>;
  throttled: Record<string, number>;
  memberChanges: Record<string, number>;
  lost: number;
  extra: number;
  duplicates: number;
}

/** Adds or removes in groups of `group` members (one account's committee), or in full batches. */
async function settleAll(
  adapter: Parameters<typeof settle>[0],
  op: 'add' | 'remove',
  target: ProviderAudience,
  members: IdentifiedMember[],
  group: number | undefined,
) {
  if (!group) return settle(adapter, op, target, members);
  const total = { done: [] as string[], reportedDone: 0 };
  for (let i = 0; i < members.length; i += group) {
    const r = await settle(adapter, op, target, members.slice(i, i + group));
    total.done.push(...r.done);
    total.reportedDone += r.reportedDone;
  }
  return total;
}

async function runOnce(seed: number, group?: number): Promise<RunResult> {
  const doubles = await startProviderDoubles({ seed });
  try {
    doubles.faults.retryAfterSeconds = 1;
    for (const p of PROVIDERS) doubles.faults.rate(p, { throttle: THROTTLE_RATE });
    const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms * SLEEP_SCALE));
    const contacts = Array.from({ length: CONTACTS }, (_, i) => contact(i));
    const accounts = [...new Set(contacts.map((c) => c.accountId))];

    const result: RunResult = {
      seconds: 0,
      requests: {},
      throttled: {},
      memberChanges: {},
      lost: 0,
      extra: 0,
      duplicates: 0,
    };
    const started = performance.now();
    await Promise.all(
      PROVIDERS.map(async (provider) => {
        const { adapter, metrics } = wire(doubles, provider, { sleep, random: Math.random });
        const targets: {
          target: ProviderAudience;
          members: IdentifiedMember[];
          key: string;
          leaving: number;
        }[] = [
          {
            target: { audience: 'bench', kind: 'contact', listId: '1001' },
            members: contacts.map((c) => adapter.identify(c)!),
            key: { linkedin: 'SHA256_EMAIL', google: 'emailAddress', meta: 'EMAIL_SHA256' }[provider],
            leaving: REMOVED,
          },
        ];
        if (adapter.kinds.includes('company'))
          targets.push({
            target: { audience: 'bench', kind: 'company', listId: '2001' },
            members: accounts.map((a) =>
              adapter.identify({ kind: 'company', memberId: a, name: a, domain: `${a}.example` })!,
            ),
            key: 'companyWebsiteDomain',
            leaving: 0,
          });
        let changes = 0;
        for (const { target, members, key, leaving } of targets) {
          const added = await settleAll(adapter, 'add', target, members, group);
          const gone = members.slice(0, leaving);
          const removed = leaving > 0 ? await settleAll(adapter, 'remove', target, gone, group) : undefined;
          changes += members.length + gone.length;
          const intended = new Set(members.slice(leaving).map((m) => m.ids[key]!));
          const held = doubles.members(provider, target.listId);
          result.lost += [...intended].filter((k) => !held.includes(k)).length;
          result.extra += held.filter((k) => !intended.has(k)).length;
          result.duplicates +=
            added.reportedDone -
            added.done.length +
            (removed ? removed.reportedDone - removed.done.length : 0);
        }
        result.requests[provider] = metrics.length;
        result.throttled[provider] = metrics.filter((m) => m.throttled).length;
        result.memberChanges[provider] = changes;
      }),
    );
    result.seconds = (performance.now() - started) / 1000;
    for (const p of doubles.snapshot().providers)
      for (const a of p.audiences) result.duplicates += a.added.length - new Set(a.added).size;
    return result;
  } finally {
    await doubles.close();
  }
}

async function measure(group: number | undefined) {
  const runs: RunResult[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await runOnce(1000 + i, group);
    process.stderr.write(
      `  ${group ? `per account (${group})` : 'coalesced'} run ${i + 1}: ${r.seconds.toFixed(2)} s, requests ${JSON.stringify(r.requests)}, throttled ${JSON.stringify(r.throttled)}\n`,
    );
    runs.push(r);
  }
  const requests = Object.fromEntries(PROVIDERS.map((p) => [p, median(runs.map((r) => r.requests[p]!))]));
  const seconds = runs.map((r) => r.seconds);
  const sum = (pick: (r: RunResult) => number) => runs.reduce((s, r) => s + pick(r), 0);
  const lost = sum((r) => r.lost + r.extra);
  const duplicates = sum((r) => r.duplicates);
  return {
    removed: REMOVED,
    requests,
    membersPerRequest: Object.fromEntries(
      PROVIDERS.map((p) => [p, Math.round((runs[0]!.memberChanges[p]! / requests[p]!) * 10) / 10]),
    ),
    throttled: Object.fromEntries(PROVIDERS.map((p) => [p, sum((r) => r.throttled[p] ?? 0)])),
    throttleRate: THROTTLE_RATE,
    retryAfterSeconds: 1,
    sleepScale: SLEEP_SCALE,
    lost,
    extra: sum((r) => r.extra),
    duplicates,
    seconds: Math.round(median(seconds) * 100) / 100,
    secondsRange: [Math.min(...seconds), Math.max(...seconds)].map((s) => Math.round(s * 100) / 100),
  };
}

export async function run(): Promise<Record<string, unknown>> {
  const coalesced = await measure(undefined);
  // The same change set sent one account (5 contacts) per request, as without coalescing: many
  // more requests, so the 5% of 429s are actually met.
  const perAccount = await measure(5);
  const { lost, duplicates } = coalesced;
  return {
    members: CONTACTS,
    ...coalesced,
    perAccount,
    runs: RUNS,
    withinTarget: lost === 0 && duplicates === 0 && perAccount.lost === 0 && perAccount.duplicates === 0,
  };
}
