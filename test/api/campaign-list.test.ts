/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies are read loosely in tests */
import { beforeAll, describe, expect, it } from 'vitest';
import { account, expectErrorShape, SEQUENCE, startHarness, TEMPLATE } from '../support/api';
import { useHarness } from '../support/suite';

const h = useHarness(() => startHarness({ inlineLimit: 100 }));

const launch = async (campaignId: string, sequenceId: string, accountIds: string[]) => {
  const res = await h.call('POST', '/campaigns', {
    body: { campaignId, name: `Campaign ${campaignId}`, sequenceId, audience: { accountIds } },
  });
  expect(res.status, JSON.stringify(res.json)).toBe(202);
  h.clock.advance(60_000);
};

beforeAll(async () => {
  await h.call('PUT', '/templates/intro', { body: TEMPLATE });
  await h.call('PUT', '/sequences/seq-a', { body: SEQUENCE });
  await h.call('PUT', '/sequences/seq-b', { body: SEQUENCE });
  const accounts = Array.from({ length: 12 }, (_, i) => account(i));
  expect((await h.call('POST', '/accounts/import', { body: { accounts } })).json.imported).toBe(12);
  // Five campaigns, one a minute: c1 (oldest) .. c5 (newest); seq-a, seq-b alternating.
  for (let i = 1; i <= 5; i++) {
    await launch(`c${i}`, i % 2 ? 'seq-a' : 'seq-b', [
      `acct-0000${i}`,
      `acct-${String(i + 5).padStart(5, '0')}`,
    ]);
  }
  await h.call('POST', '/campaigns/c2/stop');
});

const ids = (res: any) => res.json.items.map((c: any) => c.campaignId);

describe('GET /campaigns', () => {
  it('lists newest first with the counters and the progress of each campaign', async () => {
    const res = await h.call('GET', '/campaigns');
    expect(res.status).toBe(200);
    expect(ids(res)).toEqual(['c5', 'c4', 'c3', 'c2', 'c1']);
    expect(res.json.cursor).toBeNull();
    const c5 = res.json.items[0];
    expect(c5).toMatchObject({
      name: 'Campaign c5',
      status: 'running',
      sequenceId: 'seq-a',
      version: 1,
      enrolled: 2,
      heldOut: 0,
      progress: { active: 2, activeCapped: false, finished: 0, percent: 0 },
    });
    const c2 = res.json.items.find((c: any) => c.campaignId === 'c2');
    expect(c2).toMatchObject({ status: 'stopped', progress: { active: 0, finished: 2, percent: 100 } });
  });

  it('pages with an opaque cursor, every campaign once, in order', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const res = await h.call('GET', '/campaigns', { query: { limit: '2', ...(cursor ? { cursor } : {}) } });
      expect(res.status).toBe(200);
      expect(res.json.items.length).toBeLessThanOrEqual(2);
      seen.push(...ids(res));
      cursor = res.json.cursor ?? undefined;
      if (!cursor) break;
    }
    expect(seen).toEqual(['c5', 'c4', 'c3', 'c2', 'c1']);
  });

  it('filters by status through its index, and by sequence', async () => {
    expect(ids(await h.call('GET', '/campaigns', { query: { status: 'stopped' } }))).toEqual(['c2']);
    expect(ids(await h.call('GET', '/campaigns', { query: { status: 'running' } }))).toEqual([
      'c5',
      'c4',
      'c3',
      'c1',
    ]);
    expect(ids(await h.call('GET', '/campaigns', { query: { sequenceId: 'seq-b' } }))).toEqual(['c4', 'c2']);
    expect(
      ids(await h.call('GET', '/campaigns', { query: { sequenceId: 'seq-a', status: 'running' } })),
    ).toEqual(['c5', 'c3', 'c1']);
    // A page cut inside a filtered read resumes after the last campaign it returned.
    const first = await h.call('GET', '/campaigns', { query: { sequenceId: 'seq-a', limit: '1' } });
    expect(ids(first)).toEqual(['c5']);
    const second = await h.call('GET', '/campaigns', {
      query: { sequenceId: 'seq-a', limit: '2', cursor: first.json.cursor },
    });
    expect(ids(second)).toEqual(['c3', 'c1']);
  });

  it('answers a bad query with a 400 in the error shape', async () => {
    expect(
      expectErrorShape(await h.call('GET', '/campaigns', { query: { status: 'nope' } }), 400).details[0].path,
    ).toBe('query.status');
    expectErrorShape(await h.call('GET', '/campaigns', { query: { limit: '0' } }), 400);
    expectErrorShape(await h.call('GET', '/campaigns', { query: { sequenceId: 'bad id#' } }), 400);
    expectErrorShape(await h.call('GET', '/campaigns', { query: { cursor: 'not-a-cursor' } }), 400);
    // A cursor of another listing (the stopped campaigns' index) is refused, not a 500.
    const other = await h.call('GET', '/campaigns', { query: { limit: '1' } });
    expectErrorShape(
      await h.call('GET', '/campaigns', { query: { status: 'stopped', cursor: other.json.cursor } }),
      400,
    );
  });
});
