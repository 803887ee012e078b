import { describe, it, expect } from 'vitest';
import * as z from 'zod';
import {
  InvalidCursorError,
  StoredItemInvalidError,
  ScoreConflictError,
  StoredTemplate,
  type AccountProfileInput,
} from '../../../functions/platform/store';
import { emptyScoreState } from '../../../functions/scoring/domain/state';
import { keys } from '../../../functions/platform/store/keys';
import type { Account, Enrollment, SdrTask, Touch } from '../../../functions/kernel/model';
import { useLocalStore } from '../../support/suite';

let clock = new Date('2026-11-22T10:00:00.000Z');
const advance = (ms: number) => (clock = new Date(clock.getTime() + ms));
const store = useLocalStore(() => clock);

const profile = (accountId: string, extra: Partial<AccountProfileInput> = {}): AccountProfileInput => ({
  accountId,
  name: `Account ${accountId}`,
  domain: `${accountId}.example`,
  techStack: [],
  tier: 1,
  ...extra,
});

const STORAGE = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'ttl', 'entity'];
const expectNoStorageKeys = (value: object) => STORAGE.forEach((k) => expect(value).not.toHaveProperty(k));

describe('accounts', () => {
  it('upserts, preserving createdAt, stage, suppressed and spend; versioned', async () => {
    const first = await store.accounts.upsert(
      profile('northwind', { industry: 'retail', ownerSdr: 'sdr-ana' }),
    );
    expect(first.created).toBe(true);
    expect(first.account).toMatchObject({ accountId: 'northwind', tier: 1, stage: 'target', version: 1 });
    expect(first.account.createdAt).toBe('2026-11-22T10:00:00.000Z');
    expectNoStorageKeys(first.account);

    await store.accounts.update('northwind', (a) => ({
      ...a,
      stage: 'engaged',
      suppressed: true,
      directMailSpentCents: 700,
    }));
    advance(60_000);
    const second = await store.accounts.upsert(profile('northwind', { name: 'Northwind Retail', tier: 2 }));
    expect(second.created).toBe(false);
    expect(second.account).toMatchObject({
      name: 'Northwind Retail',
      tier: 2,
      stage: 'engaged',
      suppressed: true,
      directMailSpentCents: 700,
      industry: 'retail',
      ownerSdr: 'sdr-ana',
      createdAt: '2026-11-22T10:00:00.000Z',
      updatedAt: '2026-11-22T10:01:00.000Z',
      version: 3,
    });
    expect(await store.accounts.get('northwind')).toEqual(second.account);
    expect(await store.accounts.get('nobody')).toBeUndefined();
    expect(await store.accounts.update('nobody', (a) => a)).toBeUndefined();
  });

  it('finds by domain and lists by tier with paging (tier changes move the account)', async () => {
    expect((await store.accounts.findByDomain('NORTHWIND.example'))?.accountId).toBe('northwind');
    expect(await store.accounts.findByDomain('nowhere.example')).toBeUndefined();
    for (let i = 0; i < 7; i++) await store.accounts.upsert(profile(`t3-${i}`, { tier: 3 }));
    const ids: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await store.accounts.listByTier(3, { limit: 3, cursor });
      ids.push(...page.items.map((a) => a.accountId));
      page.items.forEach(expectNoStorageKeys);
      cursor = page.cursor;
      expect(++pages).toBeLessThan(6);
    } while (cursor);
    expect(ids).toEqual(Array.from({ length: 7 }, (_, i) => `t3-${i}`));
    await store.accounts.update('t3-0', (a) => ({ ...a, tier: 2 }));
    expect((await store.accounts.listByTier(2)).items.map((a) => a.accountId)).toEqual(['northwind', 't3-0']);
    expect((await store.accounts.listByTier(3)).items).toHaveLength(6);
    await expect(store.accounts.listByTier(3, { cursor: 'bogus' })).rejects.toBeInstanceOf(
      InvalidCursorError,
    );
  });

  it('20 concurrent writers updating one account lose no update', async () => {
    const before = (await store.accounts.upsert(profile('contended'))).account;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.accounts.update('contended', (a) => ({
          ...a,
          techStack: [...a.techStack, `writer-${i}`],
          directMailSpentCents: a.directMailSpentCents + 1,
        })),
      ),
    );
    const after = (await store.accounts.get('contended')) as Account;
    expect(after.techStack.slice().sort()).toEqual(
      Array.from({ length: 20 }, (_, i) => `writer-${i}`).sort(),
    );
    expect(after.directMailSpentCents).toBe(20);
    expect(after.version).toBe(before.version + 20);
  });

  it('rejects a stored item that does not match its schema', async () => {
    await store.table.put({ ...keys.account('broken'), accountId: 'broken' });
    await expect(store.accounts.get('broken')).rejects.toBeInstanceOf(StoredItemInvalidError);
  });
});

