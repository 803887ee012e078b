/**
 * The input of one AccountSequence execution (DESIGN 2 and 2.1). The launcher writes the
 * enrollment item first, then starts the execution with this input; the sequence version is
 * snapshotted here so editing a sequence never changes running executions.
 */
import * as z from 'zod';
import { Id, IsoTimestamp, SequenceInput } from './model';

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
