/**
 * The SCORE item of an account partition, and the one codec that reads and writes it: the scorer
 * (its state, and the account snapshot it folds against), the engine (conditions on the account's
 * facts) and the API and reports (the account view, score histories) all go through here.
 *
 * Item shape: `state` (the ScoreState without its dedup ids), `seenIds` (the dedup ids as ONE
 * JSON string: thousands of map entries would cost far more to marshal and parse on every read
 * and write than one string of the same size), mirrors for humans and list views (`score`,
 * `asOf` as ISO, `stage`), `updatedAt` and the optimistic-concurrency `version`.
 *
 * The scorer's per-account cost: ONE Query of the account partition (sk < "TOUCH#": profile,
 * contacts, enrollments, tasks and the SCORE item; the touch log, the one large collection, sorts
 * after and is not read) and ONE conditional put of the SCORE item.
 */
import * as z from 'zod';
import { Enrollment, Role, SdrTask, Stage } from '../../kernel/model';
import { decaysToOneAt, ScoreStateSchema, type ScoreState, type ScoreStage } from '../../kernel/score';
import { decode, keyOf, Repository, StoredItemInvalidError, type RepositoryOptions } from './codec';
import * as keys from './keys';
import { SK } from './keys';
import { ConditionFailedError, type Item, batchGet, getItem, putItem, queryAll, queryPage } from './table';

export interface StoredScore {
  state: ScoreState;
  version: number;
  /** When the scorer last wrote it (ISO). */
  updatedAt?: string;
}

export interface AccountContact {
  contactId: string;
  role?: Role;
  email?: string;
}

export interface AccountProfile {
  accountId: string;
  stage: Stage;
  ownerSdr?: string;
  tier?: number;
  name?: string;
}

/** What the scorer folds an account's events against: one query of the account partition. */
export interface AccountSnapshot {
  profile?: AccountProfile;
  contacts: Map<string, AccountContact>;
  enrollments: Enrollment[];
  openHotTask?: SdrTask;
  score?: StoredScore;
}

/** Thrown when the SCORE item changed between the read and the write (retry the account). */
export class ScoreConflictError extends Error {
  constructor(readonly accountId: string) {
    super(`score state of ${accountId} changed concurrently`);
    this.name = 'ScoreConflictError';
  }
}

const ContactItem = z.looseObject({
  contactId: z.string(),
  role: Role.optional(),
  email: z.string().optional(),
});
const ProfileItem = z.looseObject({
  accountId: z.string(),
  stage: Stage.default('target'),
  ownerSdr: z.string().optional(),
  tier: z.number().optional(),
  name: z.string().optional(),
});
const ScoreItem = z.looseObject({
  state: z.record(z.string(), z.unknown()),
  seenIds: z.string().optional(),
  version: z.number().int().nonnegative().default(0),
  updatedAt: z.string().optional(),
});

/** Reads a SCORE item: its state (with the dedup ids), version and time. */
export function decodeScoreItem(item: Item): StoredScore {
  const envelope = ScoreItem.safeParse(item);
  if (!envelope.success) throw new StoredItemInvalidError(keyOf(item), envelope.error.issues);
  let seen: unknown = {};
  try {
    seen = envelope.data.seenIds === undefined ? {} : JSON.parse(envelope.data.seenIds);
  } catch (err) {
    throw new StoredItemInvalidError(keyOf(item), [{ path: ['seenIds'], message: String(err) }]);
  }
  const state = ScoreStateSchema.safeParse({ ...envelope.data.state, seen });
  if (!state.success) throw new StoredItemInvalidError(keyOf(item), state.error.issues);
  return {
    state: state.data as ScoreState,
    version: envelope.data.version,
    updatedAt: envelope.data.updatedAt,
  };
}

export interface ScoreRepositoryOptions extends RepositoryOptions {
  /** Told about an item of the partition that does not parse (it is then left out of the snapshot). */
  onInvalidItem?: (item: Item, error: unknown) => void;
}

/** The read every reader of the SCORE item makes: the account's score. */
export class ScoreGetter extends Repository {
  /** The account's score (strongly consistent unless asked otherwise); undefined before any engagement. */
  async get(accountId: string, options: { consistent?: boolean } = {}): Promise<StoredScore | undefined> {
    const item = await getItem(this.table, keys.score(accountId), { consistent: options.consistent ?? true });
    return item ? decodeScoreItem(item) : undefined;
  }
}

