/**
 * `config.launch.maxUsd`: a launch whose forecast costs more is refused with 409 `over_budget`, the
 * forecast in the body, and nothing enrolled; `confirm: true` launches it; a dry run is never refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LaunchConflict } from '../../functions/api/schemas';
import { startHarness, type Harness } from '../support/api';
import { committee } from '../support/local';

const ADDRESS = { line1: '1 Main St', city: 'Chicago', postalCode: '60601', country: 'US' };
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ launchMaxUsd: 50 });
  const accounts = ['ob-1', 'ob-2', 'ob-3'].map((id) => {
    const c = committee(id, 1);
    return { ...c, contacts: c.contacts.map((contact) => ({ ...contact, postalAddress: ADDRESS })) };
  });
  expect((await h.call('POST', '/accounts/import', { body: { accounts } })).json).toMatchObject({
    imported: 3,
  });
  const seq = await h.call('PUT', '/sequences/gifts', {
    body: {
      name: 'gifts',
      steps: [
        {
          id: 'gift',
          channel: 'direct_mail',
          after: 'P0D',
          to: 'all',
          piece: 'hamper',
          maxCostCents: 4000,
          costCents: 2000,
        },
      ],
    },
  });
  expect(seq.status).toBeLessThan(300);
}, 60_000);
afterAll(async () => h?.stop());

describe('config.launch.maxUsd', () => {
  const body = { campaignId: 'gifts-q1', name: 'gifts', sequenceId: 'gifts', audience: { tier: 1 } };

  it('a dry run is never refused: it states the cost', async () => {
    const dry = await h.call('POST', '/campaigns', { body: { ...body, dryRun: true } });
    expect(dry.status).toBe(200);
    // Two pieces per account (the step's budget), three accounts, $20 each.
    expect(dry.json.forecast.touches.byChannel.direct_mail).toBe(6);
    expect(dry.json.forecast.cost.byComponent.directMail).toBe(120);
    expect(dry.json.forecast.cost.usd).toBeGreaterThan(50);
  });

  it('refuses a launch forecast over it with 409 over_budget and the forecast; nothing is enrolled', async () => {
    const refused = await h.call('POST', '/campaigns', { body });
    expect(refused.status).toBe(409);
    expect(refused.json.error.code).toBe('over_budget');
    expect(refused.json.error.message).toContain('config.launch.maxUsd ($50)');
    expect(LaunchConflict.parse(refused.json).forecast?.cost.usd).toBeGreaterThan(50);
    expect(await h.store.campaigns.get('gifts-q1')).toBeUndefined();
    expect(h.starter.started).toHaveLength(0);
  });

  it('launches it with confirm: true', async () => {
    const launched = await h.call('POST', '/campaigns', { body: { ...body, confirm: true } });
    expect(launched.status).toBe(202);
    expect(launched.json).toMatchObject({ enrolled: 3, mode: 'inline' });
    expect(h.starter.started).toHaveLength(3);
  });

  it('a launch forecast within it needs no confirm', async () => {
    const seq = await h.call('PUT', '/sequences/ads-only', {
      body: {
        name: 'ads',
        steps: [{ id: 'aud', channel: 'ads', after: 'P0D', audience: 'tier1', to: 'all' }],
      },
    });
    expect(seq.status).toBeLessThan(300);
    const small = await h.call('POST', '/campaigns', {
      body: { campaignId: 'ads-q1', name: 'ads', sequenceId: 'ads-only', audience: { tier: 1 } },
    });
    expect(small.status).toBe(202);
    expect(small.json).toMatchObject({ enrolled: 3 });
  });
});
