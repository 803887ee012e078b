/**
 * The default scoring configuration, resolved to milliseconds once. Readers of the score state that
 * take no overrides (the engine's facts, the account view) use it without the validation schema.
 */
import { durationMillis } from '../../kernel/duration';
import type { ScoringConfig } from './config';

export const DEFAULT_SCORING_CONFIG: ScoringConfig = {
  halfLife: 'P14D',
  engagedWindow: 'P30D',
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
  engagingTypes: ['email.clicked', 'email.replied', 'meeting.booked', 'sdr.call_logged'],
  engaged: { minScore: 10, minEngagedContacts: 0, minEngagedRoles: 0 },
  mqa: { minScore: 60, minEngagedContacts: 3, minEngagedRoles: 3 },
  exitRatio: 0.8,
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
