/**
 * The zod schema of every detail type's detail (and of the SES events the normaliser reads): what
 * consumers parse with, and what the recording publisher (tests) and the moto contract test check
 * every published event against. Publishers build events with `busEvent` (kernel/events.ts), typed
 * by these schemas, without carrying them at run time.
 */
import * as z from 'zod';
import { Channel, IsoTimestamp, PostalAddress, Role, Stage } from './model';
import { DETAIL_TYPES, SOURCE_OF, type DetailType } from './event-types';
import { DetailBase, EngagementRecordedDetail } from './event-schemas/engagement';
import { ADS_TARGETS } from './model/basics';
import { BreachReason, SendingDomain, SendingWindow } from './reputation';

export { DetailBase, EngagementRecordedDetail } from './event-schemas/engagement';
export { SesEventDetail } from './event-schemas/ses';

// ---------------------------------------------------------------------------
// Detail schemas, one per detail type
// ---------------------------------------------------------------------------

/** What every touch event says about the touch: which step of which execution reached whom. */
const TouchRef = {
  campaignId: z.string().min(1),
  executionName: z.string().min(1),
  stepId: z.string().min(1),
  touchId: z.string().min(1),
  channel: Channel,
  contactId: z.string().min(1),
  role: Role.optional(),
};

/** `touch.sent`: the provider accepted the touch (`ref`: SES message id, task id, order id). */
export const TouchSentDetail = DetailBase.extend({
  ...TouchRef,
  ref: z.string(),
  summary: z.string(),
});
export type TouchSentDetail = z.infer<typeof TouchSentDetail>;

/**
 * `touch.failed`: a touch the provider refused or that was never handed over (its reason says
 * why), or a whole step that failed after its retries (no touch or contact then, and `error`).
 */
export const TouchFailedDetail = DetailBase.extend({
  ...TouchRef,
  stepId: TouchRef.stepId.optional(),
  touchId: TouchRef.touchId.optional(),
  channel: TouchRef.channel.optional(),
  contactId: TouchRef.contactId.optional(),
  reason: z.string().min(1),
  error: z.unknown().optional(),
});
export type TouchFailedDetail = z.infer<typeof TouchFailedDetail>;

/**
 * `touch.uncertain`: a touch handed over to its provider whose outcome never came back (no answer,
 * a 5xx, or the process died between the hand-over and the answer). It may have gone out; it is
 * never sent again and never counted as sent.
 */
export const TouchUncertainDetail = DetailBase.extend({
  ...TouchRef,
  reason: z.string().min(1),
});
export type TouchUncertainDetail = z.infer<typeof TouchUncertainDetail>;

/** `account.score_changed`. */
export const ScoreChangedDetail = DetailBase.extend({
  score: z.number(),
  previousScore: z.number(),
  asOf: IsoTimestamp,
  stage: Stage,
  engagedContacts: z.number().int().nonnegative(),
  engagedRoles: z.array(Role),
  /** Events folded into this change (after deduplication). */
  eventsApplied: z.number().int().nonnegative(),
});
export type ScoreChangedDetail = z.infer<typeof ScoreChangedDetail>;

/** `account.stage_changed` (MQA is a stage). */
export const StageChangedDetail = DetailBase.extend({
  from: Stage,
  to: Stage,
  score: z.number(),
  reason: z.string(),
});
export type StageChangedDetail = z.infer<typeof StageChangedDetail>;

/** `sdr.task.created`: a sequence's SDR step or a hot account (MQA) made a task. */
export const SdrTaskCreatedDetail = DetailBase.extend({
  taskId: z.string().min(1),
  owner: z.string().min(1),
  type: z.string().min(1),
  status: z.string().min(1),
  priority: z.number().int(),
  dueAt: IsoTimestamp,
  reason: z.string(),
  contactId: z.string().min(1).optional(),
  campaignId: z.string().min(1).optional(),
  stepId: z.string().min(1).optional(),
  context: z.record(z.string(), z.unknown()),
  createdAt: IsoTimestamp,
});
export type SdrTaskCreatedDetail = z.infer<typeof SdrTaskCreatedDetail>;

/** `sdr.task.completed`: an SDR logged a task's outcome. */
export const SdrTaskCompletedDetail = DetailBase.extend({
  taskId: z.string().min(1),
  owner: z.string().min(1),
  outcome: z.string().min(1),
  contactId: z.string().min(1).optional(),
  campaignId: z.string().min(1).optional(),
});
export type SdrTaskCompletedDetail = z.infer<typeof SdrTaskCompletedDetail>;

/**
 * `ads.audience.changed`: members to add to or remove from an ad audience; `eventId` is the change
 * id (a retried step reuses it). `add` / `remove` are the SHA-256 of the normalised emails (for a
 * team's own sync); the audience sync (functions/ads) reads the members by id: `addContactIds` /
 * `removeContactIds` (the committee's contacts) and `company` (the account as a company, for an
 * ads step that targets companies). Without `audienceId` the change is an erasure: remove the
 * person (`contactId`) from every audience it was added to.
 */
