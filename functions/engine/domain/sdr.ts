/**
 * Composing an SDR task (docs/architecture.md "Sequences" `sdr_task`): who to call and when it is due, why now, and
 * what to say to that role. Pure; the service stores and publishes it.
 */
import { createHash } from 'node:crypto';
import type { Account, Contact, Role, SdrTask, SdrTaskStep, SendWindow, Tier } from '../../kernel/model';
import type { ClosedDay } from '../../kernel/holidays';
import { addBusinessDays, addBusinessHours, localTimeLabel } from './business-hours';

export type Sla = { businessHours: number } | { businessDays: number };

/** Tier 1: 4 business hours, tier 2: 1 business day, tier 3: 3 business days. */
export const DEFAULT_SDR_SLA: Record<Tier, Sla> = {
  1: { businessHours: 4 },
  2: { businessDays: 1 },
  3: { businessDays: 3 },
};

export const DEFAULT_TALKING_POINTS: Record<Role, string[]> = {
  economic_buyer: [
    'Lead with business outcome and payback period, not features',
    'Offer a short ROI review with their finance partner',
  ],
  technical_evaluator: [
    'Cover integration with their stack, security review and data residency',
    'Offer a hands-on technical session or sandbox',
  ],
  champion: ['Ask what they need to sell this internally', 'Offer material for their next internal meeting'],
  end_user: [
    'Ask about day-to-day pain points with the current process',
    'Offer a short demo of the daily workflow',
  ],
  blocker: [
    'Acknowledge concerns first; ask what would have to be true',
    'Offer references from similar companies',
  ],
  influencer: ['Share a relevant customer story', 'Ask who else should be part of the conversation'],
};

export interface SdrTaskInput {
  account: Pick<Account, 'accountId' | 'name' | 'tier' | 'ownerSdr' | 'stage' | 'industry'>;
  contact: Pick<Contact, 'contactId' | 'name' | 'role' | 'phone' | 'timeZone' | 'title'>;
  step: SdrTaskStep;
  campaignId: string;
  touchId: string;
  now: Date;
  window: SendWindow;
  /** The contact's closed days (holidays, closed dates) under the window. */
  closed?: ClosedDay;
  score: number;
  recentEngagement: string[];
  lastTouches: string[];
  defaultOwner: string;
  sla?: Partial<Record<Tier, Sla>>;
  talkingPoints?: Partial<Record<Role, string[]>>;
}

/** A task id derived from the touch id: a retried step produces the same task, not a second one. */
export function taskIdFor(touchId: string): string {
  return `task-${createHash('sha256').update(touchId).digest('hex').slice(0, 24)}`;
}

export function dueAt(
  now: Date,
  tier: Tier,
  timeZone: string,
  window: SendWindow,
  sla?: Partial<Record<Tier, Sla>>,
  closed?: ClosedDay,
): Date {
  const rule = sla?.[tier] ?? DEFAULT_SDR_SLA[tier];
  return 'businessHours' in rule
    ? addBusinessHours(now, rule.businessHours, timeZone, window, closed)
    : addBusinessDays(now, rule.businessDays, timeZone, window, closed);
}

export function composeSdrTask(input: SdrTaskInput): SdrTask {
  const { account, contact, step, now } = input;
  const due = dueAt(now, account.tier, contact.timeZone, input.window, input.sla, input.closed);
  const why = [
    `${account.name} (tier ${account.tier}, ${account.stage})`,
    `score ${Math.round(input.score * 10) / 10}`,
    input.recentEngagement.length > 0
      ? `recent: ${input.recentEngagement.slice(0, 3).join('; ')}`
      : 'no recent engagement',
  ].join(', ');
  return {
    taskId: taskIdFor(input.touchId),
    accountId: account.accountId,
    contactId: contact.contactId,
    owner: account.ownerSdr ?? input.defaultOwner,
    type: step.taskType,
    status: 'open',
    priority: step.priority ?? account.tier,
    dueAt: due.toISOString(),
    reason: `Sequence step ${step.id}: ${step.taskType} ${contact.name} (${contact.role.replace('_', ' ')}). Why now: ${why}`,
    context: {
      contact: {
        name: contact.name,
        role: contact.role,
        phone: contact.phone,
        timeZone: contact.timeZone,
        localTime: localTimeLabel(now, contact.timeZone),
      },
      score: input.score,
      stage: account.stage,
      talkingPoints: input.talkingPoints?.[contact.role] ?? DEFAULT_TALKING_POINTS[contact.role],
      recentEngagement: input.recentEngagement,
      lastTouches: input.lastTouches,
    },
    campaignId: input.campaignId,
    stepId: step.id,
    createdAt: now.toISOString(),
  };
}
