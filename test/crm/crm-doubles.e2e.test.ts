/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies are read loosely in tests */
/**
 * The CRM end to end in local mode (real ASL, real adapters) against the HubSpot double local mode
 * starts itself (no baseUrl configured, no secret needed): a tier-1 sequence's call step creates
 * the HubSpot call task for the champion with the talking points, owned by the SDR's HubSpot owner
 * and associated with the contact and the company; the deal of the account moving to the
 * configured opportunity stage arrives as a signed webhook at `POST /webhooks/hubspot`, becomes
 * `crm.stage_changed`, and the scorer's exit stage ends the account's sequence. What the double
 * holds is read through `GET /_local/providers`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TALKING_POINTS } from '../../functions/engine/domain/sdr';
import { EnrollmentRepository } from '../../functions/platform/store/enrollments';
import type { HubSpotDouble } from '../../lib/local/doubles';
import type { LocalRuntime } from '../../lib/local/runtime';
import { committeeMember } from '../support/accounts';
import { ALWAYS, committee, startLocalForTest, until, type ApiClient } from '../support/local';
import { CRM_CONFIG_EXAMPLES } from '../support/crm';

const CRM = CRM_CONFIG_EXAMPLES.hubspot;

const TOKEN = 'e2e-crm-doubles-token-0123456789';

let rt: LocalRuntime;
let api: ApiClient;
let stop: (() => Promise<void>) | undefined;

beforeAll(async () => {
  const config = { senderEmail: 'campaigns@example.com', providers: { crm: CRM } };
  // A minute per second: every step here is due at once, and HubSpot's 5-minute timestamp window
  // (checked on local mode's clock) stays 5 real seconds wide, not 3.5 ms as at a day per second.
  ({ rt, api, stop } = await startLocalForTest('abm-crm-doubles-', TOKEN, 60, {
    config,
    options: { crmFlushMs: 50 },
  }));
});

afterAll(async () => {
  await stop?.();
});

async function hubspotRecords(type: string): Promise<{ id: string; properties: Record<string, any> }[]> {
  const res = await api.call('GET', '/_local/providers');
  expect(res.status).toBe(200);
  const hubspot = res.json.providers.find((p: any) => p.provider === 'hubspot');
  return (hubspot?.records ?? []).filter((r: any) => r.type === type);
}

describe('the CRM in local mode, real adapters against the HubSpot double', () => {
  it('creates the champion call task in HubSpot, and a deal at the opportunity stage ends the sequence', async () => {
    expect(
      (await api.call('POST', '/accounts/import', { accounts: [committee('northwind', 1)] })).json,
    ).toMatchObject({ imported: 1, rejected: [] });
    expect(
      (
        await api.call('PUT', '/sequences/tier1-crm', {
          name: 'Tier 1 with a call',
          sendWindow: ALWAYS,
          steps: [
            { id: 'call', channel: 'sdr_task', after: 'P0D', to: ['champion'], taskType: 'call' },
            {
              id: 'wait',
              type: 'await_engagement',
              timeout: 'P365D',
              until: { minScore: 1000 },
              onTimeout: 'exit',
            },
          ],
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await api.call('POST', '/campaigns', {
          campaignId: 'q1-crm',
          name: 'Q1 CRM',
          sequenceId: 'tier1-crm',
          audience: { tier: 1 },
        })
      ).status,
    ).toBeLessThan(300);

    // The call task, and the research task coverage opened for the committee's missing roles
    // (docs/api.md "Coverage"): a to-do in HubSpot.
    const calls = async () =>
      (await hubspotRecords('tasks')).filter((t) => t.properties.hs_task_type === 'CALL');
    await until('the call task in HubSpot', async () => (await calls()).length === 1);
    const [task] = await calls();
    await until('the research task in HubSpot', async () =>
      (await hubspotRecords('tasks')).some((t) => t.properties.hs_task_type === 'TODO'),
    );
    const [contact] = await hubspotRecords('contacts');
    const [company] = await hubspotRecords('companies');
    const champion = committeeMember('northwind', 'champion');
    expect(contact!.properties).toMatchObject({ email: champion.email });
    expect(company!.properties).toMatchObject({ domain: 'northwind.example' });
    expect(task!.properties).toMatchObject({
      hs_task_type: 'CALL',
      hs_task_status: 'NOT_STARTED',
      hubspot_owner_id: '12345678',
    });
    for (const point of DEFAULT_TALKING_POINTS.champion)
      expect(task!.properties.hs_task_body).toContain(`- ${point}`);
    expect(task!.properties.associations).toEqual([contact!.id, company!.id]);
    // The SDR task in the product is the one HubSpot holds.
    const sdr = (await api.call('GET', '/tasks?owner=sdr-ana&status=open')).json;
    const callTasks = sdr.items.filter((t: any) => t.type === 'call');
    expect(callTasks.map((t: any) => t.taskId)).toEqual([task!.properties.abm_task_id]);
    expect(callTasks[0].contactId).toBe(champion.contactId);

    // The deal moves to the configured opportunity stage: HubSpot signs and sends the webhook.
    const hubspot = rt.crmDouble as HubSpotDouble;
    const deal = hubspot.createDeal('northwind.example', 'qualifiedtobuy');
    const event = hubspot.moveDeal(deal, 'appointmentscheduled');
    const res = await hubspot.sendWebhook(`${rt.url}/webhooks/hubspot`, [event], {
      // HubSpot's clock is local mode's clock (scaled time), as its timestamp window expects.
      timestamp: rt.clock.now().getTime(),
    });
    expect(res).toEqual({ status: 200, body: { received: 1, applied: 1, duplicates: 0, refused: 0 } });
    const enrollments = rt.platform.repository(EnrollmentRepository);
    await until('the sequence ended on the opportunity stage', async () => {
      const e = await enrollments.get('northwind', 'q1-crm');
      return e?.status === 'exited';
    });
    expect((await enrollments.get('northwind', 'q1-crm'))?.reason).toBe('account entered stage opportunity');

    // A forged request is refused at the public route.
    const forged = await hubspot.sendWebhook(`${rt.url}/webhooks/hubspot`, [event], {
      timestamp: rt.clock.now().getTime(),
      clientSecret: 'not-the-client-secret',
    });
    expect(forged.status).toBe(401);
  });
});
