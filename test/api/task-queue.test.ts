/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies are read loosely in tests */
import { beforeAll, describe, expect, it } from 'vitest';
import { localTimeIn } from '../../functions/api/tasks-service';
import { account, expectErrorShape, startHarness } from '../support/api';
import { useHarness } from '../support/suite';

const h = useHarness(() => startHarness());

const task = (taskId: string, owner: string, priority: number, dueAt: string, extra: any = {}) => ({
  taskId,
  accountId: 'acct-00001',
  contactId: 'acct-00001-ch',
  owner,
  type: 'call' as const,
  status: 'open' as const,
  priority,
  dueAt,
  reason: 'Opened the pricing page twice this week',
  context: {
    contact: {
      name: 'Cam Champion',
      role: 'champion' as const,
      phone: '+1 415 555 0100',
      timeZone: 'America/Los_Angeles',
      localTime: '01:00',
    },
    talkingPoints: ['Ask about the Q1 budget', 'Mention the retail case study'],
    recentEngagement: [],
  },
  createdAt: '2026-11-23T08:00:00.000Z',
  ...extra,
});

beforeAll(async () => {
  await h.call('POST', '/accounts/import', { body: { accounts: [account(1)] } });
  // The harness's clock is 2026-11-23T09:00Z.
  await h.store.tasks.create(task('a-overdue', 'sdr-ana', 2, '2026-11-23T08:00:00.000Z'));
  await h.store.tasks.create(task('a-later', 'sdr-ana', 1, '2026-11-25T08:00:00.000Z'));
  await h.store.tasks.create(task('b-overdue', 'sdr-bob', 3, '2026-11-22T08:00:00+01:00'));
  await h.store.tasks.create(task('b-today', 'sdr-bob', 1, '2026-11-23T15:00:00.000Z'));
  await h.store.tasks.create(
    task('b-done', 'sdr-bob', 1, '2026-11-20T15:00:00.000Z', {
      status: 'completed',
      outcome: 'voicemail',
      completedAt: '2026-11-21T10:00:00.000Z',
    }),
  );
});

const ids = (res: any) => res.json.items.map((t: any) => t.taskId);

describe('GET /tasks for the console', () => {
  it('without an owner lists every open task by due time, overdue ones marked', async () => {
    const res = await h.call('GET', '/tasks');
    expect(res.status).toBe(200);
    // The import's research task (a missing role, due in 3 days, owner `unassigned`) is one of them.
    expect(ids(res)).toEqual(['b-overdue', 'a-overdue', 'b-today', 'a-later', 'research-acct-00001-1']);
    expect(res.json.items.map((t: any) => t.overdue)).toEqual([true, true, false, false, false]);
    expect(res.json.items[4].owner).toBe('unassigned');
  });

  it('each task says who to call with their local time now, why now, talking points and the account', async () => {
    const [first] = (await h.call('GET', '/tasks', { query: { owner: 'sdr-ana' } })).json.items;
    expect(first).toMatchObject({
      taskId: 'a-later',
      accountId: 'acct-00001',
      accountName: 'Account 1',
      reason: 'Opened the pricing page twice this week',
      context: { talkingPoints: ['Ask about the Q1 budget', 'Mention the retail case study'] },
      call: {
        name: 'Cam Champion',
        role: 'champion',
        phone: '+1 415 555 0100',
        timeZone: 'America/Los_Angeles',
        // 09:00 UTC on 23 November is 01:00 in Los Angeles (PST, UTC-8).
        localTime: '2026-11-23 01:00',
      },
    });
    h.clock.advance(3 * 3_600_000);
    const later = (await h.call('GET', '/tasks', { query: { owner: 'sdr-ana' } })).json.items[0];
    expect(later.call.localTime).toBe('2026-11-23 04:00');
    h.clock.advance(-3 * 3_600_000);
  });

  it('overdue=true keeps the tasks due before now, with or without an owner', async () => {
    expect(ids(await h.call('GET', '/tasks', { query: { overdue: 'true' } }))).toEqual([
      'b-overdue',
      'a-overdue',
    ]);
    expect(ids(await h.call('GET', '/tasks', { query: { owner: 'sdr-bob', overdue: 'true' } }))).toEqual([
      'b-overdue',
    ]);
    expect(ids(await h.call('GET', '/tasks', { query: { owner: 'sdr-bob', overdue: 'false' } }))).toEqual([
      'b-today',
      'b-overdue',
    ]);
  });

  it('status=done is the completed tasks; a page cursor goes on where it stopped', async () => {
    const done = await h.call('GET', '/tasks', { query: { status: 'done' } });
    expect(ids(done)).toEqual(['b-done']);
    expect(done.json.items[0].overdue).toBe(false);
    const first = await h.call('GET', '/tasks', { query: { limit: '3' } });
    expect(ids(first)).toHaveLength(3);
    const rest = await h.call('GET', '/tasks', { query: { limit: '3', cursor: first.json.cursor } });
    expect([...ids(first), ...ids(rest)]).toEqual([
      'b-overdue',
      'a-overdue',
      'b-today',
      'a-later',
      'research-acct-00001-1',
    ]);
    const overdueFirst = await h.call('GET', '/tasks', {
      query: { owner: 'sdr-bob', overdue: 'true', limit: '1' },
    });
    expect(ids(overdueFirst)).toEqual(['b-overdue']);
  });

  it('answers a bad query with a 400 in the error shape', async () => {
    expect(
      expectErrorShape(await h.call('GET', '/tasks', { query: { overdue: 'yes' } }), 400).details[0].path,
    ).toBe('query.overdue');
    expectErrorShape(await h.call('GET', '/tasks', { query: { status: 'snoozed' } }), 400);
    expectErrorShape(await h.call('GET', '/tasks', { query: { cursor: 'x' } }), 400);
    const ana = await h.call('GET', '/tasks', { query: { owner: 'sdr-ana', limit: '1' } });
    expectErrorShape(await h.call('GET', '/tasks', { query: { cursor: ana.json.cursor } }), 400);
  });

  it('a zone Intl does not know keeps the local time stored with the task', () => {
    expect(localTimeIn('Not/AZone', new Date())).toBeUndefined();
    expect(localTimeIn('Europe/Berlin', new Date('2026-07-01T10:00:00Z'))).toBe('2026-07-01 12:00');
  });
});
