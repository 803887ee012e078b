/** Shared fixtures for scorer tests and the scorer benchmark (wiring only: the code under test is the service). */
import { DETAIL_TYPES, SOURCES, type EngagementRecordedDetail } from '../../functions/kernel/events';
import { ManualClock } from '../../functions/kernel/clock';
import type { EngagementType, Role } from '../../functions/kernel/model';
import { RecordingPublisher } from '../../functions/platform/recorders';
import { compose, type Platform } from '../../functions/platform/compose';
import { type SequenceControl } from '../../functions/platform/sfn';
import { RecordingSequenceControl } from '../../functions/platform/recorders';
import type { Store } from '../../functions/platform/store';
import { countingClient, Table } from '../../functions/platform/store/table';
import { storeOf } from '../../functions/platform/store-of';
import type { ResolvedScoringConfig } from '../../functions/scoring/domain/config';
import { scorerFeature, type SqsRecordLike } from '../../functions/scoring/scorer';

export { countingClient };

export interface ScorerRig {
  platform: Platform;
  table: Table;
  store: Store;
  publisher: RecordingPublisher;
  control: SequenceControl;
  clock: ManualClock;
  config: ResolvedScoringConfig;
  scorer: ReturnType<typeof scorerFeature>;
  counter: ReturnType<typeof countingClient>;
}

/** The scorer composed over a table, with a recording bus and Step Functions, counting DynamoDB calls. */
export function buildRig(
  client: Parameters<typeof countingClient>[0],
  tableName: string,
  options: { control?: SequenceControl; config?: unknown; start?: string } = {},
): ScorerRig {
  const counter = countingClient(client);
  const table = new Table(counter.client, tableName);
  const clock = new ManualClock(options.start ?? '2026-11-22T12:00:00.000Z');
  const publisher = new RecordingPublisher();
  const control = options.control ?? new RecordingSequenceControl();
  const platform = compose(
    { tableName, scoring: options.config ?? {} },
    { scorer: scorerFeature },
    { table, clock, publisher, control },
  );
  const scorer = platform.scorer;
  return {
    platform,
    table,
    store: storeOf(platform),
    publisher,
    control,
    clock,
    config: scorer.config,
    scorer,
    counter,
  };
}

export async function seedAccount(
  store: Store,
  accountId: string,
  contacts: { contactId: string; role: Role; email?: string }[] = [],
  extra: Record<string, unknown> = {},
) {
  await store.accounts.upsert({
    accountId,
    name: `Account ${accountId}`,
    domain: `${accountId}.example`,
    techStack: [],
    tier: 1,
    ownerSdr: 'sdr-ana',
    ...extra,
  } as never);
  if (contacts.length > 0) {
    await store.accounts.putContacts(
      accountId,
      contacts.map((c) => ({
        accountId,
        contactId: c.contactId,
        name: c.contactId,
        role: c.role,
        email: c.email ?? `${c.contactId}@${accountId}.example`,
        timeZone: 'UTC',
        consent: { email: true, ads: true, directMail: true },
      })),
    );
  }
}

export function detail(
  accountId: string,
  eventId: string,
  type: EngagementType,
  occurredAt: string | number,
  extra: Partial<EngagementRecordedDetail> = {},
): EngagementRecordedDetail {
  return {
    eventId,
    accountId,
    type,
    occurredAt: new Date(occurredAt).toISOString(),
    origin: 'api',
    properties: {},
    ...extra,
  };
}

let seq = 0;
/** One SQS record carrying one EventBridge event (as the rule delivers it). */
export function ebRecord(d: EngagementRecordedDetail): SqsRecordLike {
  seq++;
  return {
    messageId: `msg-${seq}`,
    body: JSON.stringify({
      version: '0',
      id: `eb-${seq}`,
      source: SOURCES.ingest,
      'detail-type': DETAIL_TYPES.engagementRecorded,
      detail: d,
    }),
    attributes: { MessageGroupId: d.accountId },
  };
}

/** One SQS record as the enqueuer builds it: many events of one account. */
export function envelopeRecord(accountId: string, events: EngagementRecordedDetail[]): SqsRecordLike {
  seq++;
  return {
    messageId: `msg-${seq}`,
    body: JSON.stringify({ accountId, events }),
    attributes: { MessageGroupId: accountId },
  };
}

/** Exact offline score: sum of w_i 2^-((T - t_i)/h) over distinct events, at T. */
export function exactScore(events: { at: number; weight: number }[], T: number, halfLifeMs: number): number {
  // Sum smallest magnitudes first (Kahan-compensated) for a reference more exact than the fold.
  let sum = 0;
  let c = 0;
  const terms = events
    .map((e) => e.weight * 2 ** (-(T - e.at) / halfLifeMs))
    .sort((a, b) => Math.abs(a) - Math.abs(b));
  for (const t of terms) {
    const y = t - c;
    const s = sum + y;
    c = s - sum - y;
    sum = s;
  }
  return sum;
}

/** Deterministic PRNG (mulberry32). */
export function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(items: T[], random: () => number): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}
