/**
 * Which programs a bus event fires (pure): the trigger's kind and thresholds, then the account
 * against the program's audience. A trigger fires on the event that makes it true, not on every
 * event while it holds: a score crossing is the event whose previous score was below the threshold
 * and whose score is at or above it; a stage entered is the change into that stage.
 */
import type { Account, Program, ProgramAudience, ProgramTrigger } from '../kernel/model';

/** The bus events programs listen to, as the trigger handler hands them over. */
export type TriggerEvent =
  | {
      detailType: 'engagement.recorded';
      detail: { eventId: string; accountId: string; type: string; properties?: Record<string, unknown> };
    }
  | {
      detailType: 'account.stage_changed';
      detail: { eventId: string; accountId: string; from: string; to: string };
    }
  | {
      detailType: 'account.score_changed';
      detail: { eventId: string; accountId: string; score: number; previousScore: number };
    }
  | {
      detailType: 'account.imported';
      detail: { eventId: string; accountId: string; tier: number; cluster?: string | null };
    };

export function triggerFires(trigger: ProgramTrigger, event: TriggerEvent): boolean {
  switch (trigger.type) {
    case 'intent.surge': {
      if (event.detailType !== 'engagement.recorded' || event.detail.type !== 'intent.surge') return false;
      const props = event.detail.properties ?? {};
      const strength = typeof props.strength === 'number' ? props.strength : -1;
      if (strength < trigger.minStrength) return false;
      if (!trigger.topics) return true;
      const topic = typeof props.topic === 'string' ? props.topic.toLowerCase() : undefined;
      return topic !== undefined && trigger.topics.some((t) => t.toLowerCase() === topic);
    }
    case 'stage.entered':
      return (
        event.detailType === 'account.stage_changed' &&
        event.detail.to === trigger.stage &&
        event.detail.from !== trigger.stage
      );
    case 'score.crossed':
      return (
        event.detailType === 'account.score_changed' &&
        event.detail.previousScore < trigger.minScore &&
        event.detail.score >= trigger.minScore
      );
    case 'crm.stage_changed':
      return (
        event.detailType === 'engagement.recorded' &&
        event.detail.type === 'crm.stage_changed' &&
        event.detail.properties?.stage === trigger.stage
      );
    case 'account.imported':
      return (
        event.detailType === 'account.imported' &&
        (!trigger.tiers || trigger.tiers.includes(event.detail.tier as 1 | 2 | 3)) &&
        (!trigger.clusters ||
          (event.detail.cluster != null && trigger.clusters.includes(event.detail.cluster)))
      );
  }
}

/** Why the account is not in the program's audience, or undefined when it is. */
export function outsideAudience(audience: ProgramAudience, account: Account): string | undefined {
  if (audience.tiers.length > 0 && !audience.tiers.includes(account.tier)) return 'tier';
  if (
    audience.clusters.length > 0 &&
    (account.cluster == null || !audience.clusters.includes(account.cluster))
  )
    return 'cluster';
  if (
    audience.industries.length > 0 &&
    (!account.industry || !audience.industries.includes(account.industry))
  )
    return 'industry';
  if ((account.fit?.score ?? 0) < audience.minFit) return 'fit';
  return undefined;
}

/** The active programs an event fires. */
export function firingPrograms(programs: readonly Program[], event: TriggerEvent): Program[] {
  return programs.filter((p) => p.status === 'active' && triggerFires(p.trigger, event));
}
