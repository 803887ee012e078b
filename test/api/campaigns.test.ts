/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies are read loosely in tests */
import { REPORT_SCORE_HISTORY_ACCOUNTS } from '../../functions/reports/campaign-report';
import { buildRig, detail, ebRecord } from '../support/scoring';
import { beforeAll, describe, expect, it } from 'vitest';
import { account, expectErrorShape, SEQUENCE, startHarness, TEMPLATE } from '../support/api';
import { useHarness } from '../support/suite';
import { minimumDetectableDifference, newcombe, wilson } from '../../functions/kernel/stats';

const h = useHarness(() => startHarness({ inlineLimit: 100 }));
beforeAll(async () => {
  await h.call('PUT', '/templates/intro', { body: TEMPLATE });
  await h.call('PUT', '/sequences/tier1', { body: SEQUENCE });
  await h.call('PUT', '/sequences/exclusive-seq', { body: { ...SEQUENCE, exclusive: true } });
  const accounts = Array.from({ length: 20 }, (_, i) =>
    account(i, { tier: 2, cluster: i < 10 ? 'retail-eu' : 'retail-na' }),
  );
  expect((await h.call('POST', '/accounts/import', { body: { accounts } })).json.imported).toBe(20);
  await h.store.accounts.update('acct-00003', (a) => ({ ...a, suppressed: true }));
  await h.store.accounts.update('acct-00004', (a) => ({ ...a, stage: 'customer' }));
});

