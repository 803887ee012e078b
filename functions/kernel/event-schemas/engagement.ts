/** The detail every event carries, and `engagement.recorded`'s: what the scorer parses. */
import * as z from 'zod';
import { EngagementType, IsoTimestamp, Role } from '../model';
import { ENGAGEMENT_ORIGINS } from '../event-types';

/** The fields every detail carries. */
export const DetailBase = z.object({
  eventId: z.string().min(1),
  occurredAt: z.string().min(1),
  accountId: z.string().min(1),
});
export type DetailBase = z.infer<typeof DetailBase>;

/** `engagement.recorded`: one resolved engagement event (account known; contact and role where known). */
export const EngagementRecordedDetail = DetailBase.extend({
  occurredAt: IsoTimestamp,
  type: EngagementType,
  contactId: z.string().min(1).optional(),
  role: Role.optional(),
  origin: z.enum(ENGAGEMENT_ORIGINS),
  properties: z.record(z.string(), z.unknown()).default({}),
});
export type EngagementRecordedDetail = z.infer<typeof EngagementRecordedDetail>;
