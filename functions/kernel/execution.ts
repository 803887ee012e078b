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

export const ExecutionInput = z.object({
  accountId: Id,
  campaignId: Id,
  executionName: z.string().min(1).max(80),
  sequence: SequenceSnapshot,
  enrolledAt: IsoTimestamp,
});
export type ExecutionInput = z.infer<typeof ExecutionInput>;

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