describe('POST /campaigns', () => {
  it('dryRun returns what would happen and changes nothing', async () => {
    const res = await h.call('POST', '/campaigns', {
      body: {
        campaignId: 'dry',
        name: 'Dry',
        sequenceId: 'tier1',
        audience: { tier: 2, cluster: 'retail-eu' },
        dryRun: true,
      },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      dryRun: true,
      mode: 'dry_run',
      enrolled: 8,
      heldOut: 0,
      audienceSize: 10,
    });
    expect(res.json.skipped).toEqual(
      expect.arrayContaining([
        { accountId: 'acct-00003', reason: 'suppressed' },
        { accountId: 'acct-00004', reason: 'stage_excluded' },
      ]),
    );
    expect(res.json.wouldEnroll).toHaveLength(8);
    // No holdout asked for: no lift to detect (stated, not guessed).
    expect(res.json.minimumDetectableLift).toEqual({ points: null, baselineRate: 0, treated: 8, holdout: 0 });
    expect(await h.store.campaigns.get('dry')).toBeUndefined();
    expect(h.starter.calls).toBe(0);
  });

  it('dryRun states the minimum detectable lift of the audience and holdout percentage', async () => {
    const dry = (holdoutPercent: number) =>
      h.call('POST', '/campaigns', {
        body: {
          campaignId: `dry-${holdoutPercent}`,
          name: 'Dry',
          sequenceId: 'tier1',
          audience: { tier: 2 },
          holdoutPercent,
          dryRun: true,
        },
      });
    const small = (await dry(20)).json;
    const large = (await dry(50)).json;
    for (const r of [small, large]) {
      const { treated, holdout, points } = r.minimumDetectableLift;
      expect([treated, holdout]).toEqual([r.enrolled, r.heldOut]);
      expect(holdout).toBeGreaterThan(0);
      // No account of tier 2 is engaged yet: stated around 50%, the widest.
      expect(points).toBeCloseTo(100 * minimumDetectableDifference(0.5, treated, holdout)!, 2);
    }
    // An even split detects a smaller lift than a 20% holdout of the same audience.
    expect(large.minimumDetectableLift.points).toBeLessThan(small.minimumDetectableLift.points);
  });

  it('enrolls each account once, with one execution named from campaign and account; a second launch changes nothing', async () => {
    const body = {
      campaignId: 'eu-q1',
      name: 'EU Q1',
      sequenceId: 'tier1',
      audience: { tier: 2, cluster: 'retail-eu' },
    };
    const first = await h.call('POST', '/campaigns', { body });
    expect(first.status).toBe(202);
    expect(first.json).toMatchObject({
      campaignId: 'eu-q1',
      mode: 'inline',
      enrolled: 8,
      heldOut: 0,
      status: 'running',
      version: 1,
    });
    expect(h.starter.started).toHaveLength(8);
    const input = h.starter.started[0];
    expect(input).toMatchObject({
      campaignId: 'eu-q1',
      executionName: `eu-q1--${input.accountId}`,
      sequence: { id: 'tier1', version: 1 },
    });

    const second = await h.call('POST', '/campaigns', { body });
    expect(second.status).toBe(202);
    expect(second.json.enrolled).toBe(0);
    expect(second.json.skipped.filter((s: any) => s.reason === 'already_enrolled')).toHaveLength(8);
    const enrollments = await h.store.enrollments.listOfCampaign('eu-q1', { limit: 100 });
    expect(enrollments.items).toHaveLength(8);
    expect(new Set(h.starter.started.map((s) => s.executionName)).size).toBe(8);
    expect((await h.store.campaigns.get('eu-q1'))?.enrolled).toBe(8);
  });

  it('skips accounts in an exclusive sequence, and an exclusive sequence skips accounts enrolled elsewhere', async () => {
    const ex = await h.call('POST', '/campaigns', {
      body: {
        campaignId: 'ex',
        name: 'Ex',
        sequenceId: 'exclusive-seq',
        audience: { accountIds: ['acct-00000', 'acct-00010', 'ghost'] },
      },
    });
    expect(ex.status).toBe(202);
    expect(ex.json.enrolled).toBe(1); // acct-00010 (NA); acct-00000 is in eu-q1
    expect(ex.json.skipped).toEqual(
      expect.arrayContaining([
        { accountId: 'ghost', reason: 'not_found' },
        { accountId: 'acct-00000', reason: 'in_exclusive_sequence' },
      ]),
    );
    const other = await h.call('POST', '/campaigns', {
      body: {
        campaignId: 'na',
        name: 'NA',
        sequenceId: 'tier1',
        audience: { tier: 2, cluster: 'retail-na' },
      },
    });
    expect(other.json.skipped).toContainEqual({ accountId: 'acct-00010', reason: 'in_exclusive_sequence' });
  });

  it('derives a stable campaign id from the request when none is given', async () => {
    const body = {
      name: 'No Id',
      sequenceId: 'tier1',
      audience: { accountIds: ['acct-00001'] },
      dryRun: true,
    };
    const a = await h.call('POST', '/campaigns', { body });
    const b = await h.call('POST', '/campaigns', { body });
    expect(a.json.campaignId).toMatch(/^no-id-[0-9a-f]{10}$/);
    expect(a.json.campaignId).toBe(b.json.campaignId);
  });

  it.each([
    ['missing field', { name: 'x', audience: { tier: 1 } }, 'body.sequenceId'],
    [
      'wrong type',
      { name: 'x', sequenceId: 'tier1', audience: { tier: 1 }, holdoutPercent: 'ten' },
      'body.holdoutPercent',
    ],
    ['unknown enum value', { name: 'x', sequenceId: 'tier1', audience: { tier: 4 } }, 'body.audience.tier'],
    ['empty audience', { name: 'x', sequenceId: 'tier1', audience: {} }, 'body.audience'],
    ['unknown field', { name: 'x', sequenceId: 'tier1', audience: { tier: 1 }, color: 'red' }, 'body'],
  ])('400 for %s', async (_n, body, path) => {
    const e = expectErrorShape(await h.call('POST', '/campaigns', { body }), 400);
    expect(e.details.map((d) => d.path)).toContain(path);
  });

  it('404 for an unknown sequence or version; 409 for the same campaign id with another sequence', async () => {
    expectErrorShape(
      await h.call('POST', '/campaigns', { body: { name: 'x', sequenceId: 'nope', audience: { tier: 1 } } }),
      404,
    );
    expectErrorShape(
      await h.call('POST', '/campaigns', {
        body: { name: 'x', sequenceId: 'tier1', version: 7, audience: { tier: 1 } },
      }),
      404,
    );
    expectErrorShape(
      await h.call('POST', '/campaigns', {
        body: { campaignId: 'eu-q1', name: 'x', sequenceId: 'exclusive-seq', audience: { tier: 2 } },
      }),
      409,
      'conflict',
    );
    expect(await h.store.campaigns.get('x')).toBeUndefined();
  });
});

