/**
 * The domain model, one file per aggregate (kernel/model.ts re-exports them all). These zod schemas
 * are the one source of the domain's types: every type is inferred from a schema. Pure: no AWS
 * imports, no I/O.
 */
import * as z from 'zod';
import { EngagementType, Id, IsoTimestamp, Role } from './basics';
import { Email } from './fields';
import {
  DOMAIN_MAX,
  EVENT_PROPERTIES_MAX_BYTES,
  EVENT_PROPERTIES_MAX_DEPTH,
  jsonBytes,
  isStorableNumber,
} from './limits';

// ---------------------------------------------------------------------------
// Engagement
// ---------------------------------------------------------------------------

export const EngagementEventInput = z
  .object({
    eventId: z.string().min(1).max(128),
    type: EngagementType,
    occurredAt: IsoTimestamp,
    accountId: Id.optional(),
    contactId: Id.optional(),
    contactEmail: Email.optional(),
    domain: z.string().trim().toLowerCase().max(DOMAIN_MAX).optional(),
    properties: z.record(z.string(), z.unknown()).superRefine(checkProperties).default({}),
  })
  .refine((e) => e.accountId || e.contactEmail || e.domain, {
    message: 'name the account: accountId, contactEmail or domain',
  });
export type EngagementEventInput = z.input<typeof EngagementEventInput>;

/** How many problems of one event's properties are reported (a huge list needs only a few). */
const MAX_PROPERTY_ISSUES = 10;

/**
 * Free-form properties ride on the bus and, for an event whose account is unknown, in an item:
 * at most EVENT_PROPERTIES_MAX_DEPTH levels (checked first, without recursing past the limit: a
 * JSON text can nest far deeper than a call stack), at most EVENT_PROPERTIES_MAX_BYTES of JSON,
 * and numbers storage keeps.
 */
function checkProperties(properties: Record<string, unknown>, ctx: z.RefinementCtx): void {
  type Problem = { path: (string | number)[]; message: string };
  const tooDeep: Problem[] = [];
  const badNumbers: Problem[] = [];
  const walk = (value: unknown, path: (string | number)[]): void => {
    if (tooDeep.length + badNumbers.length >= MAX_PROPERTY_ISSUES) return;
    if (path.length > EVENT_PROPERTIES_MAX_DEPTH) {
      tooDeep.push({
        path,
        message: `nested deeper than ${EVENT_PROPERTIES_MAX_DEPTH} levels`,
      });
    } else if (typeof value === 'number') {
      if (!isStorableNumber(value))
        badNumbers.push({
          path,
          message: 'a number within plus or minus 2^53 - 1, and 0 or at least 0.000001 in magnitude',
        });
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length && tooDeep.length + badNumbers.length < MAX_PROPERTY_ISSUES; i++)
        walk(value[i], [...path, i]);
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (tooDeep.length + badNumbers.length >= MAX_PROPERTY_ISSUES) break;
        walk(v, [...path, k]);
      }
    }
  };
  walk(properties, []);
  if (tooDeep.length > 0) return tooDeep.forEach((p) => ctx.addIssue({ code: 'custom', ...p }));
  const bytes = jsonBytes(properties);
  if (bytes > EVENT_PROPERTIES_MAX_BYTES)
    return ctx.addIssue({
      code: 'custom',
      message: `properties are ${bytes} bytes as JSON; at most ${EVENT_PROPERTIES_MAX_BYTES}`,
    });
  badNumbers.forEach((p) => ctx.addIssue({ code: 'custom', ...p }));
}

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
