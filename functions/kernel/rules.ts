/**
 * The rules of the bus, as the CDK rules use them verbatim and local mode's bus matches them, and
 * what SES publishes (on the account's default bus, the only one it can publish to).
 */
import { DETAIL_TYPES, SOURCE_OF } from './event-types';
import type { EngagementType } from './model';

// ---------------------------------------------------------------------------
// SES (configuration set -> EventBridge). SES publishes only to the account's DEFAULT bus.
// ---------------------------------------------------------------------------

export const AWS_SES_SOURCE = 'aws.ses';

/**
 * Every event type a configuration set publishes, by the detail type SES gives it on EventBridge
 * (https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-ses.html, "Amazon SES service
 * events"), mapped to the engagement it becomes; `null`: none (a delivery delay is neither engagement
 * nor a reason to suppress; a subscription change unsubscribes, functions/ingest/ses.ts). A rendering
 * failure, like a reject, is an email SES did not send.
 */
export const SES_DETAIL_TYPES = {
  'Email Sent': 'email.sent',
  'Email Rejected': 'email.rejected',
  'Email Bounced': 'email.bounced',
  'Email Complaint Received': 'email.complained',
  'Email Delivered': 'email.delivered',
  'Email Opened': 'email.opened',
  'Email Clicked': 'email.clicked',
  'Email Rendering Failed': 'email.rejected',
  'Email Delivery Delayed': null,
  'Email Subscribed': null,
} as const satisfies Record<string, EngagementType | null>;
export type SesDetailType = keyof typeof SES_DETAIL_TYPES;

/**
 * The `eventType` of each record (https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html,
 * "Top-level JSON object") and the detail type EventBridge carries it under.
 */
export const SES_EVENT_TYPES = {
  Send: 'Email Sent',
  Reject: 'Email Rejected',
  Bounce: 'Email Bounced',
  Complaint: 'Email Complaint Received',
  Delivery: 'Email Delivered',
  Open: 'Email Opened',
  Click: 'Email Clicked',
  'Rendering Failure': 'Email Rendering Failed',
  DeliveryDelay: 'Email Delivery Delayed',
  Subscription: 'Email Subscribed',
} as const satisfies Record<string, SesDetailType>;

/** The tag SES adds to every event published through a configuration set: the set's name. */
export const SES_CONFIGURATION_SET_TAG = 'ses:configuration-set';

/** SES message tags the engine sets on every email (SendEmail `EmailTags`); they arrive in `mail.tags`. */
export const SES_TAGS = {
  accountId: 'accountId',
  contactId: 'contactId',
  campaignId: 'campaignId',
  stepId: 'stepId',
  /** `true` on a template's test send (POST /templates/{id}/test-send): its events are never engagement. */
  test: 'abmTest',
} as const;

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
    source: [SOURCE_OF[DETAIL_TYPES.engagementRecorded]],
    'detail-type': [DETAIL_TYPES.engagementRecorded],
  },
  /** Default bus (SES can publish nowhere else) -> SES normaliser. */
  sesEngagement: {
    source: [AWS_SES_SOURCE],
    'detail-type': Object.keys(SES_DETAIL_TYPES),
  },
  /** Engagement bus -> the audience sync's queue (functions/ads): ad audience changes and erasures. */
  adsAudienceChanged: {
    source: [SOURCE_OF[DETAIL_TYPES.adsAudienceChanged]],
    'detail-type': [DETAIL_TYPES.adsAudienceChanged],
  },
  /** Engagement bus -> the program trigger queue (functions/programs): intent surges and CRM stages. */
  programEngagement: {
    source: [SOURCE_OF[DETAIL_TYPES.engagementRecorded]],
    'detail-type': [DETAIL_TYPES.engagementRecorded],
    detail: { type: ['intent.surge', 'crm.stage_changed'] },
  },
  /** Engagement bus -> the program trigger queue: stage changes, score changes, imports. */
  programAccountChanges: {
    source: [SOURCE_OF[DETAIL_TYPES.stageChanged], SOURCE_OF[DETAIL_TYPES.accountImported]],
    'detail-type': [DETAIL_TYPES.stageChanged, DETAIL_TYPES.scoreChanged, DETAIL_TYPES.accountImported],
  },
  /** Engagement bus -> the CRM task sync's queue (functions/crm): every SDR task goes to the CRM. */
  crmTaskCreated: {
    source: [SOURCE_OF[DETAIL_TYPES.sdrTaskCreated]],
    'detail-type': [DETAIL_TYPES.sdrTaskCreated],
  },
  /** Engagement bus -> the alarm topic: the sender reputation breaker tripped. */
  sendingPaused: {
    source: [SOURCE_OF[DETAIL_TYPES.sendingPaused]],
    'detail-type': [DETAIL_TYPES.sendingPaused],
  },
} as const satisfies Record<string, RulePattern>;
export type RuleName = keyof typeof RULES;

/**
 * RULES.sesEngagement narrowed to one configuration set. Every configuration set of the account (each
 * stage's, other applications') publishes to the one default bus, so the rule keeps only events
 * whose `mail.tags["ses:configuration-set"]` names this stage's set. SES adds that tag to every event
 * it publishes through a configuration set (a list of one string; an EventBridge pattern value matches
 * when any element of an array field equals it):
 * https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-firehose-contents.html
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html
 */
export function sesEngagementPattern(configurationSetName: string): RulePattern {
  return {
    ...RULES.sesEngagement,
    detail: { mail: { tags: { [SES_CONFIGURATION_SET_TAG]: [configurationSetName] } } },
  };
}
