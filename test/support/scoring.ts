/** Shared fixtures for scorer tests and the scorer benchmark (wiring only: the code under test is the service). */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { RecordingPublisher } from '../../functions/platform/bus';
import { AccountRepository } from '../../functions/platform/store/repository';
import { Table } from '../../functions/platform/store/table';
import { RecordingSequenceControl, type SequenceControl } from '../../functions/platform/sfn';
import { DETAIL_TYPES, SOURCES, type EngagementRecordedDetail } from '../../functions/kernel/events';
import { ManualClock } from '../../functions/kernel/clock';
import type { EngagementType, Role } from '../../functions/kernel/model';
import { scoringConfig, type ResolvedScoringConfig } from '../../functions/scoring/domain/config';
import { createScorer, type SqsRecordLike } from '../../functions/scoring/scorer';
import { DynamoScorerStore } from '../../functions/platform/store/scores';

/** Counts DynamoDB commands by name (a proxy over the document client). */
export function countingClient(client: DynamoDBDocumentClient) {
  const counts: Record<string, number> = {};
  const proxy = new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === 'send') {
        return (command: { constructor: { name: string } }, ...rest: unknown[]) => {
          const name = command.constructor.name;
          counts[name] = (counts[name] ?? 0) + 1;
          return (target.send as (...a: unknown[]) => unknown).call(target, command, ...rest);
        };
      }
      return Reflect.get(target, prop, receiver);
    },
  });
  const writes = () =>
    (counts.PutCommand ?? 0) +
    (counts.UpdateCommand ?? 0) +
    (counts.DeleteCommand ?? 0) +
    (counts.BatchWriteCommand ?? 0);
  const reset = () => Object.keys(counts).forEach((k) => delete counts[k]);
  return { client: proxy, counts, writes, reset };
}

export interface ScorerRig {
  table: Table;
  repo: AccountRepository;
  store: DynamoScorerStore;
  publisher: RecordingPublisher;
  control: RecordingSequenceControl | SequenceControl;
  clock: ManualClock;
  config: ResolvedScoringConfig;
  scorer: ReturnType<typeof createScorer>;
  counter: ReturnType<typeof countingClient>;
}

export function buildRig(
  client: DynamoDBDocumentClient,
  tableName: string,
  options: { control?: SequenceControl; config?: unknown; start?: string } = {},
): ScorerRig & { control: SequenceControl } {
  const counter = countingClient(client);
  const table = new Table(counter.client, tableName);
  const clock = new ManualClock(options.start ?? '2026-11-22T12:00:00.000Z');
  const repo = new AccountRepository(table, { now: () => clock.now() });
  const store = new DynamoScorerStore(table, repo);
  const publisher = new RecordingPublisher();
  const control = options.control ?? new RecordingSequenceControl();
  const config = scoringConfig(options.config ?? {});
  const scorer = createScorer({ store, publisher, control, clock, config });
  return { table, repo, store, publisher, control, clock, config, scorer, counter };
}

export async function seedAccount(
  repo: AccountRepository,
  accountId: string,
  contacts: { contactId: string; role: Role; email?: string }[] = [],
  extra: Record<string, unknown> = {},
) {
  await repo.upsertAccount({
    accountId,
    name: `Account ${accountId}`,
    domain: `${accountId}.example`,
    techStack: [],
    tier: 1,
    ownerSdr: 'sdr-ana',
    ...extra,
  } as never);
  if (contacts.length > 0) {
    await repo.putContacts(
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
