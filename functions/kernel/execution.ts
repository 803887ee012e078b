/**
 * The contracts of the executions the launcher starts (docs/architecture.md, "How a touch flows"):
 * - one AccountSequence execution per enrolled account, named from campaign and account, whose
 *   input snapshots the sequence version (editing a sequence never changes running executions);
 * - the launcher's items and batch context (one JSON line per account in S3, the Distributed Map's
 *   BatchInput), and the port a launch is handed to when it is too large to enroll inline.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { Id, IsoTimestamp, SequenceInput, type Sequence } from './model';

export const SequenceSnapshot = SequenceInput.extend({
  version: z.number().int().positive(),
});
export type SequenceSnapshot = z.infer<typeof SequenceSnapshot>;

/**
 * An execution that continues an enrollment's earlier one (continue as new: Step Functions' limits
 * on one execution's history and duration; docs/architecture.md "The engine"): its number in the
 * chain (the first execution is 0 and has none), its own execution name, and when it was started.
 */
export const Continuation = z.object({
  n: z.number().int().positive(),
  name: z.string().min(1).max(80),
  startedAt: IsoTimestamp,
});
export type Continuation = z.infer<typeof Continuation>;

export const ExecutionInput = z.object({
  accountId: Id,
  campaignId: Id,
  /**
   * The enrollment's execution name: the name of its first execution, kept by every execution that
   * continues it, so the key of everything the enrollment does (touch ids, provider idempotency
   * keys, event ids) never changes with the execution running it. The execution's own name is
   * `runningExecutionName`.
   */
  executionName: z.string().min(1).max(80),
  sequence: SequenceSnapshot,
  enrolledAt: IsoTimestamp,
  /**
   * Set, fresh, when the launcher starts an execution it is not sure was started (a retried batch):
   * the input then differs from any earlier start's, so AWS answers ExecutionAlreadyExists if that
   * one exists, running or not, instead of its idempotent success (`startExecutionOutcome`).
   */
  restartId: z.string().max(64).optional(),
  /** Set on an execution that continues the enrollment's earlier one (absent on the first). */
  continuation: Continuation.optional(),
});
export type ExecutionInput = z.infer<typeof ExecutionInput>;

/** The Step Functions name of the execution running this input (a continuation has its own). */
export function runningExecutionName(input: Pick<ExecutionInput, 'executionName' | 'continuation'>): string {
  return input.continuation?.name ?? input.executionName;
}

/**
 * The name of the `n`th continuation of an enrollment's execution: the enrollment's execution name
 * with `--c<n>-<digest>`, cut to fit 80 characters. The digest (of the name and `n`) keeps it apart
 * from any other enrollment's execution name, which the launcher builds from ids alone.
 */
export function continuationName(executionName: string, n: number): string {
  const digest = createHash('sha256')
    .update(`${executionName}\u0000continue\u0000${n}`)
    .digest('hex')
    .slice(0, 8);
  const suffix = `--c${n}-${digest}`;
  return `${executionName.slice(0, 80 - suffix.length)}${suffix}`;
}

/**
 * What StartExecution does with a name that may exist, as AWS documents it for Standard workflows:
 * "if you call StartExecution with the same name and input as a running execution, the call
 * succeeds and returns the same response as the original request. If the execution is closed or
 * if the input is different, it returns a 400 ExecutionAlreadyExists error"
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html).
 * So a success does not prove a new execution: the launcher restarts an execution it is unsure of
 * with a fresh `restartId` in its input, which makes "it was already there" an error, whatever its
 * state. The local runner and the test double answer with this function, so they behave the same.
 */
export function startExecutionOutcome(
  existing: { running: boolean; input: string } | undefined,
  input: string,
): 'start' | 'idempotent' | 'already_exists' {
  if (!existing) return 'start';
  return existing.running && existing.input === input ? 'idempotent' : 'already_exists';
}

/** The snapshot an execution runs: the saved version without its storage timestamp. */
export function snapshotOf(sequence: Sequence): SequenceSnapshot {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { createdAt, ...rest } = sequence;
  return rest as SequenceSnapshot;
}

/**
 * The Step Functions execution name of one account in one campaign: deterministic, so a
 * second launch of the same campaign finds the execution already there (idempotent launch).
 * Execution names allow 1-80 of [A-Za-z0-9-_]; ids may hold "." which is mapped to "_",
 * and a name that would be too long keeps a prefix and a hash of the whole.
 */
export function executionNameFor(campaignId: string, accountId: string): string {
  const raw = `${campaignId}--${accountId}`.replace(/[^A-Za-z0-9_-]/g, '_');
  if (raw.length <= 80) return raw;
  const digest = createHash('sha256').update(`${campaignId}\u0000${accountId}`).digest('hex').slice(0, 16);
  return `${raw.slice(0, 63)}-${digest}`;
}

/**
 * The execution name of one entry of an account into a program's campaign: the campaign and account
 * name with a hash of the trigger event id, so each entry (a re-entry after a cooldown) has a name
 * of its own (Step Functions refuses a reused name for 90 days) and a redelivered trigger event
 * maps to the same one (StartExecution stays idempotent).
 */
export function entryExecutionNameFor(campaignId: string, accountId: string, triggerEventId: string): string {
  const entry = createHash('sha256').update(triggerEventId).digest('hex').slice(0, 12);
  return `${executionNameFor(campaignId, accountId).slice(0, 80 - entry.length - 1)}-${entry}`;
}

/** One account of a launch as the launcher's item processor sees it (one JSON line in S3). */
export interface LaunchItem {
  accountId: string;
  heldOut: boolean;
}

/** What every batch of a launch shares (the Distributed Map's BatchInput). */
export interface LaunchContext {
  campaignId: string;
  sequence: SequenceSnapshot;
  enrolledAt: string;
}

export interface LaunchPlan extends LaunchContext {
  items: LaunchItem[];
  /** This launch attempt (the lease owner): the launcher execution is named from it. */
  launchId?: string;
}

/** Runs a large launch out of band: the launcher state machine on AWS, in process locally. */
export interface LaunchRunner {
  start(plan: LaunchPlan): Promise<void>;
}
