/**
 * The zod schema of the SCORE item's `state` attribute (functions/scoring/domain/state.ts), for
 * readers of the item: the scorer and the API (`repo.getScoreState(accountId, ScoreStateSchema)`).
 */
import * as z from 'zod';
import { EngagementType, Role, Stage } from './model';
import { SCORE_STAGES } from '../scoring/domain/state';

const Contributor = z.object({
  eventId: z.string(),
  type: EngagementType,
  at: z.number(),
  occurredAt: z.string(),
  contactId: z.string().optional(),
  role: Role.optional(),
  weight: z.number(),
});

export const ScoreStateSchema = z.object({
  accountId: z.string(),
  score: z.number(),
  asOf: z.number().optional(),
  latestAt: z.number().optional(),
  /** Stored beside the state as the `seenIds` JSON string (see store.ts); {} when read without it. */
  seen: z.record(z.string(), z.number()).default({}),
  dedupFloor: z.number(),
  contacts: z.record(z.string(), z.object({ at: z.number(), role: Role.optional() })),
  lastByType: z.partialRecord(EngagementType, z.number()),
  contributors: z.array(Contributor),
  crm: z.object({ stage: Stage, at: z.number(), eventId: z.string() }).optional(),
  scoreStage: z.enum(SCORE_STAGES),
  stage: Stage,
  stageChangedAt: z.number().optional(),
  engagedContacts: z.array(z.string()).default([]),
  engagedRoles: z.array(Role).default([]),
  history: z.array(z.object({ at: z.number(), value: z.number() })).default([]),
  eventsApplied: z.number(),
  duplicatesIgnored: z.number(),
  staleIgnored: z.number(),
  futureIgnored: z.number().optional(),
});