describe('holdout and the launcher path', () => {
  it('a 20% holdout over 1,000 accounts holds out 200 +- 30, the same accounts every time, recorded and never started', async () => {
    const accounts = Array.from({ length: 1000 }, (_, i) => account(10_000 + i, { tier: 3 }));
    expect((await h.call('POST', '/accounts/import', { body: { accounts } })).json.imported).toBe(1000);
    const body = {
      campaignId: 'big',
      name: 'Big',
      sequenceId: 'tier1',
      audience: { tier: 3 },
      holdoutPercent: 20,
    };
    const dry = await h.call('POST', '/campaigns', { body: { ...body, dryRun: true } });
    const before = h.starter.started.length;
    const res = await h.call('POST', '/campaigns', { body });
    expect(res.status).toBe(202);
    expect(res.json.mode).toBe('launcher'); // > inlineLimit: handed to the runner
    expect(res.json.heldOut).toBeGreaterThanOrEqual(170);
    expect(res.json.heldOut).toBeLessThanOrEqual(230);
    expect(res.json.heldOut + res.json.enrolled).toBe(1000);
    expect(res.json.heldOut).toBe(dry.json.heldOut);
    expect(dry.json.wouldHoldOut).toHaveLength(res.json.heldOut);

    const started = h.starter.started.slice(before).map((s) => s.accountId);
    expect(started).toHaveLength(res.json.enrolled);
    const heldOut = new Set(dry.json.wouldHoldOut as string[]);
    expect(started.some((id) => heldOut.has(id))).toBe(false);
    const stored = await h.store.enrollments.get(dry.json.wouldHoldOut[0], 'big');
    expect(stored?.status).toBe('held_out');
    const campaign = await h.store.campaigns.get('big');
    expect(campaign).toMatchObject({
      status: 'running',
      heldOut: res.json.heldOut,
      enrolled: res.json.enrolled,
    });

    const again = await h.call('POST', '/campaigns', { body });
    expect(again.json.enrolled + again.json.heldOut).toBe(0);
    expect(h.starter.started.length - before).toBe(res.json.enrolled);
  }, 60_000);
});

