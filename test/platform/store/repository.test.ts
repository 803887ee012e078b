import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as z from 'zod';
import {
  AccountRepository,
  InvalidCursorError,
  StoredItemInvalidError,
  type AccountProfileInput,
} from '../../../functions/platform/store/repository';
import { Table } from '../../../functions/platform/store/table';
import { keys } from '../../../functions/platform/store/keys';
import type { Account, Enrollment, SdrTask, Touch } from '../../../functions/kernel/model';
import { startDynalite, type LocalDynamo } from '../../support/dynalite';

let db: LocalDynamo;
let table: Table;
let repo: AccountRepository;
let clock = new Date('2026-11-22T10:00:00.000Z');
const advance = (ms: number) => (clock = new Date(clock.getTime() + ms));

beforeAll(async () => {
  db = await startDynalite();
  table = new Table(db.client, db.tableName);
  repo = new AccountRepository(table, { now: () => clock });
});
afterAll(async () => {
  await db?.stop();
});

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
    const first = await repo.upsertAccount(profile('northwind', { industry: 'retail', ownerSdr: 'sdr-ana' }));
    expect(first.created).toBe(true);
    expect(first.account).toMatchObject({ accountId: 'northwind', tier: 1, stage: 'target', version: 1 });
    expect(first.account.createdAt).toBe('2026-11-22T10:00:00.000Z');
    expectNoStorageKeys(first.account);

    await repo.updateAccount('northwind', (a) => ({
      ...a,
      stage: 'engaged',
      suppressed: true,
      directMailSpentCents: 700,
    }));
    advance(60_000);
    const second = await repo.upsertAccount(profile('northwind', { name: 'Northwind Retail', tier: 2 }));
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
    expect(await repo.getAccount('northwind')).toEqual(second.account);
    expect(await repo.getAccount('nobody')).toBeUndefined();
    expect(await repo.updateAccount('nobody', (a) => a)).toBeUndefined();
  });

  it('finds by domain and lists by tier with paging (tier changes move the account)', async () => {
    expect((await repo.findAccountByDomain('NORTHWIND.example'))?.accountId).toBe('northwind');
    expect(await repo.findAccountByDomain('nowhere.example')).toBeUndefined();
    for (let i = 0; i < 7; i++) await repo.upsertAccount(profile(`t3-${i}`, { tier: 3 }));
    const ids: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await repo.listAccountsByTier(3, { limit: 3, cursor });
      ids.push(...page.items.map((a) => a.accountId));
      page.items.forEach(expectNoStorageKeys);
      cursor = page.cursor;
      expect(++pages).toBeLessThan(6);
    } while (cursor);
    expect(ids).toEqual(Array.from({ length: 7 }, (_, i) => `t3-${i}`));
    await repo.updateAccount('t3-0', (a) => ({ ...a, tier: 2 }));
    expect((await repo.listAccountsByTier(2)).items.map((a) => a.accountId)).toEqual(['northwind', 't3-0']);
    expect((await repo.listAccountsByTier(3)).items).toHaveLength(6);
    await expect(repo.listAccountsByTier(3, { cursor: 'bogus' })).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it('20 concurrent writers updating one account lose no update', async () => {
    const before = (await repo.upsertAccount(profile('contended'))).account;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        repo.updateAccount('contended', (a) => ({
          ...a,
          techStack: [...a.techStack, `writer-${i}`],
          directMailSpentCents: a.directMailSpentCents + 1,
        })),
      ),
    );
    const after = (await repo.getAccount('contended')) as Account;
    expect(after.techStack.slice().sort()).toEqual(
      Array.from({ length: 20 }, (_, i) => `writer-${i}`).sort(),
    );
    expect(after.directMailSpentCents).toBe(20);
    expect(after.version).toBe(before.version + 20);
  });

  it('rejects a stored item that does not match its schema', async () => {
    await table.put({ ...keys.account('broken'), accountId: 'broken' });
    await expect(repo.getAccount('broken')).rejects.toBeInstanceOf(StoredItemInvalidError);
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
    const stored = await repo.putContact(dana);
    expect(stored).toMatchObject({
      email: 'dana@northwind.example',
      consent: { email: false },
      timeZone: 'America/Chicago',
    });
    expectNoStorageKeys(stored);
    expect(stored).not.toHaveProperty('version');
    await repo.putContact({ accountId: 'northwind', contactId: 'nw-lee', name: 'Lee', role: 'champion' });
    expect((await repo.listContacts('northwind')).map((c) => c.contactId)).toEqual(['nw-dana', 'nw-lee']);
    expect(await repo.getContact('northwind', 'nw-dana')).toEqual(stored);
    expect((await repo.findContactByEmail('DANA@northwind.example'))?.contactId).toBe('nw-dana');
    expect((await repo.findContactById('nw-lee'))?.accountId).toBe('northwind');
    expect(await repo.findContactByEmail('nobody@x.example')).toBeUndefined();
  });

  it('keeps an unsubscribe across updates (single and batch)', async () => {
    const unsub = await repo.markContactUnsubscribed('northwind', 'nw-dana', '2026-11-22T11:00:00.000Z');
    expect(unsub?.unsubscribedAt).toBe('2026-11-22T11:00:00.000Z');
    const again = await repo.markContactUnsubscribed('northwind', 'nw-dana', '2026-12-01T00:00:00.000Z');
    expect(again?.unsubscribedAt).toBe('2026-11-22T11:00:00.000Z');
    expect((await repo.putContact({ ...dana, title: 'CFO' })).unsubscribedAt).toBe(
      '2026-11-22T11:00:00.000Z',
    );
    const batch = Array.from({ length: 30 }, (_, i) => ({
      accountId: 'northwind',
      contactId: i === 0 ? 'nw-dana' : `nw-${String(i).padStart(2, '0')}`,
      name: `Person ${i}`,
      role: 'end_user' as const,
      email: i === 0 ? dana.email : undefined,
    }));
    expect(await repo.putContacts('northwind', batch)).toHaveLength(30);
    const contacts = await repo.listContacts('northwind');
    expect(contacts).toHaveLength(31);
    expect(contacts.find((c) => c.contactId === 'nw-dana')).toMatchObject({
      role: 'end_user',
      unsubscribedAt: '2026-11-22T11:00:00.000Z',
    });
  });

  it('changing the email moves the email index entry; delete removes the contact', async () => {
    await repo.putContact({ ...dana, email: 'dana.cole@northwind.example' });
    expect(await repo.findContactByEmail('dana@northwind.example')).toBeUndefined();
    expect((await repo.findContactByEmail('dana.cole@northwind.example'))?.contactId).toBe('nw-dana');
    expect((await repo.deleteContact('northwind', 'nw-dana'))?.contactId).toBe('nw-dana');
    expect(await repo.getContact('northwind', 'nw-dana')).toBeUndefined();
    expect(await repo.findContactsById('nw-dana')).toEqual([]);
    expect(await repo.deleteContact('northwind', 'nw-dana')).toBeUndefined();
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
    const created = await repo.createEnrollment(enrollment('northwind'));
    expect(created.created).toBe(true);
    const dup = await repo.createEnrollment({ ...enrollment('northwind'), status: 'failed' });
    expect(dup).toMatchObject({ created: false, existing: { status: 'running', version: 1 } });

    const updated = await repo.updateEnrollment('northwind', 'q1-tier1', (e) => ({
      ...e,
      status: 'waiting',
      stepId: 'wait-1',
      taskToken: 'token-1',
    }));
    expect(updated).toMatchObject({ status: 'waiting', taskToken: 'token-1', version: 2 });
    expectNoStorageKeys(updated as object);
    expect(await repo.getEnrollment('northwind', 'q1-tier1')).toEqual(updated);

    const replaced = await repo.putEnrollment({
      ...(updated as Enrollment),
      taskToken: undefined,
      status: 'running',
    });
    expect(replaced).toMatchObject({ status: 'running', version: 3 });
    expect(replaced).not.toHaveProperty('taskToken');

    for (const id of ['acme', 'zeta']) await repo.createEnrollment(enrollment(id));
    await repo.createEnrollment(enrollment('northwind', 'other-campaign'));
    const page1 = await repo.listEnrollmentsOfCampaign('q1-tier1', { limit: 2 });
    const page2 = await repo.listEnrollmentsOfCampaign('q1-tier1', { limit: 2, cursor: page1.cursor });
    expect([...page1.items, ...page2.items].map((e) => e.accountId)).toEqual(['acme', 'northwind', 'zeta']);
    expect((await repo.listEnrollmentsOfAccount('northwind')).map((e) => e.campaignId)).toEqual([
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
  status: 'pending',
  at,
  ...extra,
});

describe('touches', () => {
  it('records a touch once; a second put of the same id is a duplicate, not an error', async () => {
    const first = await repo.recordTouch(touch(1, '2026-11-22T10:00:00Z'));
    expect(first).toMatchObject({ recorded: true });
    const again = await repo.recordTouch(touch(1, '2026-11-22T10:05:00Z', { status: 'sent' }));
    expect(again).toEqual({
      recorded: false,
      duplicate: true,
      existing: expect.objectContaining({ status: 'pending', at: '2026-11-22T10:00:00Z' }),
    });
    expect(again.recorded === false && again.existing).not.toHaveProperty('gsi1pk');
  });

  it('updates status, optionally only from given statuses', async () => {
    const id = touch(1, '').touchId;
    const sent = await repo.updateTouchStatus(
      'northwind',
      id,
      { status: 'sent', ref: 'ses-1' },
      { from: ['pending'] },
    );
    expect(sent).toMatchObject({ updated: true, touch: { status: 'sent', ref: 'ses-1' } });
    const twice = await repo.updateTouchStatus(
      'northwind',
      id,
      { status: 'sent', ref: 'ses-2' },
      { from: ['pending'] },
    );
    expect(twice).toMatchObject({ updated: false, touch: { ref: 'ses-1' } });
    expect(await repo.updateTouchStatus('northwind', 'missing', { status: 'failed' })).toEqual({
      updated: false,
    });
  });

  it('lists an account’s touches most recent first (UTC order, offsets normalised) and a campaign’s in time order', async () => {
    await repo.recordTouch(touch(2, '2026-11-23T09:00:00+02:00')); // 07:00Z
    await repo.recordTouch(touch(3, '2026-11-23T08:00:00Z'));
    await repo.recordTouch(touch(4, '2026-11-24T08:00:00Z', { campaignId: 'other-campaign' }));
    const recent = await repo.listTouchesOfAccount('northwind', { limit: 3 });
    expect(recent.items.map((t) => t.stepId)).toEqual(['step-4', 'step-3', 'step-2']);
    const rest = await repo.listTouchesOfAccount('northwind', { limit: 3, cursor: recent.cursor });
    expect(rest.items.map((t) => t.stepId)).toEqual(['step-1']);
    const campaign = await repo.listTouchesOfCampaign('q1-tier1');
    expect(campaign.items.map((t) => t.stepId)).toEqual(['step-1', 'step-2', 'step-3']);
    expect(
      (await repo.listTouchesOfCampaign('q1-tier1', { newestFirst: true, limit: 1 })).items[0].stepId,
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
    for (const t of tasks) expect((await repo.putTask(t)).created).toBe(true);
    expect(await repo.putTask({ ...tasks[0], reason: 'changed' })).toMatchObject({
      created: false,
      existing: { reason: 'call the champion' },
    });

    const first = await repo.listTasks('sdr-ana', 'open', { limit: 3 });
    const second = await repo.listTasks('sdr-ana', 'open', { limit: 3, cursor: first.cursor });
    expect([...first.items, ...second.items].map((t) => t.taskId)).toEqual([
      't-c',
      't-e',
      't-b',
      't-a',
      't-d',
    ]);
    expectNoStorageKeys(first.items[0]);

    expect((await repo.getTask('t-c'))?.accountId).toBe('acme');
    expect(await repo.getTask('nope')).toBeUndefined();
    const done = await repo.completeTask('t-c', { outcome: 'meeting_booked', notes: 'Tuesday' });
    expect(done).toMatchObject({ completed: true, task: { status: 'completed', outcome: 'meeting_booked' } });
    expect(done?.task.completedAt).toBe(clock.toISOString());
    const repeat = await repo.completeTask('t-c', { outcome: 'no_answer' });
    expect(repeat).toMatchObject({ completed: false, task: { outcome: 'meeting_booked' } });
    expect(await repo.completeTask('nope', { outcome: 'connected' })).toBeUndefined();

    expect((await repo.listTasks('sdr-ana', 'open')).items.map((t) => t.taskId)).toEqual([
      't-e',
      't-b',
      't-a',
      't-d',
    ]);
    expect((await repo.listTasks('sdr-ana', 'completed')).items.map((t) => t.taskId)).toEqual(['t-c']);
    const bumped = await repo.updateTask('northwind', 't-d', (t) => ({ ...t, priority: 1 }));
    expect(bumped?.priority).toBe(1);
    expect((await repo.listTasks('sdr-ana', 'open')).items[0].taskId).toBe('t-d');
    expect((await repo.listTasksOfAccount('northwind')).map((t) => t.taskId)).toEqual([
      't-a',
      't-b',
      't-d',
      't-e',
      't-other',
    ]);
  });
});

describe('engagement event dedup', () => {
  it('is true the first time only, and true again once the marker expired', async () => {
    expect(await repo.markEventSeen('ev-1', 'northwind', 30)).toBe(true);
    expect(await repo.markEventSeen('ev-1', 'northwind', 30)).toBe(false);
    expect(await repo.markEventSeen('ev-1', 'acme', 30)).toBe(true);
    const item = await table.get(keys.event('northwind', 'ev-1'));
    expect(item?.ttl).toBe(Math.floor(clock.getTime() / 1000) + 30 * 86_400);
    const saved = clock;
    advance(31 * 86_400_000); // dynalite never deletes expired items: the read must not trust them
    expect(await repo.markEventSeen('ev-1', 'northwind', 30)).toBe(true);
    expect(await repo.markEventSeen('ev-1', 'northwind', 30)).toBe(false);
    clock = saved;
  });
});

describe('score state', () => {
  const ScoreState = z.object({ score: z.number(), asOf: z.string(), engaged: z.array(z.string()) });

  it('gets and updates versioned with the caller’s schema', async () => {
    expect(await repo.getScoreState('northwind', ScoreState)).toBeUndefined();
    const first = await repo.updateScoreState('northwind', ScoreState, (cur) => ({
      score: (cur?.score ?? 0) + 10,
      asOf: clock.toISOString(),
      engaged: [...(cur?.engaged ?? []), 'nw-dana'],
    }));
    expect(first).toMatchObject({ version: 1, state: { score: 10, engaged: ['nw-dana'] } });
    await Promise.all(
      Array.from({ length: 5 }, () =>
        repo.updateScoreState('northwind', ScoreState, (cur) => cur && { ...cur, score: cur.score + 1 }),
      ),
    );
    expect(await repo.getScoreState('northwind', ScoreState)).toMatchObject({
      version: 6,
      state: { score: 15 },
    });
    expect(await repo.updateScoreState('northwind', ScoreState, () => undefined)).toMatchObject({
      version: 6,
    });
    await expect(
      repo.updateScoreState('northwind', ScoreState, () => ({ bad: true }) as never),
    ).rejects.toThrow();
  });
});

describe('sequences', () => {
  const definition = (name: string) => ({
    id: 'tier1-strategic',
    name,
    steps: [{ id: 'intro', channel: 'email', after: 'P0D', to: ['economic_buyer'], template: 'intro' }],
  });

  it('saves new versions that are never overwritten; gets latest or specific; lists heads', async () => {
    const v1 = await repo.saveSequence(definition('v one'));
    expect(v1).toMatchObject({ id: 'tier1-strategic', version: 1, exitWhen: { allUnsubscribed: true } });
    expect(v1.steps[0]).toMatchObject({ type: 'touch', channel: 'email' });
    const concurrent = await Promise.all([2, 3, 4, 5].map((n) => repo.saveSequence(definition(`v ${n}`))));
    expect(concurrent.map((s) => s.version).sort()).toEqual([2, 3, 4, 5]);

    const overwrite = await repo.putSequenceVersion({ ...v1, name: 'hijack' });
    expect(overwrite).toMatchObject({ created: false, existing: { name: 'v one', version: 1 } });
    expect((await repo.getSequence('tier1-strategic', 1))?.name).toBe('v one');
    expect((await repo.getSequence('tier1-strategic'))?.version).toBe(5);
    expect(await repo.getSequence('tier1-strategic', 99)).toBeUndefined();
    expect(await repo.getSequence('missing')).toBeUndefined();

    await repo.saveSequence({ ...definition('other'), id: 'a-first' });
    const list = await repo.listSequences();
    expect(list.items).toEqual([
      expect.objectContaining({ sequenceId: 'a-first', latestVersion: 1, name: 'other' }),
      expect.objectContaining({ sequenceId: 'tier1-strategic', latestVersion: 5 }),
    ]);
    await expect(repo.saveSequence({ id: 'bad', name: 'x', steps: [] })).rejects.toThrow();
  });
});

describe('templates, campaigns, suppression', () => {
  it('templates: put, get (optionally with a schema), list', async () => {
    await repo.putTemplate('intro', { subject: 'Hi {{account.name}}', html: '<p>Hi</p>', text: 'Hi' });
    await repo.putTemplate('follow-up', { subject: 'Again', text: 'Again' });
    expect(await repo.getTemplate('intro')).toMatchObject({
      templateId: 'intro',
      subject: 'Hi {{account.name}}',
    });
    const Template = z.object({ templateId: z.string(), subject: z.string(), text: z.string() });
    expect(await repo.getTemplate('follow-up', Template)).toEqual({
      templateId: 'follow-up',
      subject: 'Again',
      text: 'Again',
    });
    expect(await repo.getTemplate('none')).toBeUndefined();
    expect((await repo.listTemplates()).items.map((t) => t.templateId)).toEqual(['follow-up', 'intro']);
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
    expect((await repo.createCampaign(campaign)).created).toBe(true);
    expect(await repo.createCampaign({ ...campaign, name: 'again' })).toMatchObject({
      created: false,
      existing: { name: 'Q1 tier 1' },
    });
    await Promise.all(
      Array.from({ length: 10 }, () =>
        repo.updateCampaign('q1-tier1', (c) => ({ ...c, enrolled: c.enrolled + 1 })),
      ),
    );
    const stored = await repo.getCampaign('q1-tier1');
    expect(stored).toMatchObject({ enrolled: 10, version: 3, holdoutPercent: 0 });
    expect(stored).not.toHaveProperty('revision');
    expect((await table.get(keys.campaign('q1-tier1')))?.revision).toBe(10);
    expect((await repo.listCampaigns()).items.map((c) => c.campaignId)).toEqual(['q1-tier1']);
  });

  it('suppression: add (first entry kept), check case-insensitively, remove', async () => {
    expect(
      await repo.addSuppression('Dana@Northwind.example', { reason: 'unsubscribe', source: 'one-click' }),
    ).toBe(true);
    expect(await repo.addSuppression('dana@northwind.example', { reason: 'complaint' })).toBe(false);
    expect(await repo.isSuppressed(' DANA@northwind.example ')).toBe(true);
    expect(await repo.getSuppression('dana@northwind.example')).toEqual({
      email: 'dana@northwind.example',
      reason: 'unsubscribe',
      source: 'one-click',
      at: clock.toISOString(),
    });
    expect(await repo.removeSuppression('dana@northwind.example')).toBe(true);
    expect(await repo.removeSuppression('dana@northwind.example')).toBe(false);
    expect(await repo.isSuppressed('dana@northwind.example')).toBe(false);
  });
});
