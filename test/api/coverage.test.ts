/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies are read loosely in tests */
/**
 * Coverage gaps become research tasks (functions/api/coverage-service.ts): an account missing a
 * role its tier needs gets one research task naming the missing roles, rewritten as roles are
 * found and closed by itself when none is missing; the account view shows coverage by role.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DETAIL_TYPES } from '../../functions/kernel/events';
import { fitProfile } from '../support/accounts';
import { startHarness, type Harness } from '../support/api';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ coverage: { requiredRoles: { '2': ['champion'] } } });
});
afterAll(async () => h?.stop());

const contact = (accountId: string, role: string, n = 1) => ({
  contactId: `${accountId}-${role}-${n}`,
  name: `${role} ${n}`,
  email: `${role}.${n}@${accountId}.example`,
  role,
});
const importAccount = async (accountId: string, name: string, tier: number, roles: string[]) => {
  const res = await h.call('POST', '/accounts/import', {
    body: {
      accounts: [
        {
          ...fitProfile(accountId, name),
          tier,
          ownerSdr: 'sdr-ana',
          contacts: roles.map((r) => contact(accountId, r)),
        },
      ],
    },
  });
  expect(res.status, JSON.stringify(res.json)).toBe(200);
};
const researchOf = async (accountId: string) =>
  (await h.store.tasks.listOfAccount(accountId)).filter((t) => t.type === 'research');

describe('coverage gaps', () => {
  it('opens one research task naming the missing roles of a tier-1 committee', async () => {
    await importAccount('northwind', 'Northwind Retail', 1, ['champion', 'end_user']);
    const tasks = await researchOf('northwind');
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({
      taskId: 'research-northwind-1',
      owner: 'sdr-ana',
      status: 'open',
      reason: 'find the economic buyer, the technical evaluator and the blocker at Northwind Retail',
      context: { missingRoles: ['economic_buyer', 'technical_evaluator', 'blocker'] },
    });
    // The SDR sees it in the queue; the bus hears of it (a CRM creates it there too).
    const queue = (await h.call('GET', '/tasks', { query: { owner: 'sdr-ana' } })).json;
    expect(queue.items.map((t: any) => t.taskId)).toContain('research-northwind-1');
    expect(h.publisher.ofType(DETAIL_TYPES.sdrTaskCreated).map((e: any) => e.detail.taskId)).toContain(
      'research-northwind-1',
    );
  });

  it('shows coverage by role in the account view', async () => {
    const view = (await h.call('GET', '/accounts/northwind')).json;
    expect(view.coverage).toEqual({
      required: ['economic_buyer', 'technical_evaluator', 'champion', 'end_user', 'blocker'],
      byRole: {
        economic_buyer: 0,
        technical_evaluator: 0,
        champion: 1,
        end_user: 1,
        blocker: 0,
        influencer: 0,
      },
      missing: ['economic_buyer', 'technical_evaluator', 'blocker'],
    });
  });

  it('keeps one task through a repeated import, and rewrites it as roles are found', async () => {
    await importAccount('northwind', 'Northwind Retail', 1, ['champion', 'end_user']);
    expect(await researchOf('northwind')).toHaveLength(1);
    await importAccount('northwind', 'Northwind Retail', 1, ['economic_buyer']);
    const [task] = await researchOf('northwind');
    expect(task.status).toBe('open');
    expect(task.reason).toBe('find the technical evaluator and the blocker at Northwind Retail');
    expect(task.context.missingRoles).toEqual(['technical_evaluator', 'blocker']);
  });

  it('closes the task by itself when the last missing role is imported, with no engagement', async () => {
    const before = h.publisher.ofType(DETAIL_TYPES.engagementRecorded).length;
    expect(
      (
        await h.call('PUT', '/accounts/northwind/contacts/northwind-technical_evaluator-1', {
          body: contact('northwind', 'technical_evaluator'),
        })
      ).status,
    ).toBe(200);
    expect((await researchOf('northwind'))[0].status).toBe('open');
    await importAccount('northwind', 'Northwind Retail', 1, ['blocker']);
    const [task] = await researchOf('northwind');
    expect(task).toMatchObject({ status: 'completed', notes: expect.stringMatching(/every required role/) });
    expect(task.outcome).toBeUndefined();
    expect(h.publisher.ofType(DETAIL_TYPES.engagementRecorded)).toHaveLength(before);
    expect((await h.call('GET', '/accounts/northwind')).json.coverage.missing).toEqual([]);
  });

  it('opens the next task when an erasure loses a required role again', async () => {
    const erased = await h.call('DELETE', '/contacts/northwind-blocker-1');
    expect(erased.status).toBe(200);
    const tasks = await researchOf('northwind');
    expect(tasks.map((t) => [t.taskId, t.status])).toEqual([
      ['research-northwind-1', 'completed'],
      ['research-northwind-2', 'open'],
    ]);
    expect(tasks[1].reason).toBe('find the blocker at Northwind Retail');
  });

  it('follows the configured roles per tier, and asks nothing of tier 3 by default', async () => {
    await importAccount('t2-acct', 'Tier Two', 2, ['economic_buyer']);
    expect((await researchOf('t2-acct')).map((t) => t.reason)).toEqual(['find the champion at Tier Two']);
    await importAccount('t3-acct', 'Tier Three', 3, []);
    expect(await researchOf('t3-acct')).toEqual([]);
    expect((await h.call('GET', '/accounts/t3-acct')).json.coverage).toMatchObject({
      required: [],
      missing: [],
    });
  });

  it('completing a research task by hand publishes no engagement', async () => {
    await importAccount('manual', 'Manual Co', 1, ['champion']);
    const before = h.publisher.ofType(DETAIL_TYPES.engagementRecorded).length;
    const done = await h.call('POST', '/tasks/research-manual-1/complete', {
      body: { outcome: 'connected' },
    });
    expect(done.status).toBe(200);
    expect(h.publisher.ofType(DETAIL_TYPES.engagementRecorded)).toHaveLength(before);
    expect(h.publisher.ofType(DETAIL_TYPES.sdrTaskCompleted).map((e: any) => e.detail.taskId)).toContain(
      'research-manual-1',
    );
  });
});

describe('config.coverage', () => {
  it('refuses an unknown role or a tier it does not know', async () => {
    const { requiredRolesOf } = await import('../../functions/kernel/coverage');
    expect(() => requiredRolesOf({ requiredRoles: { '1': ['cfo'] } })).toThrow();
    expect(() => requiredRolesOf({ requiredRoles: { '4': [] } })).toThrow();
    expect(() => requiredRolesOf({ requiredRoles: { '1': ['champion', 'champion'] } })).toThrow(/twice/);
    expect(requiredRolesOf({ requiredRoles: { '3': ['champion'] } })['3']).toEqual(['champion']);
  });
});