export const AdsAudienceChangedDetail = DetailBase.extend({
  audienceId: z.string().min(1).optional(),
  campaignId: z.string().min(1).optional(),
  stepId: z.string().min(1).optional(),
  contactId: z.string().min(1).optional(),
  add: z.array(z.string()),
  remove: z.array(z.string()),
  /** What the step targets (absent on an erasure and on changes published before targets existed). */
  target: z.enum(ADS_TARGETS).optional(),
  addContactIds: z.array(z.string().min(1)).default([]),
  removeContactIds: z.array(z.string().min(1)).default([]),
  /** The account (`accountId`) as a company: added to or removed from the audience's company lists. */
  company: z.enum(['add', 'remove']).optional(),
  reason: z.string().min(1),
});
export type AdsAudienceChangedDetail = z.infer<typeof AdsAudienceChangedDetail>;

/** `direct_mail.requested`: one piece to one person, within budget; `eventId` is the order id. */
export const DirectMailRequestedDetail = DetailBase.extend({
  campaignId: z.string().min(1),
  stepId: z.string().min(1),
  contactId: z.string().min(1),
  recipientName: z.string().min(1),
  address: PostalAddress,
  piece: z.string().min(1),
  costCents: z.number().int().nonnegative(),
});
export type DirectMailRequestedDetail = z.infer<typeof DirectMailRequestedDetail>;

/** `enrollment.finished`: an enrollment ended (completed, exited, stopped), whoever ended it. */
export const EnrollmentFinishedDetail = DetailBase.extend({
  campaignId: z.string().min(1),
  executionName: z.string().min(1),
  sequenceId: z.string().min(1).optional(),
  sequenceVersion: z.number().int().positive().optional(),
  status: z.string().min(1),
  reason: z.string(),
});
export type EnrollmentFinishedDetail = z.infer<typeof EnrollmentFinishedDetail>;

/** What the sending-domain events say: the domain, not an account (a domain sends for every account). */
const SendingDomainEvent = z.object({
  eventId: z.string().min(1),
  occurredAt: IsoTimestamp,
  /** Never set: declared so that `detail.accountId` reads as possibly undefined across all events. */
  accountId: z.undefined().optional(),
  domain: SendingDomain,
});

/**
 * `email.sending_paused`: the sender reputation breaker tripped for a sending domain (its window's
 * hard-bounce or complaint rate reached its threshold); its email touches are deferred until an
 * operator resumes it. The stack's alarm topic receives it.
 */
export const SendingPausedDetail = SendingDomainEvent.extend({
  reason: BreachReason,
  window: SendingWindow,
  thresholds: z.object({
    minSends: z.number().int().positive(),
    maxBounceRate: z.number().positive(),
    maxComplaintRate: z.number().positive(),
  }),
});
export type SendingPausedDetail = z.infer<typeof SendingPausedDetail>;

/** `email.sending_resumed`: an operator resumed a paused sending domain. */
export const SendingResumedDetail = SendingDomainEvent.extend({
  pausedAt: IsoTimestamp,
  reason: BreachReason.optional(),
});
export type SendingResumedDetail = z.infer<typeof SendingResumedDetail>;

/**
 * `account.imported`: an import created or updated the account (published only while an active
 * program has an `account.imported` trigger: functions/api/accounts-service.ts).
 */
export const AccountImportedDetail = DetailBase.extend({
  tier: z.number().int().min(1).max(3),
  cluster: z.string().nullable().optional(),
  created: z.boolean(),
});
export type AccountImportedDetail = z.infer<typeof AccountImportedDetail>;

/** The detail schema of every detail type. */
const SCHEMA_OF = {
  [DETAIL_TYPES.engagementRecorded]: EngagementRecordedDetail,
  [DETAIL_TYPES.touchSent]: TouchSentDetail,
  [DETAIL_TYPES.touchFailed]: TouchFailedDetail,
  [DETAIL_TYPES.touchUncertain]: TouchUncertainDetail,
  [DETAIL_TYPES.scoreChanged]: ScoreChangedDetail,
  [DETAIL_TYPES.stageChanged]: StageChangedDetail,
  [DETAIL_TYPES.sdrTaskCreated]: SdrTaskCreatedDetail,
  [DETAIL_TYPES.sdrTaskCompleted]: SdrTaskCompletedDetail,
  [DETAIL_TYPES.adsAudienceChanged]: AdsAudienceChangedDetail,
  [DETAIL_TYPES.directMailRequested]: DirectMailRequestedDetail,
  [DETAIL_TYPES.enrollmentFinished]: EnrollmentFinishedDetail,
  [DETAIL_TYPES.sendingPaused]: SendingPausedDetail,
  [DETAIL_TYPES.sendingResumed]: SendingResumedDetail,
  [DETAIL_TYPES.accountImported]: AccountImportedDetail,
} as const satisfies Record<DetailType, z.ZodType>;

/** The contract of every detail type: its one source (event-types.ts) and its detail schema. */
export const CONTRACTS = Object.fromEntries(
  (Object.keys(SCHEMA_OF) as DetailType[]).map((type) => [
    type,
    { source: SOURCE_OF[type], schema: SCHEMA_OF[type] },
  ]),
) as { [T in DetailType]: { source: (typeof SOURCE_OF)[T]; schema: (typeof SCHEMA_OF)[T] } };

/** What a detail type's detail is, as its schema outputs it. */
export type DetailOf<T extends DetailType> = z.output<(typeof CONTRACTS)[T]['schema']>;
export type DetailInput<T extends DetailType> = z.input<(typeof CONTRACTS)[T]['schema']>;
