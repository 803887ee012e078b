/**
 * The domain model, one file per aggregate (kernel/model.ts re-exports them all). These zod schemas
 * are the one source of the domain's types: every type is inferred from a schema. Pure: no AWS
 * imports, no I/O.
 */
import * as z from 'zod';
import { Id, IsoTimestamp, Role } from './basics';
import { Channel } from './fields';

export const TOUCH_STATUSES = ['pending', 'sent', 'skipped', 'deferred', 'failed'] as const;
export const TouchStatus = z.enum(TOUCH_STATUSES);

export const Touch = z.object({
  /** `${executionName}#${stepId}#${contactId}`: one item per step per contact. */
  touchId: z.string().min(1),
  accountId: Id,
  campaignId: Id,
  executionName: z.string(),
  stepId: z.string(),
  channel: Channel,
  contactId: z.string(),
  role: Role.optional(),
  status: TouchStatus,
  reason: z.string().optional(),
  at: IsoTimestamp,
  /** Provider reference: SES message id, task id, mail order id. */
  ref: z.string().optional(),
  /** Short description of what was said, for the next touch's context. */
  summary: z.string().optional(),
});
export type Touch = z.infer<typeof Touch>;
