/**
 * The domain model, one file per aggregate (kernel/model.ts re-exports them all). These zod schemas
 * are the one source of the domain's types: every type is inferred from a schema. Pure: no AWS
 * imports, no I/O.
 */
import * as z from 'zod';
import { Id, IsoTimestamp } from './basics';
import { Tier } from './fields';
import { AUDIENCE_ACCOUNT_IDS_MAX, decimal, LABEL_MAX } from './limits';

export const CampaignAudience = z
  .object({
    tier: Tier.optional(),
    cluster: z.string().min(1).max(LABEL_MAX).optional(),
    accountIds: z.array(Id).min(1).max(AUDIENCE_ACCOUNT_IDS_MAX).optional(),
  })
  .strict()
  .refine((a) => a.tier !== undefined || a.cluster !== undefined || a.accountIds !== undefined, {
    message: 'name a tier, a cluster or accountIds',
  });
export type CampaignAudience = z.infer<typeof CampaignAudience>;

export const CAMPAIGN_STATUSES = ['launching', 'running', 'paused', 'stopped', 'completed'] as const;
export const CampaignStatus = z.enum(CAMPAIGN_STATUSES);

export const Campaign = z.object({
  campaignId: Id,
  name: z.string().min(1),
  sequenceId: Id,
  version: z.number().int().positive(),
  /** Who was launched; a program's campaign takes its accounts as its triggers fire. */
  audience: z.union([CampaignAudience, z.object({ programId: Id }).strict()]),
  /** A program's campaign (functions/programs): it stays running and never completes by itself. */
  programId: Id.optional(),
  holdoutPercent: decimal(0, 100).default(0),
  status: CampaignStatus,
  enrolled: z.number().int().nonnegative().default(0),
  heldOut: z.number().int().nonnegative().default(0),
  createdAt: IsoTimestamp,
  updatedAt: IsoTimestamp,
});
export type Campaign = z.infer<typeof Campaign>;
