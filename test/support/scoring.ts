/** Shared fixtures for scorer tests and the scorer benchmark (wiring only: the code under test is the service). */
import { DETAIL_TYPES, SOURCES, type EngagementRecordedDetail } from '../../functions/kernel/events';
import { ManualClock } from '../../functions/kernel/clock';
import type { EngagementType, Role } from '../../functions/kernel/model';
import { RecordingPublisher } from '../../functions/platform/recorders';
import { compose, type Platform } from '../../functions/platform/compose';
import { type SequenceControl } from '../../functions/platform/sfn';
import { RecordingSequenceControl } from '../../functions/platform/recorders';
import type { Store } from '../../functions/platform/store';
import type { FifoMessage, FifoSender } from '../../functions/platform/sqs';
import { countingClient, Table } from '../../functions/platform/store/table';
import { storeOf } from '../../functions/platform/store-of';
import { emptyScoreState, type ScoreState } from '../../functions/scoring/domain';
import type { ResolvedScoringConfig } from '../../functions/scoring/domain/config';
import { scorerFeature, type ScorerDeps, type SqsRecordLike } from '../../functions/scoring/scorer';

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
  options: {
    control?: SequenceControl;
    config?: unknown;
    start?: string;
    /** Options of the scorer (e.g. its concurrency). */
    scorer?: Partial<ScorerDeps>;
  } = {},
): ScorerRig {
  const counter = countingClient(client);
  const table = new Table(counter.client, tableName);
  const clock = new ManualClock(options.start ?? '2026-11-22T12:00:00.000Z');
  const publisher = new RecordingPublisher();
  const control = options.control ?? new RecordingSequenceControl();
  const platform = compose(
    { tableName, scoring: options.config ?? {} },
    { scorer: (p: Platform) => scorerFeature(p, options.scorer) },
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

/**
 * The scorer's FIFO queue as a recorder: keeps what is sent (SendMessageBatch's 10-entry limit
 * checked), and hands it over as the SQS records the scorer's event source would deliver.
 */
export class RecordingFifo implements FifoSender {
  readonly sent: FifoMessage[] = [];
  batches = 0;
  private taken = 0;

  async sendBatch(messages: FifoMessage[]): Promise<string[]> {
    if (messages.length === 0 || messages.length > 10) throw new Error(`batch of ${messages.length}`);
    if (new Set(messages.map((m) => m.id)).size !== messages.length) throw new Error('duplicate entry ids');
    this.batches++;
    this.sent.push(...messages);
    return [];
  }

  /** The messages sent since the last take, as SQS records (message group = the FIFO group). */
  take(): SqsRecordLike[] {
    const out = this.sent.slice(this.taken).map((m, i) => ({
      messageId: `fifo-${this.taken + i}`,
      body: m.body,
      attributes: { MessageGroupId: m.groupId },
    }));
    this.taken = this.sent.length;
    return out;
  }
}

/**
 * Seeds `n` accounts for the re-score (its test and its benchmark): a profile and a SCORE item each
 * (written through the codec, so with their decay-index entry); 40% mqa (score 100), 40% engaged
 * (score 20), 20% target, each last scored 0..39 days (+ half a day) before the rig's now. Returns
 * the accounts whose score is below their stage's floor now (mqa: 48, engaged: 8), computed here
 * from the decay formula, independently of the index.
 */
export async function seedScoredAccounts(rig: ScorerRig, n: number): Promise<Set<string>> {
  const DAY = 86_400_000;
  const now = rig.clock.now().getTime();
  const due = new Set<string>();
  const states: ScoreState[] = Array.from({ length: n }, (_, i) => {
    const accountId = `acct-${String(i).padStart(6, '0')}`;
    const stage = i % 5 < 2 ? 'mqa' : i % 5 < 4 ? 'engaged' : 'target';
    const score = stage === 'mqa' ? 100 : stage === 'engaged' ? 20 : 5;
    const asOf = now - ((i * 7) % 40) * DAY - DAY / 2;
    const floor = stage === 'mqa' ? 48 : stage === 'engaged' ? 8 : 0;
    if (score * 2 ** (-(now - asOf) / rig.config.halfLifeMs) < floor) due.add(accountId);
    return { ...emptyScoreState(accountId, stage), score, asOf, latestAt: asOf };
  });
  const at = new Date(now).toISOString();
  await rig.store.accounts.writeNew(
    states.map((s) => ({
      accountId: s.accountId,
      name: s.accountId,
      domain: `${s.accountId}.example`,
      tier: 3,
      stage: s.stage,
      techStack: [],
      suppressed: false,
      directMailSpentCents: 0,
      createdAt: at,
      updatedAt: at,
      version: 1,
    })) as never,
    [],
  );
  for (let i = 0; i < n; i += 50)
    await Promise.all(
      states
        .slice(i, i + 50)
        .map((s) => rig.store.scores.save(s, undefined, rig.clock.now(), rig.config.halfLifeMs)),
    );
  return due;
}
