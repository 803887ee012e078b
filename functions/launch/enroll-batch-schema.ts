/** The Distributed Map batch the launcher sends to the enroll function (ItemBatcher shape). */
import * as z from 'zod';
import { SequenceSnapshot } from '../kernel/execution';
import { Id, IsoTimestamp } from '../kernel/model';

export const EnrollBatchEvent = z.object({
  BatchInput: z.object({ campaignId: Id, sequence: SequenceSnapshot, enrolledAt: IsoTimestamp }),
  Items: z
    .array(z.object({ accountId: Id, heldOut: z.boolean() }))
    .min(1)
    .max(1000),
});
export type EnrollBatchEvent = z.infer<typeof EnrollBatchEvent>;
