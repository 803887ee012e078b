/**
 * The scheduled re-score (docs/architecture.md "Scoring"): stages follow decay without new events.
 * Once a day (EventBridge on AWS, the simulated clock in local mode) it finds the accounts whose
 * score has decayed below the floor of their score stage (`mqa`: exitRatio x the MQA score, `engaged`:
 * exitRatio x the engaged score) and asks the scorer to re-evaluate each of them.
 *
 * Cost: only the decay index (keys.scoreDecayItem) is read, one range query per stage and shard, a
 * page at a time, and only the entries of accounts already below their floor come back: no scan,
 * no read per account here. Each such account costs the scorer one fold (a Query of its partition
 * and one conditional write).
 *
 * Why through the scorer's FIFO queue (an envelope `{ accountId, events: [] }`, message group =
 * account id) rather than folding here: the scorer runs its effects (stage_changed, enrollments
 * stopped on an exit stage, waits resumed) before its conditional write, so two folds of one account
 * at once could both act on a stage only one of them writes. The queue orders the re-score with the
 * account's event-driven folds, never beside them; the fold's write stays conditional on the
 * version it read (functions/platform/store/scores.ts), so even a redelivered message cannot
 * overwrite a newer state. The re-score itself only reads the index and sends messages.
 */
import type { Clock } from '../kernel/clock';
import type { Log, Platform } from '../platform/compose';
import { SCORER_QUEUE, type FifoMessage, type FifoSender } from '../platform/sqs';
import { ScoreDecayIndex } from '../platform/store/scores';
import { scoringConfig, type ResolvedScoringConfig } from './domain/config';

/**
 * When the re-score runs: every day at this time (UTC), on AWS (the Scorer construct's schedule) and
 * in local mode (on its simulated clock, lib/local/runtime.ts).
 */
export const RESCORE_AT_UTC = { hour: 0, minute: 15 } as const;

export interface RescoreDeps {
  index: Pick<ScoreDecayIndex, 'decayedBelow'>;
  sender: FifoSender;
  clock: Clock;
  config: Pick<ResolvedScoringConfig, 'halfLifeMs' | 'exitRatio' | 'engaged' | 'mqa'>;
  log: Pick<Log, 'info' | 'error'>;
  /** Index entries per query page (default 1,000). */
  pageSize?: number;
}

export interface RescoreResult {
  /** The time the scores were compared at (ISO). */
  asOf: string;
  /** Accounts found below their stage's floor, per score stage. */
  due: { mqa: number; engaged: number };
  /** Index query pages read. */
  pages: number;
  /** Re-score messages the scorer queue accepted. */
  enqueued: number;
}

/** Thrown when some re-score messages could not be sent: the schedule's retry sends them again. */
export class RescoreIncompleteError extends Error {
  constructor(
    readonly failed: string[],
    readonly result: RescoreResult,
  ) {
    super(`${failed.length} re-score messages were not sent (first: ${failed.slice(0, 5).join(', ')})`);
    this.name = 'RescoreIncompleteError';
  }
}

/** The re-score of a platform: the decay index, the scorer queue, the scorer's configuration. */
export function rescoreFeature(platform: Platform, options: Partial<RescoreDeps> = {}) {
  return createRescorer({
    ...options,
    index: options.index ?? platform.repository(ScoreDecayIndex),
    sender: options.sender ?? platform.port(SCORER_QUEUE),
    clock: options.clock ?? platform.clock,
    config: options.config ?? scoringConfig(platform.config.scoring ?? {}),
    log: options.log ?? platform.log,
  });
}

export function createRescorer(deps: RescoreDeps) {
  const { config } = deps;

  /** Sends up to 10 messages, once more for the entries that failed; returns the ids still failed. */
  async function send(batch: FifoMessage[]): Promise<string[]> {
    let failed = await deps.sender.sendBatch(batch);
    if (failed.length > 0) failed = await deps.sender.sendBatch(batch.filter((m) => failed.includes(m.id)));
    return failed;
  }

  async function rescore(): Promise<RescoreResult> {
    const now = deps.clock.now().getTime();
    const asOf = new Date(now).toISOString();
    const result: RescoreResult = { asOf, due: { mqa: 0, engaged: 0 }, pages: 0, enqueued: 0 };
    const failed: string[] = [];
    for (const stage of ['mqa', 'engaged'] as const) {
      // Below this the stage is lost (hysteresis: nextScoreStage keeps a stage down to exitRatio x its score).
      const floor = config.exitRatio * config[stage].minScore;
      if (!(floor > 0)) continue; // a positive score never decays below 0
      for await (const accountIds of deps.index.decayedBelow(
        stage,
        floor,
        now,
        config.halfLifeMs,
        deps.pageSize,
      )) {
        result.pages++;
        result.due[stage] += accountIds.length;
        for (let i = 0; i < accountIds.length; i += 10) {
          const batch = accountIds.slice(i, i + 10).map((accountId, k): FifoMessage => ({
            id: `r${k}`,
            groupId: accountId,
            // One re-score per account and day: a retried run within the queue's 5-minute
            // deduplication window sends nothing twice (and a later duplicate folds to no change).
            deduplicationId: `decay:${asOf.slice(0, 10)}:${accountId}`,
            body: JSON.stringify({ accountId, events: [] }),
          }));
          const lost = await send(batch);
          failed.push(...batch.filter((m) => lost.includes(m.id)).map((m) => m.groupId));
          result.enqueued += batch.length - lost.length;
        }
      }
    }
    if (result.due.mqa + result.due.engaged > 0)
      deps.log.info('re-score', { ...result, failed: failed.length });
    if (failed.length > 0) {
      deps.log.error('re-score messages not sent', { failed: failed.slice(0, 20), count: failed.length });
      throw new RescoreIncompleteError(failed, result);
    }
    return result;
  }

  return { rescore };
}

export type Rescorer = ReturnType<typeof createRescorer>;