describe('contacts', () => {
  const dana = {
    accountId: 'northwind',
    contactId: 'nw-dana',
    name: 'Dana Cole',
    email: 'Dana@Northwind.example',
    role: 'economic_buyer' as const,
    timeZone: 'America/Chicago',
  };

  it('puts, gets, lists and finds by email and by id', async () => {
    const stored = await store.accounts.putContact(dana);
    expect(stored).toMatchObject({
      email: 'dana@northwind.example',
      consent: { email: false },
      timeZone: 'America/Chicago',
    });
    expectNoStorageKeys(stored);
    expect(stored).not.toHaveProperty('version');
    await store.accounts.putContact({
      accountId: 'northwind',
      contactId: 'nw-lee',
      name: 'Lee',
      role: 'champion',
    });
    expect((await store.accounts.listContacts('northwind')).map((c) => c.contactId)).toEqual([
      'nw-dana',
      'nw-lee',
    ]);
    expect(await store.accounts.getContact('northwind', 'nw-dana')).toEqual(stored);
    expect((await store.accounts.findContactsByEmail('DANA@northwind.example'))[0]?.contactId).toBe(
      'nw-dana',
    );
    expect((await store.accounts.findContactsById('nw-lee'))[0]?.accountId).toBe('northwind');
    expect(await store.accounts.findContactsByEmail('nobody@x.example')).toEqual([]);
  });

  it('keeps an unsubscribe across updates (single and batch)', async () => {
    const unsub = await store.accounts.markContactUnsubscribed(
      'northwind',
      'nw-dana',
      '2026-11-22T11:00:00.000Z',
    );
    expect(unsub?.unsubscribedAt).toBe('2026-11-22T11:00:00.000Z');
    const again = await store.accounts.markContactUnsubscribed(
      'northwind',
      'nw-dana',
      '2026-12-01T00:00:00.000Z',
    );
    expect(again?.unsubscribedAt).toBe('2026-11-22T11:00:00.000Z');
    expect((await store.accounts.putContact({ ...dana, title: 'CFO' })).unsubscribedAt).toBe(
      '2026-11-22T11:00:00.000Z',
    );
    const batch = Array.from({ length: 30 }, (_, i) => ({
      accountId: 'northwind',
      contactId: i === 0 ? 'nw-dana' : `nw-${String(i).padStart(2, '0')}`,
      name: `Person ${i}`,
      role: 'end_user' as const,
      email: i === 0 ? dana.email : undefined,
    }));
    expect(await store.accounts.putContacts('northwind', batch)).toHaveLength(30);
    const contacts = await store.accounts.listContacts('northwind');
    expect(contacts).toHaveLength(31);
    expect(contacts.find((c) => c.contactId === 'nw-dana')).toMatchObject({
      role: 'end_user',
      unsubscribedAt: '2026-11-22T11:00:00.000Z',
    });
  });

  it('changing the email moves the email index entry; delete removes the contact', async () => {
    await store.accounts.putContact({ ...dana, email: 'dana.cole@northwind.example' });
    expect(await store.accounts.findContactsByEmail('dana@northwind.example')).toEqual([]);
    expect((await store.accounts.findContactsByEmail('dana.cole@northwind.example'))[0]?.contactId).toBe(
      'nw-dana',
    );
    expect((await store.accounts.deleteContact('northwind', 'nw-dana'))?.contactId).toBe('nw-dana');
    expect(await store.accounts.getContact('northwind', 'nw-dana')).toBeUndefined();
    expect(await store.accounts.findContactsById('nw-dana')).toEqual([]);
    expect(await store.accounts.deleteContact('northwind', 'nw-dana')).toBeUndefined();
  });
});

