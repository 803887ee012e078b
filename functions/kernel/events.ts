/**
 * EventBridge contracts (DESIGN 2.5): sources, detail types, detail schemas and rule patterns,
 * shared by the CDK rules and the handlers that publish, so publishers and rules cannot drift.
 * Every detail carries `eventId`, `occurredAt` and `accountId`.
 *
 * Rule patterns live here as plain objects (`RULES`): the CDK constructs pass them to
 * `new Rule({ eventPattern })` unchanged and the moto contract test (test/contract) checks
 * them against the events the handlers build with the helpers below.
 */
import * as z from 'zod';
import { EngagementType, IsoTimestamp, Role, Stage } from './model';

export const SOURCES = {
  engine: 'abm.engine',
  scorer: 'abm.scorer',
  api: 'abm.api',
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

/** An event ready for PutEvents (without the bus name, which the publisher adds). */
export interface BusEvent<D extends DetailBase = DetailBase> {
  source: Source;
  detailType: DetailType;
  detail: D;
}

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
// Detail schemas per detail type (the ones the scorer side publishes or consumes)
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

/** `sdr.task.created` (the scorer publishes it for hot-account tasks). */
export const SdrTaskCreatedDetail = DetailBase.extend({
  taskId: z.string().min(1),
  owner: z.string().min(1),
  type: z.string().min(1),
  priority: z.number().int(),
  reason: z.string(),
});
export type SdrTaskCreatedDetail = z.infer<typeof SdrTaskCreatedDetail>;

/** `enrollment.finished` (the scorer publishes it when it ends an enrollment on an exit stage). */
export const EnrollmentFinishedDetail = DetailBase.extend({
  campaignId: z.string().min(1),
  executionName: z.string().min(1),
  status: z.string().min(1),
  reason: z.string(),
});
export type EnrollmentFinishedDetail = z.infer<typeof EnrollmentFinishedDetail>;

/** `sdr.task.completed` (the API publishes it when an SDR logs a task's outcome). */
export const SdrTaskCompletedDetail = DetailBase.extend({
  taskId: z.string().min(1),
  owner: z.string().min(1),
  outcome: z.string().min(1),
  contactId: z.string().min(1).optional(),
  campaignId: z.string().min(1).optional(),
});
export type SdrTaskCompletedDetail = z.infer<typeof SdrTaskCompletedDetail>;

export const DETAIL_SCHEMAS = {
  [DETAIL_TYPES.engagementRecorded]: EngagementRecordedDetail,
  [DETAIL_TYPES.scoreChanged]: ScoreChangedDetail,
  [DETAIL_TYPES.stageChanged]: StageChangedDetail,
  [DETAIL_TYPES.sdrTaskCreated]: SdrTaskCreatedDetail,
  [DETAIL_TYPES.enrollmentFinished]: EnrollmentFinishedDetail,
} as const;

/** Sources allowed to publish engagement into the scorer (never the scorer itself: no loops). */
export const ENGAGEMENT_SOURCES = [SOURCES.ingest, SOURCES.api, SOURCES.sdr] as const;

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
    source: [...ENGAGEMENT_SOURCES],
    'detail-type': [DETAIL_TYPES.engagementRecorded],
  },
  /** Default bus (SES can publish nowhere else) -> SES normaliser. */
  sesEngagement: {
    source: [AWS_SES_SOURCE],
    'detail-type': Object.keys(SES_DETAIL_TYPES),
  },
} as const satisfies Record<string, RulePattern>;
export type RuleName = keyof typeof RULES;

// ---------------------------------------------------------------------------
// Builders (handlers build events only through these, so the contract test covers them)
// ---------------------------------------------------------------------------

export function engagementRecorded(detail: EngagementRecordedDetail): BusEvent<EngagementRecordedDetail> {
  const source = detail.origin === 'sdr' ? SOURCES.sdr : SOURCES.ingest;
  return { source, detailType: DETAIL_TYPES.engagementRecorded, detail };
}

export function scoreChanged(detail: ScoreChangedDetail): BusEvent<ScoreChangedDetail> {
  return { source: SOURCES.scorer, detailType: DETAIL_TYPES.scoreChanged, detail };
}

export function stageChanged(detail: StageChangedDetail): BusEvent<StageChangedDetail> {
  return { source: SOURCES.scorer, detailType: DETAIL_TYPES.stageChanged, detail };
}

export function sdrTaskCreated(detail: SdrTaskCreatedDetail): BusEvent<SdrTaskCreatedDetail> {
  return { source: SOURCES.scorer, detailType: DETAIL_TYPES.sdrTaskCreated, detail };
}

export function enrollmentFinished(detail: EnrollmentFinishedDetail): BusEvent<EnrollmentFinishedDetail> {
  return { source: SOURCES.scorer, detailType: DETAIL_TYPES.enrollmentFinished, detail };
}

export function sdrTaskCompleted(detail: SdrTaskCompletedDetail): BusEvent<SdrTaskCompletedDetail> {
  return { source: SOURCES.sdr, detailType: DETAIL_TYPES.sdrTaskCompleted, detail };
}