/**
 * The reads of the SCORE item an account's facts need (the engine, the park). A class of its own
 * so the functions that never fold carry neither the scorer's snapshot nor its write.
 */
export class ScoreReader extends ScoreGetter {
  /**
   * The score with the profile's stage (the facts of an account), in one BatchGetItem, strongly
   * consistent; `profile: false` when the account has no profile.
   */
  async getWithStage(
    accountId: string,
  ): Promise<{ profile: false } | { profile: true; stage: Stage; score?: StoredScore }> {
    const items = await batchGet(this.table, [keys.score(accountId), keys.account(accountId)], {
      consistent: true,
    });
    const profile = items.find((i) => i.sk === SK.profile);
    if (!profile) return { profile: false };
    const scoreItem = items.find((i) => i.sk === SK.score);
    return {
      profile: true,
      stage: ProfileItem.parse(profile).stage,
      score: scoreItem ? decodeScoreItem(scoreItem) : undefined,
    };
  }
}

/**
 * The reads that show scores to people (the account view, the campaign report): the score and the
 * score histories. A class of its own so the API's bundle carries neither the engine's read nor
 * the scorer's snapshot and write.
 */
export class ScoreHistoryReader extends ScoreGetter {
  /**
   * The score history of these accounts (BatchGetItem, 100 keys per call, projecting only the
   * history: the dedup ids stay unread), in the order asked. Accounts never scored are left out.
   */
  /**
   * The score at its `asOf` (epoch ms) of each of these accounts (BatchGetItem, 100 keys per call,
   * projecting those two numbers): what sorting and filtering a list by score needs. Accounts never
   * scored are absent.
   */
  async summaries(accountIds: readonly string[]): Promise<Map<string, { score: number; asOf?: number }>> {
    const items = await batchGet(
      this.table,
      [...new Set(accountIds)].map((id) => keys.score(id)),
      { projection: ['accountId', 'state.score', 'state.asOf'] },
    );
    const out = new Map<string, { score: number; asOf?: number }>();
    for (const item of items) {
      const state = item.state as { score?: unknown; asOf?: unknown } | undefined;
      if (typeof item.accountId !== 'string' || typeof state?.score !== 'number') continue;
      out.set(item.accountId, {
        score: state.score,
        asOf: typeof state.asOf === 'number' ? state.asOf : undefined,
      });
    }
    return out;
  }

  async histories(
    accountIds: readonly string[],
  ): Promise<{ accountId: string; points: { at: string; value: number }[] }[]> {
    const items = await batchGet(
      this.table,
      accountIds.map((id) => keys.score(id)),
      { projection: ['accountId', 'state.history'] },
    );
    const byAccount = new Map<string, { at: string; value: number }[]>();
    for (const item of items) {
      const history = (item.state as { history?: unknown } | undefined)?.history;
      if (typeof item.accountId !== 'string' || !Array.isArray(history)) continue;
      byAccount.set(
        item.accountId,
        history
          .filter(
            (p): p is { at: number; value: number } =>
              typeof p?.at === 'number' && typeof p?.value === 'number',
          )
          .map((p) => ({ at: new Date(p.at).toISOString(), value: p.value })),
      );
    }
    return accountIds.flatMap((accountId) => {
      const points = byAccount.get(accountId);
      return points && points.length > 0 ? [{ accountId, points }] : [];
    });
  }
}

/** The scorer's reads and write of the SCORE item: the score, its snapshot and its one write (and histories). */
export class ScoreRepository extends ScoreHistoryReader {
  private readonly onInvalidItem: (item: Item, error: unknown) => void;

  constructor(table: ConstructorParameters<typeof Repository>[0], options: ScoreRepositoryOptions = {}) {
    super(table, options);
    this.onInvalidItem = options.onInvalidItem ?? (() => undefined);
  }

