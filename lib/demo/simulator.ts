/**
 * The engagement simulator: how the buying committees of the scenario react over 90 days.
 *
 * One model for every account, treated or held out:
 * - a base propensity per account (`affinity`, drawn once from the seed) drives web visits
 *   (some to the pricing page), intent surges and inbound meetings, every simulated day;
 * - a treatment effect applies only to accounts that were actually touched (a sent touch read back
 *   from the API): from the first touch on, the base rates rise, and each sent touch can draw a
 *   reaction from the person it reached (email opens, clicks, replies, ad clicks, meetings booked
 *   after a click or a direct-mail piece);
 * - SDR tasks are worked with outcomes drawn per task (some meetings booked, some left open).
 *
 * Every decision is a keyed draw (`draw(seed, ...)`), so the events depend on the seed and on what
 * the server did, never on the order in which the driver asks. Pure: no I/O, times in epoch ms.
 */
import type { EngagementType, Role, SdrOutcome } from '../../functions/kernel/model';
import { draw } from './random';
import type { Scenario } from './scenario';

export const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export interface SimEvent {
  eventId: string;
  type: EngagementType;
  /** Epoch ms in server time. */
  at: number;
  accountId: string;
  contactId?: string;
  properties: Record<string, unknown>;
}

export interface SentTouch {
  accountId: string;
  contactId: string;
  stepId: string;
  channel: 'email' | 'ads' | 'sdr_task' | 'direct_mail';
  /** Epoch ms. */
  at: number;
}

export interface TaskPlan {
  outcome: SdrOutcome;
  /** How long after it is due the SDR works the task. */
  delayMs: number;
}

interface TierModel {
  /** Per contact per day. */
  visit: number;
  /** Per account per day. */
  intent: number;
  /** Per contact per day: inbound demo requests. */
  inboundMeeting: number;
  /** Multiplier on the base rates once the account has been touched. */
  touchedBoost: number;
  open: number;
  clickGivenOpen: number;
  replyGivenClick: number;
  meetingGivenClick: number;
  adClick: number;
  meetingAfterMail: number;
  outcomes: readonly (readonly [SdrOutcome | 'leave_open', number])[];
}

export const TIER_MODELS: Record<1 | 2 | 3, TierModel> = {
  1: {
    visit: 0.03,
    intent: 0.012,
    inboundMeeting: 0.0008,
    touchedBoost: 2,
    open: 0.6,
    clickGivenOpen: 0.4,
    replyGivenClick: 0.25,
    meetingGivenClick: 0.2,
    adClick: 0.2,
    meetingAfterMail: 0.35,
    outcomes: [
      ['meeting_booked', 0.35],
      ['connected', 0.25],
      ['voicemail', 0.2],
      ['no_answer', 0.1],
      ['not_interested', 0.03],
      ['leave_open', 0.07],
    ],
  },
  2: {
    visit: 0.02,
    intent: 0.008,
    inboundMeeting: 0.0005,
    touchedBoost: 1.5,
    open: 0.5,
    clickGivenOpen: 0.4,
    replyGivenClick: 0.15,
    meetingGivenClick: 0.15,
    adClick: 0.12,
    meetingAfterMail: 0,
    outcomes: [
      ['meeting_booked', 0.25],
      ['connected', 0.25],
      ['voicemail', 0.2],
      ['no_answer', 0.15],
      ['not_interested', 0.05],
      ['leave_open', 0.1],
    ],
  },
  3: {
    visit: 0.02,
    intent: 0.008,
    inboundMeeting: 0.0008,
    touchedBoost: 1,
    open: 0.35,
    clickGivenOpen: 0.3,
    replyGivenClick: 0.08,
    meetingGivenClick: 0.06,
    adClick: 0.06,
    meetingAfterMail: 0,
    outcomes: [
      ['meeting_booked', 0.15],
      ['connected', 0.25],
      ['voicemail', 0.25],
      ['no_answer', 0.2],
      ['not_interested', 0.05],
      ['leave_open', 0.1],
    ],
  },
};

const PAGES = ['/pricing', '/product/route-planning', '/customers', '/blog/empty-miles', '/integrations'];

interface SimContact {
  contactId: string;
  role: Role;
}

interface SimAccount {
  accountId: string;
  tier: 1 | 2 | 3;
  affinity: number;
  contacts: SimContact[];
}

export class EngagementSimulator {
  private readonly accounts = new Map<string, SimAccount>();

  constructor(
    scenario: Scenario,
    private readonly seed: number = scenario.seed,
    /** Prefix of event ids: distinct per run, so a second run against the same server is not deduplicated. */
    private readonly runId = 'demo',
  ) {
    for (const a of scenario.accounts) {
      this.accounts.set(a.accountId!, {
        accountId: a.accountId!,
        tier: (a.tier ?? 3) as 1 | 2 | 3,
        // The same base propensity model for treated and held-out accounts.
        affinity: 0.4 + 1.2 * draw(seed, 'affinity', a.accountId!),
        contacts: (a.contacts ?? []).map((c) => ({ contactId: c.contactId, role: c.role })),
      });
    }
  }

  affinity(accountId: string): number {
    return this.accounts.get(accountId)?.affinity ?? 0;
  }

  private id(...parts: (string | number)[]): string {
    return [this.runId, ...parts].join(':').slice(0, 128);
  }

  private p(...key: (string | number)[]): number {
    return draw(this.seed, ...key);
  }

