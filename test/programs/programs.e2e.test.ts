/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies are read loosely in tests */
/**
 * Programs that think ahead, in local mode with the simulated clock, as a user drives them over
 * HTTP: an intent surge fires a program that enrolls the account once (a second surge within the
 * cooldown does not); an MQA trigger enrolls into the sales-assist sequence; a research task opens
 * for a missing role and closes when the contact is imported; a touch due on a holiday lands on the
 * next open day.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advance, committee, startLocalForTest, type ApiClient } from '../support/local';
import { committeeMember } from '../support/accounts';

const TOKEN = 'programs-e2e-token-0123456789';
// Wednesday 23 December 2026, 10:00 in New York.
const START = '2026-12-23T15:00:00.000Z';
let api: ApiClient;
let stop: (() => Promise<void>) | undefined;

const ok = async (p: Promise<{ status: number; text: string; json: any }>) => {
  const res = await p;
  expect(res.status, res.text).toBeLessThan(300);
  return res.json;
};
const touches = async (accountId: string) =>
  ((await api.call('GET', `/accounts/${accountId}`)).json.touches as any[])
    .filter((t) => t.status === 'sent')
    .map((t) => `${t.stepId}@${t.at}`)
    .sort();
const event = (eventId: string, accountId: string, type: string, extra: Record<string, unknown> = {}) => ({
  eventId,
  accountId,
  type,
  occurredAt: START,
  ...extra,
});

beforeAll(async () => {
  ({ api, stop } = await startLocalForTest('abm-programs-e2e-', TOKEN, 'simulate', {
    env: { ABM_CLOCK_START: START },
  }));
  for (const t of ['nurture-1', 'nurture-2', 'assist-1'])
    await ok(
      api.call('PUT', `/templates/${t}`, {
        subject: `${t} for {{account.name}}`,
        html: '<p>Hi</p>',
        text: 'Hi',
      }),
    );
  // The nurture follows US public holidays: its second email falls due on Christmas Day.
  await ok(
    api.call('PUT', '/sequences/t3-nurture', {
      name: 'Tier 3 nurture',
      sendWindow: {
        days: ['mon', 'tue', 'wed', 'thu', 'fri'],
        start: '09:00',
        end: '17:00',
        holidays: ['US'],
      },
      steps: [
        { id: 'n1', channel: 'email', to: ['champion'], template: 'nurture-1' },
        { id: 'n2', channel: 'email', after: 'P2D', to: ['champion'], template: 'nurture-2' },
      ],
    }),
  );
  await ok(
    api.call('PUT', '/sequences/sales-assist', {
      name: 'Sales assist',
      sendWindow: { days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '00:00', end: '23:59' },
      steps: [{ id: 'a1', channel: 'email', to: ['economic_buyer'], template: 'assist-1' }],
    }),
  );
  await ok(
    api.call('POST', '/accounts/import', {
      accounts: [committee('acme', 3), committee('globex', 3), committee('initech', 1)],
    }),
  );
});

afterAll(async () => {
  await stop?.();
});

describe('programs in local mode', () => {
  it('an intent surge enrolls once; a second surge within the cooldown does not; Christmas waits', async () => {
    await ok(
      api.call('PUT', '/programs/surge', {
        name: 'Intent surge to nurture',
        sequenceId: 't3-nurture',
        trigger: { type: 'intent.surge', minStrength: 50, topics: ['freight audit'] },
        audience: { tiers: [3] },
        reentry: { after: 'P30D' },
      }),
    );
    await ok(
      api.call('POST', '/events', {
        events: [
          event('surge-1', 'acme', 'intent.surge', { properties: { topic: 'freight audit', strength: 80 } }),
          event('weak-1', 'globex', 'intent.surge', { properties: { topic: 'freight audit', strength: 20 } }),
        ],
      }),
    );
    await advance(api, { by: 'PT0S' });
    expect(await touches('acme')).toEqual([`n1@${START}`]);
    expect(await touches('globex')).toEqual([]);
    // Five days on: the second email was due Friday 25 December, a US holiday: Monday 09:00 New York.
    await advance(api, { by: 'P5D' });
    expect(await touches('acme')).toEqual([`n1@${START}`, 'n2@2026-12-28T14:00:00.000Z']);
    // A second surge within the cooldown: no second entry.
    await ok(
      api.call('POST', '/events', {
        events: [
          event('surge-2', 'acme', 'intent.surge', {
            occurredAt: '2026-12-28T15:00:00.000Z',
            properties: { topic: 'freight audit', strength: 95 },
          }),
        ],
      }),
    );
    await advance(api, { by: 'P1D' });
    expect((await api.call('GET', '/programs/surge')).json.entries).toBe(1);
    expect(await touches('acme')).toHaveLength(2);
    const report = (await api.call('GET', '/reports/programs/surge')).json;
    expect(report.program.entries).toBe(1);
  });

  it('an account reaching MQA enters the sales-assist program', async () => {
    await ok(
      api.call('PUT', '/programs/mqa-assist', {
        name: 'MQA to sales assist',
        sequenceId: 'sales-assist',
        trigger: { type: 'stage.entered', stage: 'mqa' },
        reentry: { once: true },
      }),
    );
    const now = (await api.call('GET', '/_local/clock')).json.now;
    await ok(
      api.call('POST', '/events', {
        events: ['economic_buyer', 'champion', 'technical_evaluator'].map((role, i) =>
          event(`meet-${i}`, 'initech', 'meeting.booked', {
            occurredAt: now,
            contactId: committeeMember('initech', role as 'champion').contactId,
          }),
        ),
      }),
    );
    await advance(api, { by: 'PT1M' });
    expect((await api.call('GET', '/accounts/initech')).json.stage).toBe('mqa');
    const view = (await api.call('GET', '/accounts/initech')).json;
    expect(view.enrollments.map((e: any) => e.campaignId)).toContain('program-mqa-assist');
    expect(view.touches.filter((t: any) => t.stepId === 'a1' && t.status === 'sent')).toHaveLength(1);
  });

  it('a research task opens for a missing role and closes when the contact is imported', async () => {
    // initech is tier 1: its committee (buyer, champion, technical evaluator) lacks an end user and a blocker.
    const research = async () =>
      ((await api.call('GET', '/tasks?owner=sdr-ana&status=open')).json.items as any[]).filter(
        (t) => t.type === 'research' && t.accountId === 'initech',
      );
    expect((await research()).map((t) => t.reason)).toEqual([
      'find the end user and the blocker at Account initech',
    ]);
    await ok(
      api.call('POST', '/accounts/import', {
        accounts: [
          {
            ...committee('initech', 1),
            contacts: [
              { contactId: 'initech-eu', name: 'Eli User', email: 'eli@initech.example', role: 'end_user' },
              { contactId: 'initech-bl', name: 'Bo Blocker', email: 'bo@initech.example', role: 'blocker' },
            ],
          },
        ],
      }),
    );
    expect(await research()).toEqual([]);
    expect((await api.call('GET', '/accounts/initech')).json.coverage.missing).toEqual([]);
  });
});