  /**
   * The scorer's read: the account partition up to the touch log, strongly consistent. One bad item
   * does not stop the account's scoring: it is reported and left out; a SCORE item that cannot be
   * read throws (a state we could not read is never overwritten).
   */
  async loadAccount(accountId: string): Promise<AccountSnapshot> {
    const items = await queryAll(
      this.table,
      { pk: keys.accountPartition(accountId), sk: { lt: SK.touchPrefix }, consistent: true },
      { maxItems: 20_000 },
    );
    const snapshot: AccountSnapshot = { contacts: new Map(), enrollments: [] };
    for (const item of items) {
      const sk = String(item.sk);
      try {
        if (sk === SK.profile) {
          snapshot.profile = ProfileItem.parse(item);
        } else if (sk === SK.score) {
          snapshot.score = decodeScoreItem(item);
        } else if (sk.startsWith(SK.contactPrefix)) {
          const c = ContactItem.parse(item);
          snapshot.contacts.set(c.contactId, { contactId: c.contactId, role: c.role, email: c.email });
        } else if (sk.startsWith(SK.enrollmentPrefix)) {
          snapshot.enrollments.push(decode(Enrollment, item));
        } else if (sk.startsWith(SK.taskPrefix) && item.type === 'hot_account' && item.status === 'open') {
          snapshot.openHotTask = decode(SdrTask, item);
        }
      } catch (err) {
        this.onInvalidItem(item, err);
        if (sk === SK.score) throw err;
      }
    }
    return snapshot;
  }

  /**
   * The one write of a fold: conditional on the version read (`undefined` = must not exist yet).
   * While the score stage can decay out (`engaged`, `mqa`), the item carries its decay-index entry
   * (keys.scoreDecayItem), computed with the scorer's half-life.
   */
  async save(
    state: ScoreState,
    expectedVersion: number | undefined,
    now: Date,
    halfLifeMs: number,
  ): Promise<number> {
    const version = (expectedVersion ?? 0) + 1;
    const decays = state.scoreStage !== 'target' && state.asOf !== undefined && state.score > 0;
    try {
      await putItem(
        this.table,
        {
          ...keys.score(state.accountId),
          ...(decays
            ? keys.scoreDecayItem(
                state.accountId,
                state.scoreStage,
                decaysToOneAt(state.score, state.asOf!, halfLifeMs),
              )
            : {}),
          entity: 'score',
          accountId: state.accountId,
          state: { ...state, seen: undefined },
          seenIds: JSON.stringify(state.seen),
          score: state.score,
          asOf: state.asOf === undefined ? undefined : new Date(state.asOf).toISOString(),
          stage: state.stage,
          updatedAt: now.toISOString(),
          version,
        },
        {
          condition:
            expectedVersion === undefined
              ? { expression: 'attribute_not_exists(#pk)', names: { '#pk': 'pk' } }
              : { expression: '#v = :v', names: { '#v': 'version' }, values: { ':v': expectedVersion } },
        },
      );
    } catch (err) {
      if (err instanceof ConditionFailedError) throw new ScoreConflictError(state.accountId);
      throw err;
    }
    return version;
  }
}

/**
 * The decay index of the SCORE items (keys.scoreDecayItem): the accounts whose score has decayed
 * below a stage's floor, found with one range query per stage and shard, a page at a time, reading
 * nothing but the index entries that match. A class of its own: the re-score's bundle carries no
 * score codec.
 */
export class ScoreDecayIndex extends Repository {
  /**
   * The ids of the accounts in `scoreStage` whose score is below `floor` at `now`, a page per yield
   * (every shard in turn; `pageSize` entries at most per page).
   */
  async *decayedBelow(
    scoreStage: Exclude<ScoreStage, 'target'>,
    floor: number,
    now: number,
    halfLifeMs: number,
    pageSize = 1000,
  ): AsyncGenerator<string[]> {
    const before = decaysToOneAt(floor, now, halfLifeMs);
    for (let shard = 0; shard < keys.SCORE_SHARDS; shard++) {
      const { query, lt } = keys.scoresDecayedBefore(scoreStage, shard, before);
      let cursor: string | undefined;
      do {
        const page = await queryPage(this.table, {
          ...query,
          sk: { lt },
          limit: pageSize,
          cursor,
          projection: ['accountId'],
        });
        yield page.items.map((i) => String(i.accountId));
        cursor = page.cursor;
      } while (cursor);
    }
  }
}