const enrollment = (accountId: string, campaignId = 'q1-tier1'): Enrollment => ({
  accountId,
  campaignId,
  sequenceId: 'tier1-strategic',
  sequenceVersion: 1,
  exclusive: false,
  executionName: `${campaignId}--${accountId}`,
  status: 'running',
  startedAt: '2026-11-22T10:00:00.000Z',
  updatedAt: '2026-11-22T10:00:00.000Z',
  version: 0,
});

describe('enrollments', () => {
  it('creates once, updates versioned, lists by campaign and by account', async () => {
    const created = await store.enrollments.create(enrollment('northwind'));
    expect(created.created).toBe(true);
    const dup = await store.enrollments.create({ ...enrollment('northwind'), status: 'failed' });
    expect(dup).toMatchObject({ created: false, existing: { status: 'running', version: 1 } });

    const updated = await store.enrollments.update('northwind', 'q1-tier1', (e) => ({
      ...e,
      status: 'waiting',
      stepId: 'wait-1',
      taskToken: 'token-1',
    }));
    expect(updated).toMatchObject({ status: 'waiting', taskToken: 'token-1', version: 2 });
    expectNoStorageKeys(updated as object);
    expect(await store.enrollments.get('northwind', 'q1-tier1')).toEqual(updated);

    const replaced = await store.enrollments.update('northwind', 'q1-tier1', (e) => ({
      ...e,
      taskToken: undefined,
      status: 'running',
    }));
    expect(replaced).toMatchObject({ status: 'running', version: 3 });
    expect(replaced).not.toHaveProperty('taskToken');

    for (const id of ['acme', 'zeta']) await store.enrollments.create(enrollment(id));
    await store.enrollments.create(enrollment('northwind', 'other-campaign'));
    const page1 = await store.enrollments.listOfCampaign('q1-tier1', { limit: 2 });
    const page2 = await store.enrollments.listOfCampaign('q1-tier1', { limit: 2, cursor: page1.cursor });
    expect([...page1.items, ...page2.items].map((e) => e.accountId)).toEqual(['acme', 'northwind', 'zeta']);
    expect((await store.enrollments.listOfAccount('northwind')).map((e) => e.campaignId)).toEqual([
      'other-campaign',
      'q1-tier1',
    ]);
  });
});

const touch = (n: number, at: string, extra: Partial<Touch> = {}): Touch => ({
  touchId: `q1-tier1--northwind#step-${n}#nw-dana`,
  accountId: 'northwind',
  campaignId: 'q1-tier1',
  executionName: 'q1-tier1--northwind',
  stepId: `step-${n}`,
  channel: 'email',
  contactId: 'nw-dana',
  status: 'handing_over',
  at,
  ...extra,
});

describe('touches', () => {
  it('records a touch once; a second put of the same id is a duplicate, not an error', async () => {
    const first = await store.touches.record(touch(1, '2026-11-22T10:00:00Z'));
    expect(first).toMatchObject({ recorded: true });
    const again = await store.touches.record(touch(1, '2026-11-22T10:05:00Z', { status: 'sent' }));
    expect(again).toEqual({
      recorded: false,
      duplicate: true,
      existing: expect.objectContaining({ status: 'handing_over', at: '2026-11-22T10:00:00Z' }),
    });
    expect(again.recorded === false && again.existing).not.toHaveProperty('gsi1pk');
  });

  it('updates status, optionally only from given statuses', async () => {
    const id = touch(1, '').touchId;
    const sent = await store.touches.updateStatus(
      'northwind',
      id,
      { status: 'sent', ref: 'ses-1' },
      { from: ['handing_over'] },
    );
    expect(sent).toMatchObject({ updated: true, touch: { status: 'sent', ref: 'ses-1' } });
    const twice = await store.touches.updateStatus(
      'northwind',
      id,
      { status: 'sent', ref: 'ses-2' },
      { from: ['handing_over'] },
    );
    expect(twice).toMatchObject({ updated: false, touch: { ref: 'ses-1' } });
    expect(await store.touches.updateStatus('northwind', 'missing', { status: 'failed' })).toEqual({
      updated: false,
    });
  });

  it('lists an account’s touches most recent first (UTC order, offsets normalised) and a campaign’s in time order', async () => {
    await store.touches.record(touch(2, '2026-11-23T09:00:00+02:00')); // 07:00Z
    await store.touches.record(touch(3, '2026-11-23T08:00:00Z'));
    await store.touches.record(touch(4, '2026-11-24T08:00:00Z', { campaignId: 'other-campaign' }));
    const recent = await store.touches.listOfAccount('northwind', { limit: 3 });
    expect(recent.items.map((t) => t.stepId)).toEqual(['step-4', 'step-3', 'step-2']);
    const rest = await store.touches.listOfAccount('northwind', { limit: 3, cursor: recent.cursor });
    expect(rest.items.map((t) => t.stepId)).toEqual(['step-1']);
    const campaign = await store.touches.listOfCampaign('q1-tier1');
    expect(campaign.items.map((t) => t.stepId)).toEqual(['step-1', 'step-2', 'step-3']);
    expect(
      (await store.touches.listOfCampaign('q1-tier1', { newestFirst: true, limit: 1 })).items[0].stepId,
    ).toBe('step-3');
  });
});

