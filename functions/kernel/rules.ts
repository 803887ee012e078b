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
} as const satisfies Record<string, RulePattern>;
export type RuleName = keyof typeof RULES;