  /**
   * Base engagement of one simulated day for every account: web visits, intent surges, inbound
   * meetings. `firstTouchAt(accountId)` is when the account was first touched (undefined: never),
   * which switches the treatment boost on from that moment.
   */
  daily(day: number, dayStart: number, firstTouchAt: (accountId: string) => number | undefined): SimEvent[] {
    const out: SimEvent[] = [];
    for (const a of this.accounts.values()) {
      const m = TIER_MODELS[a.tier];
      const touchedAt = firstTouchAt(a.accountId);
      // Working hours in the Americas: 13:00 to 23:00 UTC.
      const at = (key: string) => dayStart + 13 * HOUR_MS + Math.floor(this.p('hour', key) * 10 * HOUR_MS);
      const boost = (t: number) => (touchedAt !== undefined && touchedAt <= t ? m.touchedBoost : 0);
      for (const c of a.contacts) {
        const key = `${a.accountId}:${c.contactId}:${day}`;
        const tVisit = at(`visit:${key}`);
        if (this.p('visit', key) < m.visit * a.affinity * (1 + boost(tVisit))) {
          const page =
            this.p('page', key) < 0.35 ? '/pricing' : PAGES[1 + Math.floor(this.p('pg', key) * 4)]!;
          out.push({
            eventId: this.id('visit', a.accountId, c.contactId, day),
            type: 'web.visit',
            at: tVisit,
            accountId: a.accountId,
            contactId: c.contactId,
            properties: { page },
          });
        }
        const tMeet = at(`meet:${key}`);
        if (this.p('inbound', key) < m.inboundMeeting * a.affinity * (1 + boost(tMeet))) {
          out.push({
            eventId: this.id('inbound', a.accountId, c.contactId, day),
            type: 'meeting.booked',
            at: tMeet,
            accountId: a.accountId,
            contactId: c.contactId,
            properties: { source: 'demo request form' },
          });
        }
      }
      const tIntent = at(`intent:${a.accountId}:${day}`);
      if (this.p('intent', a.accountId, day) < m.intent * a.affinity * (1 + boost(tIntent))) {
        out.push({
          eventId: this.id('intent', a.accountId, day),
          type: 'intent.surge',
          at: tIntent,
          accountId: a.accountId,
          properties: {
            topic: 'route optimization',
            strength: Math.round((0.3 + 0.7 * this.p('strength', a.accountId, day)) * 100) / 100,
          },
        });
      }
    }
    return out.sort((x, y) => x.at - y.at);
  }

  /** What the person reached by one sent touch does about it (may be nothing). */
  reactions(touch: SentTouch): SimEvent[] {
    const a = this.accounts.get(touch.accountId);
    if (!a) return [];
    const c = a.contacts.find((x) => x.contactId === touch.contactId);
    if (!c) return [];
    const m = TIER_MODELS[a.tier];
    const key = `${touch.accountId}:${touch.contactId}:${touch.stepId}`;
    const aff = Math.min(1.4, a.affinity);
    const out: SimEvent[] = [];
    const ev = (kind: string, type: EngagementType, at: number, properties: Record<string, unknown> = {}) =>
      out.push({
        eventId: this.id(kind, touch.accountId, touch.contactId, touch.stepId),
        type,
        at,
        accountId: touch.accountId,
        contactId: touch.contactId,
        properties: { ...properties, stepId: touch.stepId },
      });
    const later = (from: number, kind: string, maxHours: number) =>
      from + Math.floor((0.25 + this.p('lag', kind, key) * maxHours) * HOUR_MS);

    if (touch.channel === 'email') {
      if (this.p('open', key) >= m.open * aff) return out;
      const opened = later(touch.at, 'open', 48);
      ev('open', 'email.opened', opened);
      if (this.p('click', key) >= m.clickGivenOpen * aff) return out;
      const clicked = later(opened, 'click', 6);
      ev('click', 'email.clicked', clicked, { url: '/pricing' });
      ev('click-visit', 'web.visit', clicked + 60_000, { page: '/pricing' });
      if (this.p('reply', key) < m.replyGivenClick) ev('reply', 'email.replied', later(clicked, 'reply', 30));
      if (this.p('meeting', key) < m.meetingGivenClick * aff) {
        ev('meeting', 'meeting.booked', later(clicked, 'meeting', 120), { source: 'email' });
      }
    } else if (touch.channel === 'ads') {
      if (this.p('adclick', key) >= m.adClick * aff) return out;
      const clicked = later(touch.at, 'adclick', 14 * 24);
      ev('adclick', 'ad.clicked', clicked, { audience: touch.stepId });
      if (this.p('ad-visit', key) < 0.5) ev('ad-visit', 'web.visit', clicked + 60_000, { page: '/pricing' });
    } else if (touch.channel === 'direct_mail') {
      if (this.p('mail-meeting', key) < m.meetingAfterMail * aff) {
        ev('mail-meeting', 'meeting.booked', later(touch.at, 'mail', 10 * 24) + 3 * DAY_MS, {
          source: 'direct mail',
        });
      }
    }
    return out;
  }

  /** How an SDR works one task: its outcome and when; undefined leaves it open. */
  taskPlan(task: { taskId: string; accountId: string; type: string }): TaskPlan | undefined {
    const tier = this.accounts.get(task.accountId)?.tier ?? 3;
    const outcomes =
      task.type === 'hot_account'
        ? ([
            ['meeting_booked', 0.5],
            ['connected', 0.3],
            ['voicemail', 0.2],
          ] as const)
        : TIER_MODELS[tier].outcomes;
    let point = this.p('task', task.taskId);
    let outcome: SdrOutcome | 'leave_open' = outcomes[outcomes.length - 1]![0];
    for (const [o, w] of outcomes) {
      if (point < w) {
        outcome = o;
        break;
      }
      point -= w;
    }
    if (outcome === 'leave_open') return undefined;
    return { outcome, delayMs: Math.floor(this.p('task-delay', task.taskId) * 2 * DAY_MS) };
  }
}
