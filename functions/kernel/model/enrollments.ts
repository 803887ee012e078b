/**
 * The domain model, one file per aggregate (kernel/model.ts re-exports them all). These zod schemas
 * are the one source of the domain's types: every type is inferred from a schema. Pure: no AWS
 * imports, no I/O.
 */
import * as z from 'zod';
import { Condition, Id, IsoTimestamp } from './basics';

export const ENROLLMENT_STATUSES = [
  'running',
  'waiting', // parked in await_engagement
  'paused',
  'held_out',
  'completed',
  'exited',
  'stopped',
  'failed',
] as const;
export const EnrollmentStatus = z.enum(ENROLLMENT_STATUSES);
export type EnrollmentStatus = z.infer<typeof EnrollmentStatus>;

/** The statuses of an enrollment whose execution is still going (it may be touched, paused, stopped). */
export const ACTIVE_ENROLLMENT: ReadonlySet<string> = new Set<EnrollmentStatus>([
  'running',
  'waiting',
  'paused',
]);

export const Enrollment = z.object({
  accountId: Id,
  campaignId: Id,
  sequenceId: Id,
  sequenceVersion: z.number().int().positive(),
  exclusive: z.boolean().default(false),
  /** The enrollment's execution name: its first execution's, the key of its touches (kernel/execution.ts). */
  executionName: z.string().min(1).max(80),
  /**
   * The execution running the enrollment now when it is not the first (it continued as new):
   * StopExecution goes to this one. Absent: `executionName`.
   */
  currentExecutionName: z.string().min(1).max(80).optional(),
  status: EnrollmentStatus,
  /** The step the execution is at (the cursor). */
  stepId: z.string().optional(),
  /** Task token of a parked await_engagement or pause. */
  taskToken: z.string().optional(),
  /** What the parked token waits for. */
  waitingFor: z.object({ stepId: z.string(), until: Condition.optional(), since: IsoTimestamp }).optional(),
  variant: z.string().optional(),
  reason: z.string().optional(),
  startedAt: IsoTimestamp,
  updatedAt: IsoTimestamp,
  finishedAt: IsoTimestamp.optional(),
  version: z.number().int().nonnegative().default(0),
});
export type Enrollment = z.infer<typeof Enrollment>;

/** The name of the execution running an enrollment now (the one to stop). */
export function currentExecutionOf(e: Pick<Enrollment, 'executionName' | 'currentExecutionName'>): string {
  return e.currentExecutionName ?? e.executionName;
}
