import { describe, expect, it } from 'vitest';
import { buildScenario } from '../../lib/demo/scenario';
import { DAY_MS, EngagementSimulator, type SimEvent } from '../../lib/demo/simulator';
import { renderReport, reportDigest } from '../../lib/demo/report';
import type { DemoResult } from '../../lib/demo/driver';

const scenario = buildScenario();
const T0 = Date.parse('2026-12-01T00:00:00Z');
const tier3 = scenario.accounts.filter((a) => a.tier === 3).map((a) => a.accountId!);

function ninetyDays(sim: EngagementSimulator, firstTouch: (id: string) => number | undefined): SimEvent[] {
  const out: SimEvent[] = [];
  for (let d = 0; d < 90; d++) out.push(...sim.daily(d, T0 + d * DAY_MS, firstTouch));
  return out;
}

describe('engagement simulator', () => {
  it('is deterministic in the seed and independent of call order', () => {
    const a = new EngagementSimulator(scenario, 1, 'run');
    const b = new EngagementSimulator(scenario, 1, 'run');
    const never = () => undefined;
    const forward = ninetyDays(a, never);
    const backward: SimEvent[] = [];
    for (let d = 89; d >= 0; d--) backward.push(...b.daily(d, T0 + d * DAY_MS, never));
    const key = (e: SimEvent) => e.eventId;
    expect(backward.map(key).sort()).toEqual(forward.map(key).sort());
    expect(ninetyDays(new EngagementSimulator(scenario, 2, 'run'), never).map(key)).not.toEqual(
      forward.map(key),
    );
  });

  it('emits events inside their day, with unique ids, for known accounts and contacts', () => {
    const sim = new EngagementSimulator(scenario, 1, 'run');
    const events = ninetyDays(sim, () => T0);
    expect(events.length).toBeGreaterThan(100);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
    const contacts = new Set(
      scenario.accounts.flatMap((a) => a.contacts!.map((c) => `${a.accountId}|${c.contactId}`)),
    );
    for (const e of events) {
      expect(e.at).toBeGreaterThanOrEqual(T0);
      expect(e.at).toBeLessThan(T0 + 90 * DAY_MS);
      if (e.contactId) expect(contacts.has(`${e.accountId}|${e.contactId}`)).toBe(true);
    }
  });

  it('uses one base model: untouched accounts behave the same whether or not others were touched', () => {
    const sim = new EngagementSimulator(scenario, 1, 'run');
    const held = new Set(tier3.slice(0, 20));
    const some = ninetyDays(sim, (id) => (held.has(id) ? undefined : T0));
    const none = ninetyDays(sim, () => undefined);
    const of = (events: SimEvent[]) => events.filter((e) => held.has(e.accountId)).map((e) => e.eventId);
    expect(of(some)).toEqual(of(none));
  });

  it('raises engagement only for touched accounts, and not to certainty', () => {
    const sim = new EngagementSimulator(scenario, 1, 'run');
    const touched = ninetyDays(sim, () => T0).filter((e) => tier3.includes(e.accountId));
    const untouched = ninetyDays(sim, () => undefined).filter((e) => tier3.includes(e.accountId));
    expect(touched.length).toBeGreaterThan(untouched.length * 1.5);
    expect(untouched.length).toBeGreaterThan(0);
    // A touch from the middle of the run on changes nothing before it.
    const mid = T0 + 45 * DAY_MS;
    const late = ninetyDays(sim, () => mid).filter((e) => e.at < mid - DAY_MS);
    const base = ninetyDays(sim, () => undefined).filter((e) => e.at < mid - DAY_MS);
    expect(late.map((e) => e.eventId)).toEqual(base.map((e) => e.eventId));
  });

  it('reacts to sent touches after they happen, and never to unknown contacts', () => {
    const sim = new EngagementSimulator(scenario, 1, 'run');
    const tier1 = scenario.accounts[0]!;
    let reactions = 0;
    for (const c of tier1.contacts!) {
      for (const stepId of ['intro', 'followup', 'nurture']) {
        const events = sim.reactions({
          accountId: tier1.accountId!,
          contactId: c.contactId,
          stepId,
          channel: 'email',
          at: T0,
        });
        for (const e of events) expect(e.at).toBeGreaterThan(T0);
        reactions += events.length;
      }
    }
    expect(reactions).toBeGreaterThan(0);
    expect(
      sim.reactions({
        accountId: tier1.accountId!,
        contactId: 'nobody',
        stepId: 'intro',
        channel: 'email',
        at: T0,
      }),
    ).toEqual([]);
    expect(
      sim.reactions({ accountId: 'nope', contactId: 'nobody', stepId: 'intro', channel: 'email', at: T0 }),
    ).toEqual([]);
  });

  it('works SDR tasks with a mix of outcomes, some left open', () => {
    const sim = new EngagementSimulator(scenario, 1, 'run');
    const plans = Array.from({ length: 400 }, (_, i) =>
      sim.taskPlan({ taskId: `task-${i}`, accountId: 'meridian-retail', type: 'call' }),
    );
    const outcomes = new Set(plans.map((p) => p?.outcome ?? 'open'));
    expect(outcomes).toContain('meeting_booked');
    expect(outcomes).toContain('voicemail');
    expect(outcomes).toContain('open');
    for (const p of plans) if (p) expect(p.delayMs).toBeLessThanOrEqual(2 * DAY_MS);
    expect(sim.taskPlan({ taskId: 'task-1', accountId: 'meridian-retail', type: 'call' })).toEqual(plans[1]);
  });
});

