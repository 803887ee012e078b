/**
 * The domain model, one file per aggregate (kernel/model.ts re-exports them all). These zod schemas
 * are the one source of the domain's types: every type is inferred from a schema. Pure: no AWS
 * imports, no I/O.
 */
import * as z from 'zod';
import { Id, IsoTimestamp, Role, Stage } from './basics';
import { SdrOutcome } from './fields';

export const SDR_TASK_STATUSES = ['open', 'completed', 'cancelled'] as const;
export const SdrTaskStatus = z.enum(SDR_TASK_STATUSES);

export const SdrTask = z.object({
  taskId: z.string().min(1),
  accountId: Id,
  contactId: z.string().optional(),
  owner: z.string().min(1),
  /** `research`: find the contacts of the committee's missing roles (functions/kernel/coverage.ts). */
  type: z.enum(['call', 'linkedin', 'email', 'hot_account', 'research']),
  status: SdrTaskStatus,
  /** 1 is the most urgent. */
  priority: z.number().int().min(1).max(3),
  dueAt: IsoTimestamp,
  reason: z.string(),
  context: z.object({
    contact: z
      .object({
        name: z.string(),
        role: Role,
        phone: z.string().optional(),
        timeZone: z.string(),
        localTime: z.string(),
      })
      .optional(),
    score: z.number().optional(),
    stage: Stage.optional(),
    talkingPoints: z.array(z.string()),
    recentEngagement: z.array(z.string()),
    lastTouches: z.array(z.string()).default([]),
    /** A research task: the required roles the committee has no contact for. */
    missingRoles: z.array(Role).optional(),
  }),
  campaignId: z.string().optional(),
  stepId: z.string().optional(),
  outcome: SdrOutcome.optional(),
  notes: z.string().max(4000).optional(),
  createdAt: IsoTimestamp,
  completedAt: IsoTimestamp.optional(),
});
export type SdrTask = z.infer<typeof SdrTask>;
