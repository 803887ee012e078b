/**
 * The event contracts of the bus (docs/architecture.md, "Event contracts"): for every detail type,
 * the one source that publishes it and the zod schema of its detail. Every publisher builds its
 * events with `busEvent(detailType, detail)`, which stamps the source and validates the detail, so
 * no event leaves without its contract; the CDK rules use the patterns in `RULES` verbatim and the
 * moto contract test (test/contract) checks them against events the handlers built.
 * Every detail carries `eventId`, `occurredAt` and `accountId`.
 */
import * as z from 'zod';
import { Channel, EngagementType, IsoTimestamp, PostalAddress, Role, Stage, type SdrTask } from './model';

export const SOURCES = {
  engine: 'abm.engine',
  scorer: 'abm.scorer',
  ingest: 'abm.ingest',
  sdr: 'abm.sdr',
  ads: 'abm.ads',
  directMail: 'abm.direct_mail',
} as const;
export type Source = (typeof SOURCES)[keyof typeof SOURCES];

export const DETAIL_TYPES = {
  engagementRecorded: 'engagement.recorded',
  touchSent: 'touch.sent',
  touchFailed: 'touch.failed',
  scoreChanged: 'account.score_changed',
  stageChanged: 'account.stage_changed',
  sdrTaskCreated: 'sdr.task.created',
  sdrTaskCompleted: 'sdr.task.completed',
  adsAudienceChanged: 'ads.audience.changed',
  directMailRequested: 'direct_mail.requested',
  enrollmentFinished: 'enrollment.finished',
} as const;
export type DetailType = (typeof DETAIL_TYPES)[keyof typeof DETAIL_TYPES];

/** The fields every detail carries. */
export const DetailBase = z.object({
  eventId: z.string().min(1),
  occurredAt: z.string().min(1),
  accountId: z.string().min(1),
});
export type DetailBase = z.infer<typeof DetailBase>;

// ---------------------------------------------------------------------------
// SES (configuration set -> EventBridge). SES publishes only to the account's DEFAULT bus.
// ---------------------------------------------------------------------------

export const AWS_SES_SOURCE = 'aws.ses';

/** The SES detail types the normaliser consumes, mapped to the engagement type they become. */
export const SES_DETAIL_TYPES = {
  'Email Sent': 'email.sent',
  'Email Delivered': 'email.delivered',
  'Email Opened': 'email.opened',
  'Email Clicked': 'email.clicked',
  'Email Bounced': 'email.bounced',
  'Email Complaint Received': 'email.complained',
  'Email Rejected': 'email.rejected',
} as const satisfies Record<string, EngagementType>;
export type SesDetailType = keyof typeof SES_DETAIL_TYPES;

/** SES message tags the engine sets on every email (SendEmail `EmailTags`); they arrive in `mail.tags`. */
export const SES_TAGS = {
  accountId: 'accountId',
  contactId: 'contactId',
  campaignId: 'campaignId',
  stepId: 'stepId',
} as const;

/** The part of an SES event detail the normaliser reads (SES sends more; unknown keys pass). */
export const SesEventDetail = z.looseObject({
  eventType: z.string().optional(),
  mail: z.looseObject({
    messageId: z.string().min(1),
    timestamp: z.string().optional(),
    destination: z.array(z.string()).default([]),
    tags: z.record(z.string(), z.array(z.string())).default({}),
  }),
  bounce: z
    .looseObject({
      bounceType: z.string().optional(),
      bounceSubType: z.string().optional(),
      bouncedRecipients: z.array(z.looseObject({ emailAddress: z.string() })).default([]),
      timestamp: z.string().optional(),
    })
    .optional(),
  complaint: z
    .looseObject({
      complainedRecipients: z.array(z.looseObject({ emailAddress: z.string() })).default([]),
      complaintFeedbackType: z.string().optional(),
      timestamp: z.string().optional(),
    })
    .optional(),
  delivery: z.looseObject({ timestamp: z.string().optional() }).optional(),
  open: z.looseObject({ timestamp: z.string().optional() }).optional(),
  click: z.looseObject({ timestamp: z.string().optional(), link: z.string().optional() }).optional(),
  reject: z.looseObject({ reason: z.string().optional() }).optional(),
  send: z.looseObject({}).optional(),
});
export type SesEventDetail = z.infer<typeof SesEventDetail>;

// ---------------------------------------------------------------------------
// Detail schemas, one per detail type
// ---------------------------------------------------------------------------

