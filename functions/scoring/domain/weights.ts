/** Weight of one event: base weight by type (refined by page, outcome, strength) x role multiplier. */
import type { ResolvedScoringConfig } from './config';
import type { ScoringEvent } from './state';

export function baseWeight(event: ScoringEvent, config: ResolvedScoringConfig): number {
  const props = event.properties ?? {};
  switch (event.type) {
    case 'web.visit': {
      const page =
        typeof props.page === 'string' ? props.page : typeof props.url === 'string' ? props.url : '';
      const pricing = props.pricingPage === true || (page !== '' && config.pricingPageRegex.test(page));
      return pricing ? config.pricingPageWeight : config.weights['web.visit'];
    }
    case 'intent.surge': {
      const raw = typeof props.strength === 'number' && Number.isFinite(props.strength) ? props.strength : 1;
      const strength = Math.min(1, Math.max(0, raw > 1 ? raw / 100 : raw));
      return config.weights['intent.surge'] * strength;
    }
    case 'sdr.call_logged':
    case 'meeting.booked': {
      const outcome = typeof props.outcome === 'string' ? props.outcome : undefined;
      if (event.type === 'sdr.call_logged' && outcome && outcome in config.outcomeWeights) {
        return config.outcomeWeights[outcome] as number;
      }
      return config.weights[event.type];
    }
    default:
      return config.weights[event.type] ?? 0;
  }
}

export function roleMultiplier(event: ScoringEvent, config: ResolvedScoringConfig): number {
  return event.role
    ? (config.roleMultipliers[event.role] ?? config.unknownRoleMultiplier)
    : config.unknownRoleMultiplier;
}

export function eventWeight(event: ScoringEvent, config: ResolvedScoringConfig): number {
  return baseWeight(event, config) * roleMultiplier(event, config);
}

/** Does this event make its contact engaged? */
export function isEngaging(event: ScoringEvent, weight: number, config: ResolvedScoringConfig): boolean {
  return event.contactId !== undefined && weight > 0 && config.engagingTypes.includes(event.type);
}
