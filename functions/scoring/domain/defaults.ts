/**
 * The default scoring configuration, resolved to milliseconds once. Readers of the score state that
 * take no overrides (the engine's facts, the account view) use it without the validation schema.
 */
import { durationMillis } from '../../kernel/duration';
import type { EngagementType } from '../../kernel/model';
import type { ScoringConfig, Thresholds } from './config';

// The default decay half-life and engaged window, in days: the configuration states them as ISO
// durations, the engine's facts in milliseconds (DEFAULT_ENGAGEMENT_WINDOWS, below).
const HALF_LIFE_DAYS = 14;
const ENGAGED_WINDOW_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

/** `P<days>D`. Declared free of side effects so bundles that never read the defaults drop them. */
/* @__NO_SIDE_EFFECTS__ */
function isoDays(days: number): string {
  return `P${days}D`;
}

// What the account view reads besides the decay (readout.ts), declared on their own so that a bundle
// reading them does not carry the whole configuration below.
export const DEFAULT_ENGAGED_WINDOW = isoDays(ENGAGED_WINDOW_DAYS);
export const DEFAULT_ENGAGING_TYPES: EngagementType[] = [
  'email.clicked',
  'email.replied',
  'meeting.booked',
  'sdr.call_logged',
  'content.downloaded',
  'event.attended',
];
export const DEFAULT_MQA: Thresholds = { minScore: 60, minEngagedContacts: 3, minEngagedRoles: 3 };
export const DEFAULT_EXIT_RATIO = 0.8;

export const DEFAULT_SCORING_CONFIG: ScoringConfig = {
  halfLife: isoDays(HALF_LIFE_DAYS),
  engagedWindow: DEFAULT_ENGAGED_WINDOW,
  weights: {
    'email.sent': 0,
    'email.delivered': 0,
    'email.opened': 1,
    'email.clicked': 4,
    'email.replied': 12,
    'email.bounced': 0,
    'email.complained': -15,
    'email.rejected': 0,
    'web.visit': 1,
    'ad.clicked': 2,
    'intent.surge': 8,
    'meeting.booked': 40,
    'sdr.call_logged': 3,
    'direct_mail.delivered': 1,
    'crm.stage_changed': 0,
    'content.downloaded': 6,
    // Per company report, not per person: a weak signal that an account is seeing the ads.
    'ad.impression': 0.5,
    'event.registered': 5,
    'event.attended': 15,
  },
  pricingPagePattern: 'pricing',
  pricingPageWeight: 4,
  outcomeWeights: {
    connected: 8,
    meeting_booked: 40,
    voicemail: 0,
    no_answer: 0,
    not_interested: -5,
    bad_number: 0,
  },
  roleMultipliers: {
    economic_buyer: 1.5,
    champion: 1.3,
    technical_evaluator: 1.2,
    influencer: 1.0,
    end_user: 0.8,
    blocker: 0.5,
  },
  unknownRoleMultiplier: 0.7,
  engagingTypes: DEFAULT_ENGAGING_TYPES,
  engaged: { minScore: 10, minEngagedContacts: 0, minEngagedRoles: 0 },
  mqa: DEFAULT_MQA,
  exitRatio: DEFAULT_EXIT_RATIO,
  crmStages: {
    opportunity: 'opportunity',
    opportunity_created: 'opportunity',
    customer: 'customer',
    closed_won: 'customer',
    disqualified: 'disqualified',
    closed_lost: 'disqualified',
    // "Recycled": back to nurture; the score decides target/engaged/mqa again.
    target: 'target',
    recycled: 'target',
  },
  dedupHorizon: 'P90D',
  maxSeenIds: 5000,
  maxContributors: 25,
  defaultTaskOwner: 'unassigned',
};

/** The configuration with millisecond durations resolved once. */
export interface ResolvedScoringConfig extends ScoringConfig {
  halfLifeMs: number;
  engagedWindowMs: number;
  dedupHorizonMs: number;
  pricingPageRegex: RegExp;
}

export function resolveScoringConfig(config: ScoringConfig): ResolvedScoringConfig {
  const halfLifeMs = durationMillis(config.halfLife);
  if (halfLifeMs <= 0) throw new Error('scoring config: halfLife must be positive');
  return {
    ...config,
    halfLifeMs,
    engagedWindowMs: durationMillis(config.engagedWindow),
    dedupHorizonMs: durationMillis(config.dedupHorizon),
    pricingPageRegex: new RegExp(config.pricingPagePattern, 'i'),
  };
}

/** What the account's engagement at a time depends on: the score's decay and the engaged window. */
export type EngagementWindows = Pick<ResolvedScoringConfig, 'halfLifeMs' | 'engagedWindowMs'>;

/**
 * The default decay and engaged window in milliseconds (the same day counts as the configuration
 * above): the engine's facts need only these, so its functions carry neither the whole
 * configuration nor the duration parser.
 */
export const DEFAULT_ENGAGEMENT_WINDOWS: EngagementWindows = {
  halfLifeMs: HALF_LIFE_DAYS * DAY_MS,
  engagedWindowMs: ENGAGED_WINDOW_DAYS * DAY_MS,
};
