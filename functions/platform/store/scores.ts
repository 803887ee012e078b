/**
 * What the scorer reads and writes, behind a port (`ScorerStore`), with the DynamoDB version built
 * on the shared table wrapper and repository.
 *
 * Per account and batch: ONE Query of the account partition (sk < "TOUCH#": profile, contacts,
 * enrollments, tasks and the SCORE item; the touch log, the one large collection, sorts after and
 * is not read) and ONE conditional put of the SCORE item (version check). A stage change costs one
 * more write (the profile's `stage`), becoming MQA one more (the hot-account task), and ending an
 * enrollment one more per enrollment; all of them are rare.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { keys, SK } from './keys';
import { ConditionFailedError, type Item, type Table } from './table';
import type { AccountRepository } from './repository';
import { Enrollment, Role, SdrTask, Stage, type Condition } from '../../kernel/model';
import type { ScoreState } from '../../scoring/domain/state';
import { ScoreStateSchema } from '../../kernel/score';

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

export interface AccountSnapshot {
  profile?: AccountProfile;
  contacts: Map<string, AccountContact>;
  enrollments: Enrollment[];
  openHotTask?: SdrTask;
  score?: { state: ScoreState; version: number };
}

/** Thrown when the SCORE item changed between the read and the write (retry the account). */
export class ScoreConflictError extends Error {
  constructor(readonly accountId: string) {
    super(`score state of ${accountId} changed concurrently`);
    this.name = 'ScoreConflictError';
  }
}

export interface ScorerStore {
  load(accountId: string): Promise<AccountSnapshot>;
  /** Conditional on the version read (`undefined` = must not exist yet). */
  saveScore(state: ScoreState, expectedVersion: number | undefined, now: Date): Promise<number>;
  setProfileStage(accountId: string, stage: Stage, now: Date): Promise<void>;
  /** Creates the task unless one with its id exists. */
  createTask(task: SdrTask): Promise<boolean>;
  /** Marks an enrollment exited (status, reason, finishedAt; token cleared) if it is still active. */
  markEnrollmentExited(e: Enrollment, reason: string, now: Date): Promise<void>;
  /** The stages a sequence version exits on. */
  exitStages(sequenceId: string, version: number): Promise<readonly Stage[]>;
  /**
   * The account's enrollments, read (strongly consistent) AFTER the score write: the scorer's
   * half of the await race (see `resumeParkedAfterWrite` in scorer.ts). Optional for other stores.
   */
  loadEnrollments?(accountId: string): Promise<Enrollment[]>;
}

export const ACTIVE_ENROLLMENT = new Set(['running', 'waiting', 'paused']);
export const DEFAULT_EXIT_STAGES: readonly Stage[] = ['opportunity', 'customer', 'disqualified'];

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

/** Counters of DynamoDB calls (the benchmark reports writes per event). */
export interface StoreStats {
  queries: number;
  scoreWrites: number;
  otherWrites: number;
  otherReads: number;
}

export class DynamoScorerStore implements ScorerStore {
  readonly stats: StoreStats = { queries: 0, scoreWrites: 0, otherWrites: 0, otherReads: 0 };
  /** Sequence versions are immutable: cache their exit stages for the life of the process. */
  private readonly exitStageCache = new Map<string, readonly Stage[]>();

  constructor(
    private readonly table: Table,
    private readonly repo: AccountRepository,
    private readonly onInvalidItem: (item: Item, error: unknown) => void = () => {},
  ) {}

