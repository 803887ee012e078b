/**
 * The sender reputation breaker's storage (docs/architecture.md "Sender reputation", "Data model"):
 * per sending domain, one counter item per hour and one state item, in the partition
 * `SENDING#<domain>`.
 *
 * - Sends are counted by the engine, once per email SES accepted (ADD `sends`).
 * - Hard bounces and complaints are counted from SES events, which SES and EventBridge may deliver
 *   more than once. The count is idempotent on the event id: one UpdateItem adds 1 to the counter
 *   and the id's digest to a string set of the bucket, on the condition that the set does not hold
 *   it yet, so a redelivery changes nothing (no read first, no second item). Digests are 16
 *   characters: an hour bucket holds some 20,000 of them within DynamoDB's 400 KB item limit.
 * - The state item is paused by one conditional write per trip (only the call that moves it from
 *   active to paused is told so: one event, one alarm) and resumed by an operator.
 */
import { createHash } from 'node:crypto';
import {
  hourOf,
  SendingDomainState,
  type SendingCounts,
  type SendingDomainState as State,
} from '../../kernel/reputation';
import { Repository } from './codec';
import * as keys from './keys';
import { TTL_ATTRIBUTE } from './table-definition';
import { batchGet, ConditionFailedError, putItem, updateItem, type Condition } from './table';

/** Hour buckets outlive the longest window (`windowHours` is at most 168) and then expire. */
export const SENDING_HOUR_TTL_DAYS = 8;

export type Feedback = 'bounce' | 'complaint';

const COUNTERS = {
  bounce: { counter: 'bounces', ids: 'bounceIds' },
  complaint: { counter: 'complaints', ids: 'complaintIds' },
} as const;

const digest = (eventId: string) => createHash('sha256').update(eventId).digest('base64url').slice(0, 16);

const num = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

export class SendingReputationRepository extends Repository {
  /** The attributes every write to an hour bucket sets (it may be the bucket's first). */
  private bucket(domain: string, at: Date) {
    const hour = hourOf(at);
    const ttl = Math.floor(at.getTime() / 1000) + SENDING_HOUR_TTL_DAYS * 86_400;
    return {
      key: keys.sendingHour(domain, hour),
      set: { entity: 'sendingHour', domain, hour, [TTL_ATTRIBUTE]: ttl },
    };
  }

  /** One email of the domain accepted by SES at `at`. */
  async countSend(domain: string, at: Date): Promise<void> {
    const { key, set } = this.bucket(domain, at);
    await updateItem(this.table, key, { set, add: { sends: 1 } });
  }

  /**
   * A hard bounce or a complaint, counted once per event id in the hour of `at`; false when this
   * event was counted already (a redelivery).
   */
  async countFeedback(domain: string, kind: Feedback, eventId: string, at: Date): Promise<boolean> {
    const { counter, ids } = COUNTERS[kind];
    const { key, set } = this.bucket(domain, at);
    const id = digest(eventId);
    try {
      await updateItem(
        this.table,
        key,
        { set, add: { [counter]: 1, [ids]: new Set([id]) } },
        {
          condition: { expression: 'NOT contains(#ids, :id)', names: { '#ids': ids }, values: { ':id': id } },
        },
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionFailedError) return false;
      throw err;
    }
  }

  /** The sums of the hour buckets named, less the baseline a resume left in its hour. */
  async counts(
    domain: string,
    hours: readonly string[],
    baseline?: State['baseline'],
  ): Promise<SendingCounts> {
    const items = await batchGet(
      this.table,
      hours.map((h) => keys.sendingHour(domain, h)),
      { consistent: true, projection: ['hour', 'sends', 'bounces', 'complaints'] },
    );
    const total: SendingCounts = { sends: 0, bounces: 0, complaints: 0 };
    for (const item of items) {
      const before = baseline && item.hour === baseline.hour ? baseline : undefined;
      total.sends += Math.max(0, num(item.sends) - (before?.sends ?? 0));
      total.bounces += Math.max(0, num(item.bounces) - (before?.bounces ?? 0));
      total.complaints += Math.max(0, num(item.complaints) - (before?.complaints ?? 0));
    }
    return total;
  }

  /** The domain's breaker; undefined for a domain never paused. */
  async state(domain: string): Promise<State | undefined> {
    return this.getParsed(keys.sendingState(domain), SendingDomainState);
  }

  /** Pauses the domain; true only for the call that moved it from active (or never paused) to paused. */
  async pause(state: State & { status: 'paused' }): Promise<boolean> {
    return this.write(SendingDomainState.parse(state), {
      expression: 'attribute_not_exists(#pk) OR #status <> :paused',
      names: { '#pk': 'pk', '#status': 'status' },
      values: { ':paused': 'paused' },
    });
  }

  /**
   * Resumes a paused domain at `at`: the window then starts at the resume (its hour's counts so far
   * kept as the baseline). Returns the paused state it ended, or undefined when it was not paused.
   */
  async resume(domain: string, at: Date): Promise<{ paused: State; resumed: State } | undefined> {
    const paused = await this.state(domain);
    if (paused?.status !== 'paused') return undefined;
    const hour = hourOf(at);
    const resumed = SendingDomainState.parse({
      domain: paused.domain,
      status: 'active',
      resumedAt: at.toISOString(),
      baseline: { hour, ...(await this.counts(domain, [hour])) },
      updatedAt: at.toISOString(),
    });
    const ok = await this.write(resumed, {
      expression: '#status = :paused AND #pausedAt = :pausedAt',
      names: { '#status': 'status', '#pausedAt': 'pausedAt' },
      values: { ':paused': 'paused', ':pausedAt': paused.pausedAt },
    });
    return ok ? { paused, resumed } : undefined;
  }

  private async write(state: State, condition: Condition): Promise<boolean> {
    try {
      await putItem(
        this.table,
        { ...state, ...keys.sendingState(state.domain), entity: 'sendingState' },
        {
          condition,
        },
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionFailedError) return false;
      throw err;
    }
  }
}
