/**
 * The domain model, one file per aggregate (kernel/model.ts re-exports them all). These zod schemas
 * are the one source of the domain's types: every type is inferred from a schema. Pure: no AWS
 * imports, no I/O.
 */
import * as z from 'zod';
import { EngagementType, Id, IsoTimestamp, Role } from './basics';
import { Email } from './fields';

// ---------------------------------------------------------------------------
// Engagement
// ---------------------------------------------------------------------------

export const EngagementEventInput = z
  .object({
    eventId: z.string().min(1).max(128),
    type: EngagementType,
    occurredAt: IsoTimestamp,
    accountId: Id.optional(),
    contactId: z.string().optional(),
    contactEmail: Email.optional(),
    domain: z.string().trim().toLowerCase().optional(),
    properties: z.record(z.string(), z.unknown()).default({}),
  })
  .refine((e) => e.accountId || e.contactEmail || e.domain, {
    message: 'name the account: accountId, contactEmail or domain',
  });
export type EngagementEventInput = z.input<typeof EngagementEventInput>;

/** An engagement event once its account (and contact, where known) is resolved. */
export const EngagementEvent = z.object({
  eventId: z.string().min(1),
  type: EngagementType,
  occurredAt: IsoTimestamp,
  accountId: Id,
  contactId: z.string().optional(),
  role: Role.optional(),
  properties: z.record(z.string(), z.unknown()).default({}),
});
export type EngagementEvent = z.infer<typeof EngagementEvent>;