const task = (taskId: string, priority: number, dueAt: string, extra: Partial<SdrTask> = {}): SdrTask => ({
  taskId,
  accountId: 'northwind',
  owner: 'sdr-ana',
  type: 'call',
  status: 'open',
  priority,
  dueAt,
  reason: 'call the champion',
  context: { talkingPoints: [], recentEngagement: [], lastTouches: [] },
  createdAt: '2026-11-22T10:00:00Z',
  ...extra,
});

describe('SDR tasks', () => {
  it('orders the queue by priority then due time, pages it, and completes a task once', async () => {
    const tasks = [
      task('t-a', 2, '2026-11-23T09:00:00Z'),
      task('t-b', 1, '2026-11-25T09:00:00Z'),
      task('t-c', 1, '2026-11-24T09:00:00+05:00', { accountId: 'acme' }), // 04:00Z
      task('t-d', 3, '2026-11-22T09:00:00Z'),
      task('t-e', 1, '2026-11-24T05:00:00Z'),
      task('t-other', 1, '2026-11-20T09:00:00Z', { owner: 'sdr-bo' }),
    ];
    for (const t of tasks) expect((await store.tasks.create(t)).created).toBe(true);
    expect(await store.tasks.create({ ...tasks[0], reason: 'changed' })).toMatchObject({
      created: false,
      existing: { reason: 'call the champion' },
    });

    const first = await store.tasks.listOfOwner('sdr-ana', 'open', { limit: 3 });
    const second = await store.tasks.listOfOwner('sdr-ana', 'open', { limit: 3, cursor: first.cursor });
    expect([...first.items, ...second.items].map((t) => t.taskId)).toEqual([
      't-c',
      't-e',
      't-b',
      't-a',
      't-d',
    ]);
    expectNoStorageKeys(first.items[0]);

    expect((await store.tasks.get('t-c'))?.accountId).toBe('acme');
    expect(await store.tasks.get('nope')).toBeUndefined();
    const done = await store.tasks.complete('t-c', { outcome: 'meeting_booked', notes: 'Tuesday' });
    expect(done).toMatchObject({ completed: true, task: { status: 'completed', outcome: 'meeting_booked' } });
    expect(done?.task.completedAt).toBe(clock.toISOString());
    const repeat = await store.tasks.complete('t-c', { outcome: 'no_answer' });
    expect(repeat).toMatchObject({ completed: false, task: { outcome: 'meeting_booked' } });
    expect(await store.tasks.complete('nope', { outcome: 'connected' })).toBeUndefined();

    expect((await store.tasks.listOfOwner('sdr-ana', 'open')).items.map((t) => t.taskId)).toEqual([
      't-e',
      't-b',
      't-a',
      't-d',
    ]);
    expect((await store.tasks.listOfOwner('sdr-ana', 'completed')).items.map((t) => t.taskId)).toEqual([
      't-c',
    ]);
    expect((await store.tasks.listOfAccount('northwind')).map((t) => t.taskId)).toEqual([
      't-a',
      't-b',
      't-d',
      't-e',
      't-other',
    ]);
  });
});

