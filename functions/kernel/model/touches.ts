/**
 * The domain model, one file per aggregate (kernel/model.ts re-exports them all). These zod schemas
 * are the one source of the domain's types: every type is inferred from a schema. Pure: no AWS
 * imports, no I/O.
 */
import * as z from 'zod';
import { Id, IsoTimestamp, Role } from './basics';
import { Channel } from './fields';

/**
 * The touch ledger's states (functions/engine/ledger.ts, docs/architecture.md "The engine"):
 * `claimed` (written before anything else: nothing has left yet), `handing_over` (written
 * immediately before the provider call), then one outcome: `sent`, `failed` (certainly not acted
 * on), `skipped` or `deferred` (not attempted, with a reason), or `uncertain` (handed over, no
 * answer: it may have gone out; never sent again, never counted as sent).
 */
export const TOUCH_STATUSES = [
  'claimed',
  'handing_over',
  'sent',
  'skipped',
  'deferred',
  'failed',
  'uncertain',
] as const;
export const TouchStatus = z.enum(TOUCH_STATUSES);
export type TouchStatus = z.infer<typeof TouchStatus>;

/** A touch still in the engine's hands: claimed or handed over, no outcome recorded yet. */
export const UNRESOLVED_TOUCH: ReadonlySet<TouchStatus> = new Set(['claimed', 'handing_over']);

/** Before the two-phase ledger a claim was `pending` (its outcome unknown): read as handed over. */
const LegacyTouchStatus = z.preprocess((v) => (v === 'pending' ? 'handing_over' : v), TouchStatus);

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
  status: LegacyTouchStatus,
  /** The ExecuteStep invocation that holds a `claimed` or `handing_over` touch (its fence). */
  attempt: z.string().optional(),
  reason: z.string().optional(),
  at: IsoTimestamp,
  /** Provider reference: SES message id, task id, mail order id. */
  ref: z.string().optional(),
  /** Short description of what was said, for the next touch's context. */
  summary: z.string().optional(),
});
export type Touch = z.infer<typeof Touch>;
