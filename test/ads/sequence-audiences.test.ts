/**
 * PUT /sequences and the ad providers (issue 11): once providers are configured, an ads step must
 * name an audience some provider maps (and a list kind its target needs); with none configured any
 * audience name is accepted. The step's `target` defaults to contacts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audienceKinds } from '../../functions/kernel/ads-providers';
import { SequenceInput } from '../../functions/kernel/model';
import { startHarness, type Harness } from '../support/api';

const kinds = audienceKinds([
  {
    provider: 'linkedin',
    secretName: 'abm/linkedin',
    audiences: { 'tier1-committee': { contacts: '1', companies: '2' }, 'li-accounts': { companies: '3' } },
  },
  { provider: 'meta', secretName: 'abm/meta', audiences: { 'meta-only': { contacts: '4' } } },
]);

const seq = (...steps: Record<string, unknown>[]) => ({ name: 'Ads', steps });

let configured: Harness;
let unconfigured: Harness;
beforeAll(async () => {
  [configured, unconfigured] = await Promise.all([startHarness({ adsAudiences: kinds }), startHarness()]);
});
afterAll(async () => {
  await Promise.all([configured?.stop(), unconfigured?.stop()]);
});

describe('ads steps and the configured providers', () => {
  it('maps each audience to the member kinds some provider has a list for', () => {
    expect(kinds).toEqual({
      'tier1-committee': ['contact', 'company'],
      'li-accounts': ['company'],
      'meta-only': ['contact'],
    });
  });

  it('defaults target to contacts and accepts companies and both', () => {
    const parsed = SequenceInput.parse({
      id: 's',
      name: 's',
      steps: [
        { id: 'a', channel: 'ads', audience: 'x' },
        { id: 'b', channel: 'ads', audience: 'x', target: 'both' },
      ],
    });
    expect(parsed.steps.map((s) => (s as { target?: string }).target)).toEqual(['contacts', 'both']);
    expect(
      SequenceInput.safeParse({
        id: 's',
        name: 's',
        steps: [{ id: 'a', channel: 'ads', audience: 'x', target: 'people' }],
      }).success,
    ).toBe(false);
  });

  it('400 with the step path when no provider maps the audience', async () => {
    const res = await configured.call('PUT', '/sequences/ads-1', {
      body: seq(
        { id: 'ok', channel: 'ads', audience: 'tier1-committee', target: 'both' },
        { id: 'bad', channel: 'ads', audience: 'tier2-committee' },
      ),
    });
    expect(res.status).toBe(400);
    expect(res.json.error.details).toEqual([
      {
        path: 'body.steps.1.audience',
        message: expect.stringContaining('no ads provider maps audience "tier2-committee"'),
      },
    ]);
  });

  it('400 on the target when no provider has that kind of list for the audience', async () => {
    const res = await configured.call('PUT', '/sequences/ads-2', {
      body: seq({ id: 'co', channel: 'ads', audience: 'meta-only', target: 'companies' }),
    });
    expect(res.status).toBe(400);
    expect(res.json.error.details).toEqual([
      {
        path: 'body.steps.0.target',
        message: expect.stringContaining('companies list for audience "meta-only"'),
      },
    ]);
    const ok = await configured.call('PUT', '/sequences/ads-2', {
      body: seq({ id: 'co', channel: 'ads', audience: 'li-accounts', target: 'companies' }),
    });
    expect(ok.status).toBe(201);
  });

  it('accepts any audience name when no provider is configured', async () => {
    const res = await unconfigured.call('PUT', '/sequences/ads-3', {
      body: seq({ id: 'any', channel: 'ads', audience: 'whatever-audience', target: 'companies' }),
    });
    expect(res.status).toBe(201);
  });
});
