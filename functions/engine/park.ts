/**
 * Park: the AwaitEngagement and Paused states (`lambda:invoke.waitForTaskToken`) store their task
 * token on the enrollment, so the scorer (engagement) or the campaign's controls (resume, stop) can
 * complete it with SendTaskSuccess. A park that finds nothing to wait for (the enrollment was
 * resumed, stopped or finished meanwhile, or the awaited condition already holds) throws
 * NotParked, and the state machine re-plans at once.
 *
 * Its own small set of dependencies: the park function bundles no channel executor.
 */
import * as z from 'zod';
import type { Clock } from '../kernel/clock';
import { isEmptyCondition, untilHolds, type AccountFacts } from '../kernel/conditions';
import { ACTIVE_ENROLLMENT } from '../kernel/model';
import { Plan } from '../kernel/plan';
import type { Platform } from '../platform/compose';
import { EnrollmentUpdater } from '../platform/store/enrollments';
import { ScoreReader } from '../platform/store/scores';
import { NotParkedError } from './errors';
import { factsById } from './facts';

/** What the park task (AwaitEngagement, Paused) receives. */
export const ParkInput = z.object({
  op: z.enum(['await', 'pause']),
  taskToken: z.string().min(1),
  accountId: z.string().min(1),
  campaignId: z.string().min(1),
  executionName: z.string().min(1),
  plan: Plan,
});
export type ParkInput = z.infer<typeof ParkInput>;

export interface ParkDeps {
  enrollments: Pick<EnrollmentUpdater, 'update'>;
  /** The account's facts after the token is stored; none when the account is gone. */
  facts: (accountId: string, now: Date) => Promise<AccountFacts | undefined>;
  clock: Clock;
}

export function createPark(deps: ParkDeps) {
  const { enrollments, clock } = deps;

  /**
   * The engine's half of the await race (the scorer's half and the argument: scoring/scorer.ts,
   * resumeParkedAfterWrite): AFTER the token is stored, re-read the facts and test the condition
   * the way the scorer does (an empty condition never ends a wait early).
   */
  async function awaitAlreadyHolds(input: ParkInput, now: Date): Promise<boolean> {
    const until = input.plan.until;
    if (isEmptyCondition(until)) return false;
    const facts = await deps.facts(input.accountId, now);
    if (!facts) return false;
    return untilHolds(until, facts, input.plan.since ? new Date(input.plan.since) : now);
  }

  return async function park(raw: unknown): Promise<{ parked: true; op: 'await' | 'pause' }> {
    const input = ParkInput.parse(raw);
    const now = clock.now();
    let outcome = 'not_active' as 'parked' | 'not_active' | 'not_paused';
    await enrollments.update(input.accountId, input.campaignId, (e) => {
      if (!ACTIVE_ENROLLMENT.has(e.status)) {
        outcome = 'not_active';
        return undefined;
      }
      if (input.op === 'pause') {
        if (e.status !== 'paused') {
          outcome = 'not_paused';
          return undefined;
        }
        outcome = 'parked';
        // The pause token replaces any await token (an await that ended while paused): without
        // `waitingFor`, resume completes this token instead of waiting for the scorer.
        return { ...e, taskToken: input.taskToken, waitingFor: undefined };
      }
      outcome = 'parked';
      return {
        ...e,
        status: e.status === 'paused' ? 'paused' : 'waiting',
        stepId: input.plan.step ?? e.stepId,
        taskToken: input.taskToken,
        waitingFor: {
          stepId: input.plan.step ?? 'unknown',
          until: input.plan.until,
          since: input.plan.since ?? now.toISOString(),
        },
      };
    });
    if (outcome !== 'parked') {
      // Resumed, stopped or finished between planning and parking: re-plan at once.
      throw new NotParkedError(`enrollment ${input.accountId}/${input.campaignId}: ${outcome}`);
    }
    if (input.op === 'await' && (await awaitAlreadyHolds(input, now))) {
      // Engagement scored after ExecuteStep planned this await and before the token was stored: the
      // scorer may have read the enrollment before the token existed. Take the token back and let
      // the state machine re-plan at once (NotParked -> ExecuteStep, which continues as engaged).
      await enrollments.update(input.accountId, input.campaignId, (e) =>
        e.taskToken === input.taskToken
          ? {
              ...e,
              status: e.status === 'waiting' ? 'running' : e.status,
              taskToken: undefined,
              waitingFor: undefined,
            }
          : undefined,
      );
      throw new NotParkedError(`enrollment ${input.accountId}/${input.campaignId}: condition already holds`);
    }
    return { parked: true, op: input.op };
  };
}

/** The park feature of a platform (the ParkExecution function composes only this). */
export function parkFeature(platform: Platform) {
  const scores = platform.repository(ScoreReader);
  return createPark({
    enrollments: platform.repository(EnrollmentUpdater),
    facts: (accountId, now) => factsById(scores, accountId, now),
    clock: platform.clock,
  });
}
