/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies are read loosely in tests */
/**
 * Local mode end to end, driven only through the HTTP API as a user would: the whole
 * runtime in process on free ports with a temporary data folder, then import (JSON and CSV),
 * templates, sequences, one launch per tier, mail read back from the local SES store, engagement
 * through POST /events that makes one account MQA (hot-account task) and resumes its parked
 * await_engagement, and the campaign report.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../lib/local/runtime';
import { ALWAYS, committee, mails, startLocalForTest, until, type ApiClient } from '../support/local';

const TOKEN = 'e2e-local-token-0123456789';
let rt: LocalRuntime;
let api: ApiClient;
let stop: (() => Promise<void>) | undefined;

beforeAll(async () => {
  // One simulated day per real second: P1D steps take a second, a P30D wait 30 s.
  ({ rt, api, stop } = await startLocalForTest('abm-local-e2e-', TOKEN, 86_400));
});

afterAll(async () => {
  await stop?.();
});

const TIER1 = {
  name: 'Tier 1 strategic',
  sendWindow: ALWAYS,
  frequencyCap: { perContact: 10, window: 'P7D', onCapped: 'skip' },
  steps: [
    { id: 'intro', channel: 'email', after: 'P0D', to: ['economic_buyer', 'champion'], template: 'intro' },
    { id: 'call-1', channel: 'sdr_task', after: 'P1D', to: ['champion'], taskType: 'call' },
    // Long enough that only a resume (not the timeout) gets past it within the test.
    { id: 'wait-1', type: 'await_engagement', timeout: 'P60D', until: { minScore: 40 }, onTimeout: 'exit' },
    { id: 'follow', channel: 'email', after: 'P0D', to: 'all', template: 'follow' },
  ],
};

const TIER2 = {
  name: 'Tier 2 cluster',
  sendWindow: ALWAYS,
  steps: [
    { id: 'hello', channel: 'email', after: 'P0D', to: 'all', template: 'intro' },
    { id: 'tech', channel: 'email', after: 'P1D', to: ['technical_evaluator'], template: 'follow' },
  ],
};

const enrollmentOf = async (accountId: string, campaignId: string) => {
  const res = await api.call('GET', `/accounts/${accountId}`);
  return res.json?.enrollments?.find((e: any) => e.campaignId === campaignId);
};

describe('local mode through the HTTP API', () => {
  it('answers /health without a token and refuses the API without one', async () => {
    const health = await api.call('GET', '/health', undefined, { token: null });
    expect(health.status).toBe(200);
    expect(health.json).toMatchObject({ status: 'ok' });
    expect((await api.call('GET', '/accounts', undefined, { token: null })).status).toBe(401);
    expect((await api.call('GET', '/accounts', undefined, { token: 'wrong-token-0123456789' })).status).toBe(
      401,
    );
  });

  it('runs a campaign per tier: import, templates, sequences, launch, mail, engagement, MQA, report', async () => {
    // Import: two tier-1 accounts as JSON, one tier-2 account as CSV (one row per contact).
    const imported = await api.call('POST', '/accounts/import', {
      accounts: [committee('northwind', 1), committee('contoso', 1)],
    });
    expect(imported.status).toBe(200);
    expect(imported.json).toMatchObject({ imported: 2, rejected: [] });
    const csv = [
      'accountId,name,domain,industry,employees,annualRevenueUsd,region,tier,cluster,ownerSdr,contactId,contactName,email,title,role,timeZone,phone,consentEmail',
      'fabrikam,Fabrikam,fabrikam.example,retail,900,90000000,EU,2,retail-eu,sdr-bo,fb-eb,Ada Lind,ada@fabrikam.example,CFO,economic_buyer,Europe/Berlin,,true',
      'fabrikam,Fabrikam,fabrikam.example,retail,900,90000000,EU,2,retail-eu,sdr-bo,fb-te,Ola Berg,ola@fabrikam.example,CTO,technical_evaluator,Europe/Berlin,,true',
    ].join('\n');
    const csvImport = await api.call('POST', '/accounts/import', csv, { contentType: 'text/csv' });
    expect(csvImport.status).toBe(200);
    expect(csvImport.json).toMatchObject({ imported: 1, rejected: [] });

    // Templates and one sequence per tier.
    for (const [id, subject] of [
      ['intro', 'A note for {{account.name}}'],
      ['follow', 'Following up, {{contact.firstName}}'],
    ]) {
      const put = await api.call('PUT', `/templates/${id}`, {
        subject,
        html: '<p>Hi {{contact.name}}</p><p><a href="{{unsubscribeUrl}}">unsubscribe</a></p>',
        text: 'Hi {{contact.name}}. Unsubscribe: {{unsubscribeUrl}}',
        byRole: { economic_buyer: { subject: 'Payback for {{account.name}}' } },
      });
      expect(put.status, put.text).toBeLessThan(300);
    }
    expect((await api.call('PUT', '/sequences/t1', TIER1)).status).toBeLessThan(300);
    expect((await api.call('PUT', '/sequences/t2', TIER2)).status).toBeLessThan(300);

    // Launch per tier.
    const launchTier = (tier: number) =>
      api.call('POST', '/campaigns', {
        campaignId: `q1-tier${tier}`,
        name: `Q1 tier ${tier}`,
        sequenceId: `t${tier}`,
        audience: { tier },
      });
    const c1 = await launchTier(1);
    expect(c1.status, c1.text).toBe(202);
    expect(c1.json).toMatchObject({ campaignId: 'q1-tier1', enrolled: 2 });
    const c2 = await launchTier(2);
    expect(c2.status, c2.text).toBe(202);
    expect(c2.json).toMatchObject({ enrolled: 1 });

    // Mail lands in the local SES store, to the roles each step names.
    const expected = [
      'dana@northwind.example',
      'sam@northwind.example',
      'dana@contoso.example',
      'sam@contoso.example',
      'ada@fabrikam.example',
      'ola@fabrikam.example',
    ];
    const first = await until('the intro mails', async () => {
      const m = await mails(rt.sesUrl);
      const to = m.flatMap((x) => x.destination.to);
      return expected.every((e) => to.includes(e)) ? m : undefined;
    });
    const intro = first.filter((m) => m.destination.to.some((t) => t.endsWith('northwind.example')));
    // The intro goes to the economic buyer and the champion only, with the role's subject.
    expect(intro.map((m) => m.destination.to[0]).sort()).toEqual([
      'dana@northwind.example',
      'sam@northwind.example',
    ]);
    expect(intro.find((m) => m.destination.to[0] === 'dana@northwind.example')?.subject).toBe(
      'Payback for Account northwind',
    );
    // Unsubscribe links point at the local API, and the link works (GET = confirmation page).
    const unsubscribe = intro[0].headers?.find((h) => h.name.toLowerCase() === 'list-unsubscribe')?.value;
    expect(unsubscribe).toMatch(new RegExp(`^<${rt.url}/unsubscribe\\?t=`));
    const page = await fetch(unsubscribe!.slice(1, -1));
    expect(page.status).toBe(200);
    // Tier 2's second step reaches the technical evaluator only.
    await until('the tier-2 tech mail', async () => {
      const m = await mails(rt.sesUrl);
      return m.filter((x) => x.destination.to[0] === 'ola@fabrikam.example').length === 2;
    });

    // The SDR call task of step call-1, in the owner's queue.
    const tasks = await until('the call task', async () => {
      const res = await api.call('GET', '/tasks?owner=sdr-ana&status=open');
      const items = res.json?.items ?? [];
      return items.some((t: any) => t.accountId === 'northwind' && t.type === 'call') ? items : undefined;
    });
    expect(tasks.find((t: any) => t.accountId === 'northwind').contactId).toBe('northwind-ch');

    // Both tier-1 enrollments park on the await.
    await until(
      'northwind waiting',
      async () => (await enrollmentOf('northwind', 'q1-tier1'))?.status === 'waiting',
    );
    await until(
      'contoso waiting',
      async () => (await enrollmentOf('contoso', 'q1-tier1'))?.status === 'waiting',
    );

    // Meetings booked by three roles of northwind, at the simulated now.
    const now = (await api.call('GET', '/health')).json.time as string;
    const events = await api.call('POST', '/events', {
      events: ['eb', 'ch', 'te'].map((r, i) => ({
        eventId: `mtg-${r}`,
        type: 'meeting.booked',
        occurredAt: new Date(Date.parse(now) - (3 - i) * 60_000).toISOString(),
        accountId: 'northwind',
        contactEmail: `${r === 'eb' ? 'dana' : r === 'ch' ? 'sam' : 'kim'}@northwind.example`,
      })),
    });
    expect(events.status, events.text).toBe(202);
    expect(events.json).toMatchObject({ accepted: 3, rejected: [] });

    // The account becomes MQA, with one hot-account task.
    await until(
      'northwind MQA',
      async () => (await api.call('GET', '/accounts/northwind')).json?.stage === 'mqa',
    );
    const hot = await until('the hot-account task', async () => {
      const res = await api.call('GET', '/tasks?owner=sdr-ana&status=open');
      return (res.json?.items ?? []).filter(
        (t: any) => t.accountId === 'northwind' && t.type === 'hot_account',
      );
    });
    expect(hot).toHaveLength(1);

    // The scorer resumed northwind's await (the P60D timeout is a minute away): its follow-up goes
    // to the whole committee; contoso, with no engagement, is still waiting and gets none.
    await until('northwind follow-ups', async () => {
      const m = await mails(rt.sesUrl);
      return (
        m.filter(
          (x) => x.subject.startsWith('Following up') && x.destination.to[0].endsWith('northwind.example'),
        ).length === 2
      );
    });
    await until(
      'northwind completed',
      async () => (await enrollmentOf('northwind', 'q1-tier1'))?.status === 'completed',
    );
    expect((await enrollmentOf('contoso', 'q1-tier1'))?.status).toBe('waiting');
    const all = await mails(rt.sesUrl);
    expect(
      all.filter((x) => x.destination.to[0].endsWith('contoso.example') && x.subject.startsWith('Following')),
    ).toEqual([]);
    // The follow-up reached the technical evaluator too, greeted by first name.
    expect(
      all.some((x) => x.destination.to[0] === 'kim@northwind.example' && x.subject === 'Following up, Kim'),
    ).toBe(true);

    // The account view and the report.
    const account = (await api.call('GET', '/accounts/northwind')).json;
    expect(
      account.touches
        .filter((t: any) => t.status === 'sent')
        .map((t: any) => t.stepId)
        .sort(),
    ).toEqual(['call-1', 'follow', 'follow', 'follow', 'intro', 'intro']);
    const report = await api.call('GET', '/reports/campaigns/q1-tier1');
    expect(report.status, report.text).toBe(200);
    expect(report.json).toMatchObject({ campaignId: 'q1-tier1', enrolled: 2, mqa: 1 });
    const introStep = report.json.steps.find((s: any) => s.stepId === 'intro');
    expect(introStep).toMatchObject({ sent: 4 });
  }, 90_000);
});