describe('demo report', () => {
  it('prints touches by channel and role, tasks, MQAs and the lift', () => {
    const rate = (accounts: number, engaged: number, mqa: number) => ({
      accounts,
      engaged,
      mqa,
      engagementRate: engaged / accounts,
      mqaRate: mqa / accounts,
      engagementRateCi95: { lower: 0, upper: 1 },
      mqaRateCi95: { lower: 0, upper: 1 },
    });
    const report = (campaignId: string, heldOut: number) => ({
      campaignId,
      sequenceId: 'seq',
      version: 1,
      enrolled: 180,
      heldOut,
      steps: [
        {
          stepId: 'intro',
          channel: 'email',
          sent: 400,
          failed: 0,
          skipped: 5,
          deferred: 0,
          uncertain: 0,
          inFlight: 0,
          skippedByReason: {},
        },
        {
          stepId: 'ads',
          channel: 'ads',
          sent: 300,
          failed: 0,
          skipped: 0,
          deferred: 0,
          uncertain: 0,
          inFlight: 0,
          skippedByReason: {},
        },
      ],
      coverage: {
        reached: 450,
        committee: 460,
        ratio: 0.978,
        byRole: { champion: { reached: 180, committee: 180, ratio: 1 } },
      },
      accountsEngaged: 40,
      mqa: 1,
      treated: rate(180, 40, 1),
      holdout: rate(20, 1, 0),
      lift: {
        engagement: 3.44,
        mqa: null,
        engagementPoints: 0.172,
        mqaPoints: 0.0056,
        engagementRate: { value: 17.22, ci95: { lower: 1.5, upper: 25.1 } },
        mqaRate: { value: 0.56, ci95: { lower: -15.5, upper: 3.1 } },
        minimumDetectableLift: 29.6,
        note: 'The holdout has 20 accounts, too few to conclude (at least 30).',
      },
      scoreHistory: [],
      generatedAt: '2027-03-01T00:00:00Z',
    });
    const result: DemoResult = {
      runTag: 'x',
      days: 90,
      clock: 'simulate',
      serverStart: '2026-12-01T00:00:00Z',
      serverEnd: '2027-03-01T00:00:00Z',
      serverNow: '2027-03-02T00:00:00Z',
      realSeconds: { seed: 5, simulate: 100, total: 105 },
      accounts: { tier1: 3, tier2: 12, tier3: 200, contacts: 603 },
      campaigns: [
        {
          key: 'tier3',
          campaignId: 'demo-tier3-x',
          name: 'Tier 3',
          sequenceId: 'seq',
          holdoutPercent: 10,
          launch: {} as never,
          report: report('demo-tier3-x', 20),
        },
      ],
      touchesByRole: { champion: { email: 10, ads: 5 } },
      tasks: {
        created: 3,
        byStatus: { completed: 2, open: 1 },
        byType: { call: 3 },
        byOwner: { 'sdr-ana': 3 },
        outcomes: { meeting_booked: 2 },
        completedByDemo: 2,
      },
      mqa: [
        { accountId: 'meridian-retail', name: 'Meridian Retail Group', tier: 1, day: 40, stageNow: 'mqa' },
      ],
      events: { sent: 10, accepted: 10, rejected: 0, unresolved: 0, byType: { 'web.visit': 10 } },
    };
    const text = renderReport(result);
    expect(text).toMatch(/tier3\s+400\s+300\s+0\s+0\s+700\s+5/);
    expect(text).toMatch(/champion\s+10\s+5\s+0\s+0\s+15\s+180\/180/);
    expect(text).toContain('created 3: 3 call');
    expect(text).toMatch(/Meridian Retail Group\s+meridian-retail\s+1\s+40\s+mqa/);
    expect(text).toContain('the stages read at the end of the run (server time 2027-03-02T00:00:00Z)');
    expect(text).toMatch(/treated\s+180\s+40\s+22\.2%/);
    expect(text).toContain('lift: engagement +344% (+17.2 pts), MQA n/a');
    expect(text).toContain(
      'Outcome: 1 account(s) reached MQA; tier-3 engagement against its holdout: +344% (+17.2 pts).',
    );
    // No real-time figure: the same run renders the same text (its digest).
    expect(text).not.toMatch(/real time/i);
    expect(reportDigest(text)).toBe(reportDigest(renderReport(result)));
  });
});