describe('control', () => {
  it('pause, resume and stop one enrollment; held-out enrollments are never touched', async () => {
    const id = 'acct-00000';
    expect((await h.call('POST', `/campaigns/eu-q1/enrollments/${id}/pause`)).json).toMatchObject({
      changed: 1,
    });
    expect((await h.store.enrollments.get(id, 'eu-q1'))?.status).toBe('paused');
    // The engine parked the paused enrollment on a token.
    await h.store.enrollments.update(id, 'eu-q1', (e) => ({ ...e, taskToken: 'park-token' }));
    const resumed = await h.call('POST', `/campaigns/eu-q1/enrollments/${id}/resume`);
    expect(resumed.json.enrollments).toEqual([{ accountId: id, status: 'running' }]);
    expect(h.control.resumed).toEqual([
      { taskToken: 'park-token', output: expect.objectContaining({ resumed: true }) },
    ]);
    const stopped = await h.call('POST', `/campaigns/eu-q1/enrollments/${id}/stop`);
    expect(stopped.json.enrollments).toEqual([{ accountId: id, status: 'stopped' }]);
    expect(h.control.stopped.map((s) => s.executionName)).toEqual([`eu-q1--${id}`]);
    expectErrorShape(await h.call('POST', `/campaigns/eu-q1/enrollments/${id}/resume`), 409);
    expectErrorShape(await h.call('POST', `/campaigns/eu-q1/enrollments/ghost/pause`), 404);
    const held = (await h.store.enrollments.listOfCampaign('big', { limit: 1000 })).items.find(
      (e) => e.status === 'held_out',
    )!;
    expectErrorShape(await h.call('POST', `/campaigns/big/enrollments/${held.accountId}/stop`), 409);
  });

  it('a paused enrollment that was waiting on engagement goes back to waiting and keeps its await token', async () => {
    const id = 'acct-00001';
    await h.store.enrollments.update(id, 'eu-q1', (e) => ({
      ...e,
      status: 'waiting',
      taskToken: 'await-token',
      waitingFor: { stepId: 'wait', until: { minScore: 40 }, since: '2026-11-23T09:00:00.000Z' },
    }));
    await h.call('POST', '/campaigns/eu-q1/pause');
    expect((await h.store.enrollments.get(id, 'eu-q1'))?.status).toBe('paused');
    const before = h.control.resumed.length;
    await h.call('POST', '/campaigns/eu-q1/resume');
    const e = await h.store.enrollments.get(id, 'eu-q1');
    expect(e).toMatchObject({ status: 'waiting', taskToken: 'await-token' });
    expect(h.control.resumed.length).toBe(before);
  });

  it('campaign pause, resume and stop apply to every active enrollment; unknown campaign -> 404', async () => {
    const paused = await h.call('POST', '/campaigns/eu-q1/pause');
    expect(paused.json).toMatchObject({ status: 'paused', changed: 7 });
    const view = (await h.call('GET', '/campaigns/eu-q1')).json;
    expect(view.byStatus).toMatchObject({ paused: 7, stopped: 1 });
    // Where they are: none has run a step in this harness, so all 7 are at the first step; one
    // moved on counts at its step.
    expect(view.byStep).toEqual({ intro: 7 });
    const moved = (await h.store.enrollments.listOfCampaign('eu-q1', { limit: 100 })).items.find(
      (e) => e.status === 'paused',
    )!;
    await h.store.enrollments.update(moved.accountId, 'eu-q1', (e) => ({ ...e, stepId: 'call-1' }));
    expect((await h.call('GET', '/campaigns/eu-q1')).json.byStep).toEqual({ intro: 6, 'call-1': 1 });
    await h.call('POST', '/campaigns/eu-q1/resume');
    const stop = await h.call('POST', '/campaigns/eu-q1/stop');
    expect(stop.json).toMatchObject({ status: 'stopped', changed: 7 });
    expectErrorShape(await h.call('POST', '/campaigns/eu-q1/resume'), 409);
    expectErrorShape(await h.call('POST', '/campaigns/ghost/pause'), 404);
    expectErrorShape(await h.call('GET', '/campaigns/ghost'), 404);
  });
});