  async load(accountId: string): Promise<AccountSnapshot> {
    this.stats.queries++;
    const items = await this.table.queryAll(
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
          const seen =
            typeof item.seenIds === 'string' ? (JSON.parse(item.seenIds) as Record<string, number>) : {};
          const state = ScoreStateSchema.parse({ ...(item.state as object), seen }) as ScoreState;
          snapshot.score = { state, version: Number(item.version ?? 0) };
        } else if (sk.startsWith(SK.contactPrefix)) {
          const c = ContactItem.parse(item);
          snapshot.contacts.set(c.contactId, { contactId: c.contactId, role: c.role, email: c.email });
        } else if (sk.startsWith(SK.enrollmentPrefix)) {
          snapshot.enrollments.push(Enrollment.parse(stripKeys(item)));
        } else if (sk.startsWith(SK.taskPrefix) && item.type === 'hot_account' && item.status === 'open') {
          snapshot.openHotTask = SdrTask.parse(stripKeys(item));
        }
      } catch (err) {
        // One bad item must not stop the account's scoring; it is reported, not silently used.
        this.onInvalidItem(item, err);
        if (sk === SK.score) throw err; // never overwrite a score state we could not read
      }
    }
    return snapshot;
  }

  async saveScore(state: ScoreState, expectedVersion: number | undefined, now: Date): Promise<number> {
    const key = keys.score(state.accountId);
    const version = (expectedVersion ?? 0) + 1;
    this.stats.scoreWrites++;
    try {
      await this.table.put(
        {
          ...key,
          entity: 'score',
          accountId: state.accountId,
          // The dedup ids travel as ONE string attribute: thousands of map entries would cost far more
          // to marshal and parse on every read and write than one JSON string of the same size.
          state: { ...state, seen: undefined },
          seenIds: JSON.stringify(state.seen),
          // Mirrors for humans and for the API's list views.
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

  async setProfileStage(accountId: string, stage: Stage, now: Date): Promise<void> {
    this.stats.otherWrites++;
    try {
      // An update, not a read-modify-write: it cannot clobber concurrent profile edits, and it keeps
      // the profile's optimistic-concurrency version moving so versioned writers notice.
      await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.account(accountId),
          UpdateExpression: 'SET #stage = :stage, #updatedAt = :now ADD #version :one',
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: {
            '#stage': 'stage',
            '#updatedAt': 'updatedAt',
            '#version': 'version',
            '#pk': 'pk',
          },
          ExpressionAttributeValues: { ':stage': stage, ':now': now.toISOString(), ':one': 1 },
        }),
      );
    } catch (err) {
      // No profile (events for an account not imported yet): the stage lives in the SCORE item.
      if ((err as { name?: string }).name !== 'ConditionalCheckFailedException') throw err;
    }
  }

  async createTask(task: SdrTask): Promise<boolean> {
    this.stats.otherWrites++;
    return (await this.repo.putTask(task)).created;
  }

  async markEnrollmentExited(e: Enrollment, reason: string, now: Date): Promise<void> {
    this.stats.otherWrites++;
    await this.repo.updateEnrollment(e.accountId, e.campaignId, (current) => {
      if (current.executionName !== e.executionName || !ACTIVE_ENROLLMENT.has(current.status))
        return undefined;
      const { taskToken: _t, waitingFor: _w, ...rest } = current;
      return {
        ...rest,
        status: 'exited',
        reason,
        finishedAt: now.toISOString(),
        updatedAt: now.toISOString(),
      };
    });
  }

  async loadEnrollments(accountId: string): Promise<Enrollment[]> {
    this.stats.otherReads++;
    const items = await this.table.queryAll(
      { pk: keys.accountPartition(accountId), sk: { beginsWith: SK.enrollmentPrefix }, consistent: true },
      { maxItems: 1000 },
    );
    const out: Enrollment[] = [];
    for (const item of items) {
      const parsed = Enrollment.safeParse(stripKeys(item));
      if (parsed.success) out.push(parsed.data);
      else this.onInvalidItem(item, parsed.error);
    }
    return out;
  }

  async exitStages(sequenceId: string, version: number): Promise<readonly Stage[]> {
    const cacheKey = `${sequenceId}@${version}`;
    const cached = this.exitStageCache.get(cacheKey);
    if (cached) return cached;
    this.stats.otherReads++;
    const sequence = await this.repo.getSequence(sequenceId, version);
    const stages = sequence?.exitWhen?.stages ?? DEFAULT_EXIT_STAGES;
    if (sequence) this.exitStageCache.set(cacheKey, stages);
    return stages;
  }
}

function stripKeys(item: Item): Item {
  const {
    pk: _pk,
    sk: _sk,
    gsi1pk: _a,
    gsi1sk: _b,
    gsi2pk: _c,
    gsi2sk: _d,
    ttl: _ttl,
    entity: _e,
    ...rest
  } = item;
  return rest;
}

export type { Condition };