/** Where an engagement event came from. */
export const ENGAGEMENT_ORIGINS = ['ses', 'api', 'sdr', 'intent', 'crm'] as const;

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
 * `touch.failed`: a touch the provider refused, a touch whose outcome is unknown (its reason says
 * so), or a whole step that failed after its retries (no touch or contact then, and `error`).
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
 * `ads.audience.changed`: members (SHA-256 of the normalised email) to add to or remove from an ad
 * audience; `eventId` is the change id (a retried step reuses it). Without `audienceId` the change
 * is an erasure: remove the person from every audience.
 */
export const AdsAudienceChangedDetail = DetailBase.extend({
  audienceId: z.string().min(1).optional(),
  campaignId: z.string().min(1).optional(),
  stepId: z.string().min(1).optional(),
  contactId: z.string().min(1).optional(),
  add: z.array(z.string()),
  remove: z.array(z.string()),
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

/** The contract of every detail type: its one source and its detail schema. */
export const CONTRACTS = {
  [DETAIL_TYPES.engagementRecorded]: { source: SOURCES.ingest, schema: EngagementRecordedDetail },
  [DETAIL_TYPES.touchSent]: { source: SOURCES.engine, schema: TouchSentDetail },
  [DETAIL_TYPES.touchFailed]: { source: SOURCES.engine, schema: TouchFailedDetail },
  [DETAIL_TYPES.scoreChanged]: { source: SOURCES.scorer, schema: ScoreChangedDetail },
  [DETAIL_TYPES.stageChanged]: { source: SOURCES.scorer, schema: StageChangedDetail },
  [DETAIL_TYPES.sdrTaskCreated]: { source: SOURCES.sdr, schema: SdrTaskCreatedDetail },
  [DETAIL_TYPES.sdrTaskCompleted]: { source: SOURCES.sdr, schema: SdrTaskCompletedDetail },
  [DETAIL_TYPES.adsAudienceChanged]: { source: SOURCES.ads, schema: AdsAudienceChangedDetail },
  [DETAIL_TYPES.directMailRequested]: { source: SOURCES.directMail, schema: DirectMailRequestedDetail },
  [DETAIL_TYPES.enrollmentFinished]: { source: SOURCES.engine, schema: EnrollmentFinishedDetail },
} as const satisfies Record<DetailType, { source: Source; schema: z.ZodType }>;

export type DetailOf<T extends DetailType> = z.output<(typeof CONTRACTS)[T]['schema']>;

/** An event ready for PutEvents (without the bus name, which the publisher adds). */
export interface BusEvent<T extends DetailType = DetailType> {
  source: Source;
  detailType: T;
  detail: DetailOf<T>;
}

/** Builds an event of a detail type: its contract's source, its detail validated by the schema. */
export function busEvent<T extends DetailType>(
  detailType: T,
  detail: z.input<(typeof CONTRACTS)[T]['schema']>,
): BusEvent<T> {
  const contract = CONTRACTS[detailType];
  return { source: contract.source, detailType, detail: contract.schema.parse(detail) as DetailOf<T> };
}

/** `sdr.task.created` for a stored task: the event id is the task id (a retry republishes the same). */
export function sdrTaskCreatedEvent(task: SdrTask): BusEvent<'sdr.task.created'> {
  return busEvent(DETAIL_TYPES.sdrTaskCreated, {
    ...task,
    eventId: task.taskId,
    occurredAt: task.createdAt,
    context: task.context,
  });
}

// ---------------------------------------------------------------------------
// Rule patterns (EventBridge event patterns, used verbatim by the CDK rules)
// ---------------------------------------------------------------------------

export interface RulePattern {
  readonly source: readonly string[];
  readonly 'detail-type': readonly string[];
  readonly detail?: Readonly<Record<string, unknown>>;
}

export const RULES = {
  /** Engagement bus -> scorer buffer queue. */
  scorerIngest: {
    source: [CONTRACTS[DETAIL_TYPES.engagementRecorded].source],
    'detail-type': [DETAIL_TYPES.engagementRecorded],
  },
  /** Default bus (SES can publish nowhere else) -> SES normaliser. */
  sesEngagement: {
    source: [AWS_SES_SOURCE],
    'detail-type': Object.keys(SES_DETAIL_TYPES),
  },
} as const satisfies Record<string, RulePattern>;
export type RuleName = keyof typeof RULES;