describe('reports', () => {
  it('per-step funnel, committee coverage by role, engaged and MQA, lift over the holdout', async () => {
    const enrollments = (await h.store.enrollments.listOfCampaign('big', { limit: 1000 })).items;
    const treated = enrollments.filter((e) => e.status !== 'held_out').slice(0, 100);
    const held = enrollments.filter((e) => e.status === 'held_out').slice(0, 100);
    for (const [i, e] of treated.entries()) {
      await h.store.touches.record({
        touchId: `${e.executionName}#intro#${e.accountId}-eb`,
        accountId: e.accountId,
        campaignId: 'big',
        executionName: e.executionName,
        stepId: 'intro',
        channel: 'email',
        contactId: `${e.accountId}-eb`,
        role: 'economic_buyer',
        status: i < 90 ? 'sent' : 'skipped',
        reason: i < 90 ? undefined : 'no_consent',
        at: '2026-11-23T10:00:00.000Z',
      });
      if (i < 40)
        await h.store.accounts.update(e.accountId, (a) => ({ ...a, stage: i < 10 ? 'mqa' : 'engaged' }));
    }
    for (const [i, e] of held.entries())
      if (i < 10) await h.store.accounts.update(e.accountId, (a) => ({ ...a, stage: 'engaged' }));

    const res = await h.call('GET', '/reports/campaigns/big');
    expect(res.status).toBe(200);
    const r = res.json;
    expect(r.enrolled + r.heldOut).toBe(1000);
    expect(r.steps[0]).toMatchObject({
      stepId: 'intro',
      channel: 'email',
      sent: 90,
      skipped: 10,
      skippedByReason: { no_consent: 10 },
    });
    expect(r.coverage.byRole.economic_buyer).toMatchObject({ reached: 90, committee: r.enrolled });
    expect(r.coverage.byRole.champion.reached).toBe(0);
    expect(r.accountsEngaged).toBe(40);
    expect(r.mqa).toBe(10);
    expect(r.holdout.engaged).toBe(10);
    expect(r.lift.engagement).toBeCloseTo((40 / r.enrolled - 10 / r.heldOut) / (10 / r.heldOut), 3);
    expect(r.lift.mqa).toBeNull(); // no MQA in the holdout
    // The lift in points with Newcombe's interval, each rate with Wilson's (functions/kernel/stats.ts).
    const points = (40 / r.enrolled - 10 / r.heldOut) * 100;
    const ci = newcombe(40, r.enrolled, 10, r.heldOut)!;
    expect(r.lift.engagementRate.value).toBeCloseTo(points, 2);
    expect(r.lift.engagementRate.ci95.lower).toBeCloseTo(ci.lower * 100, 2);
    expect(r.lift.engagementRate.ci95.upper).toBeCloseTo(ci.upper * 100, 2);
    expect(r.lift.engagementRate.ci95.lower).toBeLessThan(r.lift.engagementRate.value);
    expect(r.treated.engagementRateCi95.lower).toBeCloseTo(wilson(40, r.enrolled).lower, 4);
    expect(r.holdout.mqaRateCi95).toEqual({ lower: 0, upper: expect.any(Number) });
    expect(r.lift.minimumDetectableLift).toBeGreaterThan(0);
    expectErrorShape(await h.call('GET', '/reports/campaigns/ghost'), 404);
  }, 60_000);

  it('carries the score history of treated accounts (scored by the real scorer), bounded', async () => {
    const enrollments = (await h.store.enrollments.listOfCampaign('big', { limit: 1000 })).items;
    const [t1, t2] = enrollments.filter((e) => e.status !== 'held_out').map((e) => e.accountId);
    const [held] = enrollments.filter((e) => e.status === 'held_out').map((e) => e.accountId);
    const rig = buildRig(h.db.client, h.db.tableName, { start: '2026-11-23T09:00:00.000Z' });
    const click = (accountId: string, id: string, at: string) =>
      ebRecord(detail(accountId, id, 'email.clicked', at, { contactId: `${accountId}-ch` }));
    await rig.scorer.handleBatch([
      click(t1!, 'h1', '2026-11-23T09:00:00Z'),
      click(held!, 'h2', '2026-11-23T09:00:00Z'),
    ]);
    rig.clock.set('2026-11-24T09:00:00.000Z');
    await rig.scorer.handleBatch([click(t1!, 'h3', '2026-11-24T09:00:00Z')]);
    await rig.scorer.handleBatch([click(t1!, 'h3', '2026-11-24T09:00:00Z')]); // a duplicate: no point

    const res = await h.call('GET', '/reports/campaigns/big');
    expect(res.status).toBe(200); // the response is validated against CampaignReport (the OpenAPI schema)
    const series = res.json.scoreHistory as { accountId: string; points: { at: string; value: number }[] }[];
    expect(series.length).toBeLessThanOrEqual(REPORT_SCORE_HISTORY_ACCOUNTS);
    const mine = series.find((s) => s.accountId === t1);
    expect(mine?.points.map((p) => p.at)).toEqual(['2026-11-23T09:00:00.000Z', '2026-11-24T09:00:00.000Z']);
    expect(mine!.points[1]!.value).toBeGreaterThan(mine!.points[0]!.value);
    expect(series.some((s) => s.accountId === t2)).toBe(false); // never scored
    expect(series.some((s) => s.accountId === held)).toBe(false); // held out: not treated
  }, 60_000);
});
