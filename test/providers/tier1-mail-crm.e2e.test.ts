/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies are read loosely in tests */
/**
 * Issue 12's engine e2e in one run of local mode (real ASL, real engine, the real Lob and HubSpot
 * adapters against their doubles): a tier-1 sequence orders a Lob letter once per consenting
 * contact with an address, creates the HubSpot call task for the champion with the talking points,
 * and the account's HubSpot deal moving to the configured opportunity stage (a signed webhook) ends
 * the account's sequence.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TALKING_POINTS } from '../../functions/engine/domain/sdr';
import { mailRequestCounts } from '../../functions/platform/providers/mail/metrics';
import { EnrollmentRepository } from '../../functions/platform/store/enrollments';
import type { HubSpotDouble } from '../../lib/local/doubles';
import { startMailDoubles, type MailDoubles } from '../../lib/local/doubles/mail';
import type { LocalRuntime } from '../../lib/local/runtime';
import { CRM_CONFIG_EXAMPLES } from '../support/crm';
import { ALWAYS, committee, startLocalForTest, until, type ApiClient } from '../support/local';
import { mailSettings } from '../support/mail';

const TOKEN = 'e2e-mail-crm-token-0123456789';
let rt: LocalRuntime;
let api: ApiClient;
let doubles: MailDoubles;
let stop: (() => Promise<void>) | undefined;

beforeAll(async () => {
  const { baseUrl: _none, ...lob } = mailSettings('lob');
  const config = {
    senderEmail: 'campaigns@example.com',
    providers: { directMail: lob, crm: CRM_CONFIG_EXAMPLES.hubspot },
  };
  doubles = await startMailDoubles({ providers: ['lob'] });
  // A minute per second: every step here is due at once, and HubSpot's 5-minute timestamp window
  // (checked on local mode's clock) stays 5 real seconds wide, not 3.5 ms as at a day per second.
  ({ rt, api, stop } = await startLocalForTest('abm-mail-crm-', TOKEN, 60, {
    config,
    options: { mailDoubles: doubles, crmFlushMs: 50 },
  }));
});

afterAll(async () => {
  await stop?.();
  await doubles?.close();
});

const address = { line1: '1 Main St', city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' };

async function provider(name: string): Promise<any> {
  const res = await api.call('GET', '/_local/providers');
  expect(res.status).toBe(200);
  return res.json.providers.find((p: any) => p.provider === name);
}

describe('a tier-1 sequence with direct mail and a CRM', () => {
  it('one Lob letter per consenting contact with an address, the champion call task in HubSpot, the deal ends it', async () => {
    const northwind = committee('northwind', 1);
    // Two contacts with an address and direct-mail consent; the third has no address.
    northwind.contacts[0] = { ...northwind.contacts[0]!, postalAddress: address } as any;
    northwind.contacts[1] = { ...northwind.contacts[1]!, postalAddress: address } as any;
    expect((await api.call('POST', '/accounts/import', { accounts: [northwind] })).json).toMatchObject({
      imported: 1,
      rejected: [],
    });
    expect(
      (
        await api.call('PUT', '/sequences/tier1-full', {
          name: 'Tier 1: a booklet, then a call',
          sendWindow: ALWAYS,
          steps: [
            {
              id: 'gift',
              channel: 'direct_mail',
              after: 'P0D',
              to: 'all',
              piece: 'roi-booklet',
              maxCostCents: 5000,
            },
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
    const launch = await api.call('POST', '/campaigns', {
      campaignId: 'q1-full',
      name: 'Q1 full',
      sequenceId: 'tier1-full',
      audience: { tier: 1 },
    });
    expect(launch.status).toBeLessThan(300);

    // The letters: one per consenting contact with an address, each its own idempotency key.
    const letters = async () =>
      (((await provider('lob'))?.pieces ?? []) as any[]).filter((p) => p.metadata.campaignId === 'q1-full');
    await until('two letters at the Lob double', async () => (await letters()).length >= 2);
    const pieces = await letters();
    expect(pieces.map((p) => p.metadata.contactId).sort()).toEqual(['northwind-ch', 'northwind-eb']);
    expect(new Set(pieces.map((p) => p.idempotencyKey)).size).toBe(2);
    // The adapter's requests are counted for the provider's metrics (published by ExecuteStep on AWS).
    expect(mailRequestCounts.totals().lob?.requests).toBeGreaterThanOrEqual(2);

    // The champion's call task in HubSpot, with the talking points.
    const calls = async () =>
      (((await provider('hubspot'))?.records ?? []) as any[]).filter(
        (r) => r.type === 'tasks' && r.properties.hs_task_type === 'CALL',
      );
    await until('the call task in HubSpot', async () => (await calls()).length === 1);
    const [task] = await calls();
    for (const point of DEFAULT_TALKING_POINTS.champion)
      expect(task.properties.hs_task_body).toContain(`- ${point}`);

    // The deal moves to the configured opportunity stage: the sequence ends.
    const hubspot = rt.crmDouble as HubSpotDouble;
    const deal = hubspot.createDeal('northwind.example', 'qualifiedtobuy');
    const res = await hubspot.sendWebhook(
      `${rt.url}/webhooks/hubspot`,
      [hubspot.moveDeal(deal, 'appointmentscheduled')],
      {
        timestamp: rt.clock.now().getTime(),
      },
    );
    expect(res.status).toBe(200);
    const enrollments = rt.platform.repository(EnrollmentRepository);
    await until(
      'the sequence ended on the opportunity stage',
      async () => (await enrollments.get('northwind', 'q1-full'))?.status === 'exited',
    );
    // Still exactly two letters: nothing ordered twice on the way.
    expect(await letters()).toHaveLength(2);
  });
});
