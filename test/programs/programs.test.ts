/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies are read loosely in tests */
/**
 * Always-on programs through the API and the trigger path (functions/programs): definitions are
 * validated and versioned; a firing trigger enrolls an account once per trigger event, within the
 * program's audience and re-entry rule; a program pauses, resumes and reports like a campaign.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DETAIL_TYPES } from '../../functions/kernel/events';
import { programsFeature, type ProgramsService, type TriggerEvent } from '../../functions/programs';
import { account, SEQUENCE, startHarness, TEMPLATE, type Harness } from '../support/api';

let h: Harness;
let programs: ProgramsService;

const surge = (
  eventId: string,
  accountId: string,
  strength: number,
  topic = 'freight audit',
): TriggerEvent => ({
  detailType: 'engagement.recorded',
  detail: { eventId, accountId, type: 'intent.surge', properties: { topic, strength } },
});
const stage = (eventId: string, accountId: string, from: string, to: string): TriggerEvent => ({
  detailType: 'account.stage_changed',
  detail: { eventId, accountId, from, to },
});
const NURTURE = {
  name: 'Intent surge to nurture',
  sequenceId: 'seq-1',
  trigger: { type: 'intent.surge', minStrength: 50, topics: ['freight audit'] },
  audience: { tiers: [3] },
  reentry: { after: 'P30D' },
};

beforeAll(async () => {
  h = await startHarness();
  expect((await h.call('PUT', '/templates/intro', { body: TEMPLATE })).status).toBeLessThan(300);
  expect((await h.call('PUT', '/sequences/seq-1', { body: SEQUENCE })).status).toBeLessThan(300);
  const accounts = [account(1, { tier: 3 }), account(2, { tier: 3 }), account(3, { tier: 1 })];
  expect((await h.call('POST', '/accounts/import', { body: { accounts } })).status).toBe(200);
  programs = programsFeature(h.platform);
});
afterAll(async () => h?.stop());
beforeEach(() => {
  h.publisher.events.length = 0;
});

describe('PUT /programs/{programId}', () => {
  it('creates (201) then replaces (200) a program, with its defaults, versioned', async () => {
    const created = await h.call('PUT', '/programs/surge', { body: NURTURE });
    expect(created.status, created.body).toBe(201);
    expect(created.json).toMatchObject({
      programId: 'surge',
      status: 'active',
      sequenceVersion: 1,
      entries: 0,
      version: 1,
      audience: { tiers: [3], clusters: [], industries: [], minFit: 0 },
    });
    const replaced = await h.call('PUT', '/programs/surge', { body: NURTURE });
    expect([replaced.status, replaced.json.version]).toEqual([200, 2]);
    expect((await h.call('GET', '/programs/surge')).json.version).toBe(2);
    expect((await h.call('GET', '/programs')).json.items.map((p: any) => p.programId)).toEqual(['surge']);
    // Its campaign exists, runs, and cannot be launched over.
    expect((await h.call('GET', '/campaigns/program-surge')).json.status).toBe('running');
    const launch = await h.call('POST', '/campaigns', {
      body: { campaignId: 'program-surge', name: 'x', sequenceId: 'seq-1', audience: { tier: 3 } },
    });
    expect(launch.status).toBe(409);
  });

  it('refuses bad definitions with the field at fault', async () => {
    const bad = async (body: unknown) => (await h.call('PUT', '/programs/bad', { body })).json.error.details;
    expect(await bad({ ...NURTURE, trigger: { type: 'moon.phase' } })).toEqual([
      expect.objectContaining({ path: 'body.trigger.type' }),
    ]);
    expect(await bad({ ...NURTURE, trigger: { type: 'intent.surge', minStrength: 150 } })).toEqual([
      expect.objectContaining({ path: 'body.trigger.minStrength' }),
    ]);
    expect(await bad({ ...NURTURE, reentry: { after: 'soon' } })).toEqual([
      expect.objectContaining({ path: 'body.reentry.after' }),
    ]);
    const missing = await h.call('PUT', '/programs/bad', { body: { ...NURTURE, sequenceId: 'nope' } });
    expect([missing.status, missing.json.error.details[0].path]).toEqual([404, 'body.sequenceId']);
    expect((await h.call('PUT', `/programs/${'x'.repeat(60)}`, { body: NURTURE })).status).toBe(400);
  });
});

describe('triggers', () => {
  it('an intent surge enrolls an account of the audience once per trigger event', async () => {
    expect(await programs.onEvent(surge('s-1', 'acct-00001', 80))).toEqual([
      { programId: 'surge', outcome: 'entered' },
    ]);
    const e = await h.store.enrollments.get('acct-00001', 'program-surge');
    expect(e).toMatchObject({ status: 'running', sequenceId: 'seq-1' });
    expect(e!.executionName).toMatch(/^program-surge--acct-00001-[0-9a-f]{12}$/);
    expect(h.starter.started.map((s) => s.executionName)).toContain(e!.executionName);
    // The same event again (a redelivery): nothing new.
    expect(await programs.onEvent(surge('s-1', 'acct-00001', 80))).toEqual([
      { programId: 'surge', outcome: 'duplicate' },
    ]);
    // Another surge while enrolled: still one entry.
    expect((await programs.onEvent(surge('s-2', 'acct-00001', 90)))[0].outcome).toBe('already_enrolled');
    expect((await h.call('GET', '/programs/surge')).json.entries).toBe(1);
  });

  it('does not fire on a weak surge, another topic, or outside the audience', async () => {
    expect(await programs.onEvent(surge('s-3', 'acct-00002', 40))).toEqual([]);
    expect(await programs.onEvent(surge('s-4', 'acct-00002', 90, 'payroll'))).toEqual([]);
    expect(await programs.onEvent(surge('s-5', 'acct-00003', 90))).toEqual([
      { programId: 'surge', outcome: 'outside_audience' },
    ]);
  });

  it('re-enters only after the cooldown, with a new execution name', async () => {
    const first = (await h.store.enrollments.get('acct-00001', 'program-surge'))!;
    await h.store.enrollments.update('acct-00001', 'program-surge', (e) => ({
      ...e,
      status: 'completed',
      finishedAt: h.clock.now().toISOString(),
    }));
    h.clock.advance(10 * 86_400_000);
    expect((await programs.onEvent(surge('s-6', 'acct-00001', 90)))[0].outcome).toBe('cooldown');
    h.clock.advance(21 * 86_400_000);
    expect((await programs.onEvent(surge('s-7', 'acct-00001', 90)))[0].outcome).toBe('entered');
    const again = (await h.store.enrollments.get('acct-00001', 'program-surge'))!;
    expect(again.status).toBe('running');
    expect(again.executionName).not.toBe(first.executionName);
    expect((await h.call('GET', '/programs/surge')).json.entries).toBe(2);
  });

  it('an MQA trigger enrolls once ever with reentry once, and a paused program enrolls nobody', async () => {
    const put = await h.call('PUT', '/programs/mqa-assist', {
      body: {
        name: 'MQA to sales assist',
        sequenceId: 'seq-1',
        trigger: { type: 'stage.entered', stage: 'mqa' },
      },
    });
    expect(put.status).toBe(201);
    expect(await programs.onEvent(stage('m-1', 'acct-00003', 'engaged', 'mqa'))).toEqual([
      { programId: 'mqa-assist', outcome: 'entered' },
    ]);
    await h.store.enrollments.update('acct-00003', 'program-mqa-assist', (e) => ({
      ...e,
      status: 'completed',
    }));
    expect((await programs.onEvent(stage('m-2', 'acct-00003', 'engaged', 'mqa')))[0].outcome).toBe('once');
    // Not a stage entered: staying MQA, or another stage.
    expect(await programs.onEvent(stage('m-3', 'acct-00002', 'mqa', 'mqa'))).toEqual([]);

    expect((await h.call('POST', '/programs/mqa-assist/pause')).json.status).toBe('paused');
    expect(await programs.onEvent(stage('m-4', 'acct-00002', 'engaged', 'mqa'))).toEqual([]);
    expect((await h.call('POST', '/programs/mqa-assist/resume')).json.status).toBe('active');
    expect((await programs.onEvent(stage('m-5', 'acct-00002', 'engaged', 'mqa')))[0].outcome).toBe('entered');
  });

  it('a score crossing and a CRM stage fire their programs', async () => {
    for (const [id, trigger] of [
      ['score', { type: 'score.crossed', minScore: 40 }],
      ['crm', { type: 'crm.stage_changed', stage: 'opportunity' }],
    ] as const)
      expect(
        (
          await h.call('PUT', `/programs/${id}`, {
            body: { name: id, sequenceId: 'seq-1', trigger, audience: { tiers: [3] } },
          })
        ).status,
      ).toBe(201);
    const score = (eventId: string, previousScore: number, value: number): TriggerEvent => ({
      detailType: 'account.score_changed',
      detail: { eventId, accountId: 'acct-00002', score: value, previousScore },
    });
    expect(await programs.onEvent(score('c-1', 45, 50))).toEqual([]); // already above
    expect(await programs.onEvent(score('c-2', 30, 41))).toEqual([
      { programId: 'score', outcome: 'entered' },
    ]);
    expect(
      await programs.onEvent({
        detailType: 'engagement.recorded',
        detail: {
          eventId: 'crm-1',
          accountId: 'acct-00002',
          type: 'crm.stage_changed',
          properties: { stage: 'opportunity' },
        },
      }),
    ).toEqual([{ programId: 'crm', outcome: 'entered' }]);
  });

  it('an import publishes account.imported only while a program listens to imports', async () => {
    await h.call('POST', '/accounts/import', { body: { accounts: [account(4, { tier: 2 })] } });
    expect(h.publisher.ofType(DETAIL_TYPES.accountImported)).toHaveLength(0);
    await h.call('PUT', '/programs/new-t2', {
      body: { name: 'New tier 2', sequenceId: 'seq-1', trigger: { type: 'account.imported', tiers: [2] } },
    });
    await h.call('POST', '/accounts/import', {
      body: { accounts: [account(5, { tier: 2 }), account(6, { tier: 1 })] },
    });
    const events = h.publisher.ofType(DETAIL_TYPES.accountImported);
    expect(events.map((e: any) => [e.detail.accountId, e.detail.tier, e.detail.created])).toEqual([
      ['acct-00005', 2, true],
      ['acct-00006', 1, true],
    ]);
    const outcomes = await programs.onEvents(
      events.map((e: any) => ({ detailType: 'account.imported', detail: e.detail }) as TriggerEvent),
    );
    expect(outcomes).toEqual([{ programId: 'new-t2', outcome: 'entered' }]);
  });

  it('reports like a campaign', async () => {
    const report = await h.call('GET', '/reports/programs/surge');
    expect(report.status, report.body).toBe(200);
    expect(report.json.program.programId).toBe('surge');
    expect(report.json.report.campaignId).toBe('program-surge');
    expect((await h.call('GET', '/reports/programs/nope')).status).toBe(404);
  });
});