describe('score state (the one codec of the SCORE item)', () => {
  const HALF_LIFE_MS = 14 * 86_400_000;
  const state = (score: number) => ({ ...emptyScoreState('northwind'), score, seen: { 'ev-1': 1 } });

  it('saves conditionally on the version read, and reads back the state with its dedup ids', async () => {
    expect(await store.scores.get('northwind')).toBeUndefined();
    expect(await store.scores.save(state(10), undefined, clock, HALF_LIFE_MS)).toBe(1);
    await expect(store.scores.save(state(11), undefined, clock, HALF_LIFE_MS)).rejects.toBeInstanceOf(
      ScoreConflictError,
    );
    expect(await store.scores.save(state(12), 1, clock, HALF_LIFE_MS)).toBe(2);
    await expect(store.scores.save(state(13), 1, clock, HALF_LIFE_MS)).rejects.toBeInstanceOf(
      ScoreConflictError,
    );
    const stored = await store.scores.get('northwind');
    expect(stored).toMatchObject({ version: 2, updatedAt: clock.toISOString(), state: { score: 12 } });
    expect(stored?.state.seen).toEqual({ 'ev-1': 1 });
    const snapshot = await store.scores.loadAccount('northwind');
    expect(snapshot.score).toEqual(stored);
  });

  it('indexes the SCORE item for the re-score while its score stage can decay out, and only then', async () => {
    const asOf = Date.parse('2026-11-01T00:00:00.000Z');
    const decaying = (scoreStage: 'mqa' | 'engaged' | 'target', score: number) => ({
      ...emptyScoreState('fading', scoreStage),
      score,
      asOf,
    });
    const raw = () => store.table.get(keys.score('fading'));
    await store.scores.save(decaying('mqa', 100), undefined, clock, HALF_LIFE_MS);
    const shard = keys.scoreDecayItem('fading', 'mqa', 0).gsi1pk;
    expect(shard).toMatch(/^SCORES#mqa#[0-7]$/);
    // 100 points decay to 1 after log2(100) half-lives.
    const unitAt = new Date(asOf + HALF_LIFE_MS * Math.log2(100)).toISOString();
    expect(await raw()).toMatchObject({ gsi1pk: shard, gsi1sk: `${unitAt}#fading` });
    await store.scores.save(decaying('engaged', 20), 1, clock, HALF_LIFE_MS);
    expect((await raw())?.gsi1pk).toBe(shard?.replace('mqa', 'engaged'));
    await store.scores.save(decaying('target', 5), 2, clock, HALF_LIFE_MS);
    expect(await raw()).not.toHaveProperty('gsi1pk');
    await store.scores.save(decaying('engaged', 0), 3, clock, HALF_LIFE_MS);
    expect(await raw()).not.toHaveProperty('gsi1pk');
    // The shard is a stable function of the account id, spread over the 8 shards.
    const shards = new Set(
      Array.from({ length: 200 }, (_, i) => keys.scoreDecayItem(`a-${i}`, 'mqa', 0).gsi1pk),
    );
    expect(shards.size).toBe(8);
  });

  it('rejects a SCORE item that does not match the state schema', async () => {
    await store.table.put({ ...keys.score('broken'), entity: 'score', state: { score: 'high' }, version: 1 });
    await expect(store.scores.get('broken')).rejects.toBeInstanceOf(StoredItemInvalidError);
  });
});

describe('sequences', () => {
  const definition = (name: string) => ({
    id: 'tier1-strategic',
    name,
    steps: [{ id: 'intro', channel: 'email', after: 'P0D', to: ['economic_buyer'], template: 'intro' }],
  });

  it('saves new versions that are never overwritten; gets latest or specific; lists heads', async () => {
    const v1 = await store.catalog.saveSequence(definition('v one'));
    expect(v1).toMatchObject({ id: 'tier1-strategic', version: 1, exitWhen: { allUnsubscribed: true } });
    expect(v1.steps[0]).toMatchObject({ type: 'touch', channel: 'email' });
    const concurrent = await Promise.all(
      [2, 3, 4, 5].map((n) => store.catalog.saveSequence(definition(`v ${n}`))),
    );
    expect(concurrent.map((s) => s.version).sort()).toEqual([2, 3, 4, 5]);

    expect((await store.catalog.getSequence('tier1-strategic', 1))?.name).toBe('v one');
    expect((await store.catalog.getSequence('tier1-strategic'))?.version).toBe(5);
    expect(await store.catalog.getSequence('tier1-strategic', 99)).toBeUndefined();
    expect(await store.catalog.getSequence('missing')).toBeUndefined();

    await store.catalog.saveSequence({ ...definition('other'), id: 'a-first' });
    const list = await store.catalog.listSequences();
    expect(list.items).toEqual([
      expect.objectContaining({ sequenceId: 'a-first', latestVersion: 1, name: 'other' }),
      expect.objectContaining({ sequenceId: 'tier1-strategic', latestVersion: 5 }),
    ]);
    await expect(store.catalog.saveSequence({ id: 'bad', name: 'x', steps: [] })).rejects.toThrow();
  });
});

describe('templates, campaigns, suppression', () => {
  it('templates: put, get (optionally with a schema), list', async () => {
    await store.catalog.putTemplate('intro', {
      subject: 'Hi {{account.name}}',
      html: '<p>Hi</p>',
      text: 'Hi',
    });
    await store.catalog.putTemplate('follow-up', { subject: 'Again', text: 'Again' });
    expect(await store.catalog.getTemplate('intro')).toMatchObject({
      templateId: 'intro',
      subject: 'Hi {{account.name}}',
    });
    const Template = z.object({ templateId: z.string(), subject: z.string(), text: z.string() });
    expect(await store.catalog.getTemplate('follow-up', Template)).toEqual({
      templateId: 'follow-up',
      subject: 'Again',
      text: 'Again',
    });
    expect(await store.catalog.getTemplate('none')).toBeUndefined();
    expect((await store.catalog.listTemplates({}, StoredTemplate)).items.map((t) => t.templateId)).toEqual([
      'follow-up',
      'intro',
    ]);
  });

  it('campaigns: create once, update versioned (revision, not the sequence version), list', async () => {
    const campaign = {
      campaignId: 'q1-tier1',
      name: 'Q1 tier 1',
      sequenceId: 'tier1-strategic',
      version: 3,
      audience: { tier: 1 as const },
      status: 'launching' as const,
      createdAt: clock.toISOString(),
      updatedAt: clock.toISOString(),
    };
    expect((await store.campaigns.create(campaign)).created).toBe(true);
    expect(await store.campaigns.create({ ...campaign, name: 'again' })).toMatchObject({
      created: false,
      existing: { name: 'Q1 tier 1' },
    });
    await Promise.all(
      Array.from({ length: 10 }, () =>
        store.campaigns.update('q1-tier1', (c) => ({ ...c, enrolled: c.enrolled + 1 })),
      ),
    );
    const stored = await store.campaigns.get('q1-tier1');
    expect(stored).toMatchObject({ enrolled: 10, version: 3, holdoutPercent: 0 });
    expect(stored).not.toHaveProperty('revision');
    expect((await store.table.get(keys.campaign('q1-tier1')))?.revision).toBe(10);
    expect((await store.campaigns.list()).items.map((c) => c.campaignId)).toEqual(['q1-tier1']);
  });

  it('suppression: add (first entry kept), check case-insensitively', async () => {
    expect(
      await store.accounts.addSuppression('Dana@Northwind.example', {
        reason: 'unsubscribe',
        source: 'one-click',
      }),
    ).toBe(true);
    expect(await store.accounts.addSuppression('dana@northwind.example', { reason: 'complaint' })).toBe(
      false,
    );
    expect(await store.accounts.isSuppressed(' DANA@northwind.example ')).toBe(true);
    expect(await store.accounts.getSuppression('dana@northwind.example')).toEqual({
      email: 'dana@northwind.example',
      reason: 'unsubscribe',
      source: 'one-click',
      at: clock.toISOString(),
    });
    expect(await store.accounts.isSuppressed('nobody@northwind.example')).toBe(false);
  });
});
