/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies are read loosely in tests */
/**
 * GET /accounts for the console: filters (tier, cluster, stage, owner, q, score range), sort (score,
 * fit, name), paging, and each row's score trend and committee coverage; the real router and the
 * real scorer over dynalite.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  accountsDeps,
  createAccountsService,
  LIST_MAX_SORTED,
  scoreTrend,
} from '../../functions/api/accounts-service';
import { BadRequest } from '../../functions/kernel/errors';
import type { EngagementType } from '../../functions/kernel/model';
import { scorerFeature } from '../../functions/scoring/scorer';
import { account, expectErrorShape, startHarness, type Harness } from '../support/api';
import { detail, envelopeRecord } from '../support/scoring';
import { useHarness } from '../support/suite';

const DAY = 86_400_000;
const HALF_LIFE = 14 * DAY;
const h = useHarness(() => startHarness());

async function score(harness: Harness, accountId: string, events: [string, EngagementType, number][]) {
  const { batchItemFailures } = await scorerFeature(harness.platform).handleBatch([
    envelopeRecord(
      accountId,
      events.map(([id, type, at]) =>
        detail(accountId, `${accountId}-${id}`, type, at, { contactId: `${accountId}-eb` }),
      ),
    ),
  ]);
  expect(batchItemFailures).toEqual([]);
}

let start: number;
beforeAll(async () => {
  start = h.clock.now().getTime();
  const accounts = [
    account(1, { name: 'Northwind Retail', tier: 1, cluster: 'retail-eu', ownerSdr: 'sdr-ana' }),
    account(2, { name: 'Contoso Logistics', tier: 1, cluster: 'logistics', ownerSdr: 'sdr-bob' }),
    account(3, { name: 'Fabrikam', tier: 2, cluster: 'retail-eu', ownerSdr: 'sdr-ana' }),
    account(4, { name: 'Adventure Works', tier: 3, cluster: 'retail-na', ownerSdr: 'sdr-bob' }),
    account(5, { name: 'Blue Yonder Retail', tier: 2, cluster: 'retail-na', ownerSdr: 'sdr-ana' }),
  ];
  expect((await h.call('POST', '/accounts/import', { body: { accounts } })).json.imported).toBe(5);
  // acct-00001: a meeting 10 days ago (40 x 1.5 = 60 then); acct-00003: a reply now (12 x 1.5 = 18).
  // The scorer folds it then (its history point is the score at the fold).
  h.clock.set(start - 10 * DAY);
  await score(h, 'acct-00001', [['m', 'meeting.booked', start - 10 * DAY]]);
  h.clock.set(start);
  await score(h, 'acct-00003', [['r', 'email.replied', start]]);
});

const ids = (res: any) => res.json.items.map((a: any) => a.accountId);

describe('GET /accounts (console)', () => {
  it('rows carry tier, stage, the score now and a week ago, fit and the coverage of the committee', async () => {
    const res = await h.call('GET', '/accounts', { query: { tier: '1' } });
    expect(res.status).toBe(200);
    expect(ids(res)).toEqual(['acct-00001', 'acct-00002']);
    const [first, second] = res.json.items;
    const now = 60 * 2 ** (-10 / 14);
    const weekAgo = 60 * 2 ** (-3 / 14);
    expect(first).toMatchObject({ tier: 1, cluster: 'retail-eu', ownerSdr: 'sdr-ana' });
    expect(first.score.now).toBeCloseTo(now, 1);
    expect(first.score.weekAgo).toBeCloseTo(weekAgo, 1);
    expect(first.score.change).toBeCloseTo(now - weekAgo, 1);
    expect(first.fit).toBeDefined();
    expect(first.coverage).toMatchObject({
      mapped: ['economic_buyer', 'champion'],
      reached: [],
      engaged: ['economic_buyer'],
    });
    expect(second.score).toEqual({ now: null, weekAgo: null, change: null });
    expect(second.coverage.engaged).toEqual([]);
  });

  it('filters by cluster, stage, owner, a part of the name or domain, and a score range', async () => {
    const list = async (query: Record<string, string>) => ids(await h.call('GET', '/accounts', { query }));
    expect(await list({ cluster: 'retail-eu' })).toEqual(['acct-00001', 'acct-00003']);
    expect(await list({ owner: 'sdr-bob' })).toEqual(['acct-00002', 'acct-00004']);
    expect(await list({ owner: 'sdr-ana', tier: '2' })).toEqual(['acct-00003', 'acct-00005']);
    expect(await list({ q: 'retail' })).toEqual(['acct-00001', 'acct-00005']);
    expect(await list({ q: 'ACCT-00004.EX' })).toEqual(['acct-00004']);
    expect(await list({ minScore: '20' })).toEqual(['acct-00001']);
    expect(await list({ minScore: '1', maxScore: '20' })).toEqual(['acct-00003']);
    expect(await list({ maxScore: '0' })).toEqual(['acct-00002', 'acct-00005', 'acct-00004']);
    expect(await list({ stage: 'engaged' })).toEqual(['acct-00001', 'acct-00003']);
  });

  it('sorts by score, fit or name, and pages a sorted list with its cursor', async () => {
    const sorted = async (sort: string, extra: Record<string, string> = {}) =>
      (await h.call('GET', '/accounts', { query: { sort, ...extra } })).json;
    expect(ids({ json: await sorted('score') }).slice(0, 2)).toEqual(['acct-00001', 'acct-00003']);
    const byName = await sorted('name');
    expect(byName.items.map((a: any) => a.name)).toEqual([
      'Adventure Works',
      'Blue Yonder Retail',
      'Contoso Logistics',
      'Fabrikam',
      'Northwind Retail',
    ]);
    const fits = (await sorted('fit')).items.map((a: any) => a.fit?.score ?? -1);
    expect(fits).toEqual([...fits].sort((a: number, b: number) => b - a));
    const first = await sorted('name', { limit: '2' });
    const second = await sorted('name', { limit: '2', cursor: first.cursor });
    const third = await sorted('name', { limit: '2', cursor: second.cursor });
    expect([...first.items, ...second.items, ...third.items].map((a: any) => a.name)).toEqual(
      byName.items.map((a: any) => a.name),
    );
    expect(third.cursor).toBeNull();
  });

  it('pages an unsorted, filtered list across tiers without skipping or repeating an account', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 10; i++) {
      const res = await h.call('GET', '/accounts', {
        query: { owner: 'sdr-ana', limit: '1', ...(cursor ? { cursor } : {}) },
      });
      expect(res.status).toBe(200);
      seen.push(...ids(res));
      cursor = res.json.cursor ?? undefined;
      if (!cursor) break;
    }
    expect(seen).toEqual(['acct-00001', 'acct-00003', 'acct-00005']);
  });

  it('answers bad input with a 400 in the error shape', async () => {
    const bad = async (query: Record<string, string>, path: string) =>
      expect(expectErrorShape(await h.call('GET', '/accounts', { query }), 400).details[0].path).toBe(path);
    await bad({ sort: 'revenue' }, 'query.sort');
    await bad({ minScore: 'high' }, 'query.minScore');
    await bad({ maxScore: '-1' }, 'query.maxScore');
    await bad({ owner: 'a#b' }, 'query.owner');
    await bad({ q: 'x'.repeat(101) }, 'query.q');
    await bad({ cursor: 'garbage' }, 'query.cursor');
    // A cursor is bound to its filters and sort.
    const other = await h.call('GET', '/accounts', { query: { sort: 'name', limit: '1' } });
    await bad({ sort: 'score', limit: '1', cursor: other.json.cursor }, 'query.cursor');
    const unsorted = await h.call('GET', '/accounts', { query: { limit: '1' } });
    await bad({ limit: '1', tier: '2', cursor: unsorted.json.cursor }, 'query.cursor');
  });

  it('a sort over more accounts than its bound is a 400 saying how to narrow it; an unsorted page stops at its read bound', async () => {
    expect(LIST_MAX_SORTED).toBe(5000);
    const bounded = (listBounds: { maxRead?: number; maxSorted?: number }) =>
      createAccountsService({ ...accountsDeps(h.platform), listBounds });
    const query = { limit: 25 } as const;
    const err = await bounded({ maxSorted: 3 })
      .listAccounts({ ...query, sort: 'name' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequest);
    expect((err as BadRequest).details[0]).toMatchObject({ path: 'query.sort' });
    expect((err as BadRequest).details[0].message).toMatch(/more than 3 accounts to sort: narrow/);
    expect(
      (await bounded({ maxSorted: 3 }).listAccounts({ ...query, tier: 1, sort: 'name' })).items,
    ).toHaveLength(2);
    // Unsorted: a read bound of 2 profiles per request answers a short page with a cursor.
    const short = await bounded({ maxRead: 2 }).listAccounts({ ...query, owner: 'sdr-bob' });
    expect(short.items.map((a) => a.accountId)).toEqual(['acct-00002']);
    expect(short.cursor).not.toBeNull();
  });
});

describe('scoreTrend', () => {
  it('is the scorer’s decay of the state now and of the last history point a week before', () => {
    const now = new Date(start + 30 * DAY);
    const state = {
      score: 50,
      asOf: start + 20 * DAY,
      history: [
        { at: start, value: 10 },
        { at: start + 20 * DAY, value: 50 },
      ],
    };
    const t = scoreTrend(state, now, HALF_LIFE);
    expect(t.now).toBeCloseTo(50 * 2 ** (-10 / 14), 2);
    expect(t.weekAgo).toBeCloseTo(50 * 2 ** (-3 / 14), 2);
    // Before the first point: no score yet.
    expect(scoreTrend(state, new Date(start + 5 * DAY), HALF_LIFE).weekAgo).toBe(0);
    expect(scoreTrend(undefined, now, HALF_LIFE)).toEqual({ now: null, weekAgo: null, change: null });
    expect(
      scoreTrend({ ...state, history: [{ at: start + 29 * DAY, value: 5 }] }, now, HALF_LIFE).weekAgo,
    ).toBe(0);
  });
});
