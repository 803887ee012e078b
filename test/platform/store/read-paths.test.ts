/**
 * The reads of the API's hot paths (issue 14 "Fast"): the account view in one query on the
 * account's partition, and campaign progress from projected queries (each enrollment's status,
 * each touch's step and status), with the same answers as the full reads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, type Store } from '../../../functions/platform/store';
import { AccountViewReader } from '../../../functions/platform/store/account-view';
import { Table } from '../../../functions/platform/store/table';
import { emptyScoreState } from '../../../functions/scoring/domain/state';
import { recordingClient, startDynalite, type LocalDynamo } from '../../support/dynalite';

const NOW = new Date('2026-11-22T10:00:00.000Z');

let db: LocalDynamo;
let store: Store;
let rec: ReturnType<typeof recordingClient>;

beforeAll(async () => {
  db = await startDynalite();
  rec = recordingClient(db.client);
  store = createStore(new Table(rec.client, db.tableName), { now: () => NOW });
  const at = NOW.toISOString();
  for (const id of ['acme', 'globex']) {
    await store.accounts.upsert({ accountId: id, name: id, domain: `${id}.example`, techStack: [], tier: 1 });
    for (const role of ['champion', 'economic_buyer'] as const)
      await store.accounts.putContact({
        accountId: id,
        contactId: `${id}-${role}`,
        name: role,
        email: `${role}@${id}.example`,
        role,
      });
    await store.enrollments.create({
      accountId: id,
      campaignId: 'c1',
      sequenceId: 's1',
      sequenceVersion: 1,
      executionName: `c1--${id}`,
      status: id === 'acme' ? 'running' : 'completed',
      startedAt: at,
      updatedAt: at,
    });
    for (const [stepId, status, reason] of [
      ['intro', 'sent', undefined],
      ['follow', 'skipped', 'capped'],
    ] as const)
      await store.touches.record({
        touchId: `c1--${id}#${stepId}#${id}-champion`,
        accountId: id,
        campaignId: 'c1',
        executionName: `c1--${id}`,
        stepId,
        channel: 'email',
        contactId: `${id}-champion`,
        status,
        reason,
        at,
        summary: 'a long summary that progress does not need',
      });
  }
  // Items of the partition that the account view leaves to other reads: a task and the score.
  await store.tasks.create({
    taskId: 't1',
    accountId: 'acme',
    contactId: 'acme-champion',
    owner: 'sdr-ana',
    type: 'call',
    status: 'open',
    priority: 1,
    dueAt: at,
    reason: 'test',
    context: { talkingPoints: [], recentEngagement: [], lastTouches: [] },
    createdAt: at,
  });
  await store.scores.save({ ...emptyScoreState('acme'), score: 12 }, undefined, NOW, 14 * 86_400_000);
});

afterAll(async () => db?.stop());

describe('the account view read', () => {
  it('reads profile, committee, enrollments and score in ONE query, and nothing of the tasks or touches', async () => {
    const reader = new AccountViewReader(new Table(rec.client, db.tableName));
    rec.sent.length = 0;
    const whole = await reader.get('acme');
    expect(rec.sent.map((s) => s.name)).toEqual(['Query']);
    expect(whole?.account.accountId).toBe('acme');
    expect(whole?.contacts.map((c) => c.contactId).sort()).toEqual(['acme-champion', 'acme-economic_buyer']);
    expect(whole?.enrollments.map((e) => [e.campaignId, e.status])).toEqual([['c1', 'running']]);
    expect(whole?.score?.state.score).toBe(12);
    // The same as the reads one by one.
    expect(whole?.account).toEqual(await store.accounts.get('acme'));
    expect(whole?.contacts).toEqual(await store.accounts.listContacts('acme'));
    expect(whole?.enrollments).toEqual(await store.enrollments.listOfAccount('acme'));
  });

  it('is undefined for an account without a profile', async () => {
    const reader = new AccountViewReader(new Table(rec.client, db.tableName));
    expect(await reader.get('nobody')).toBeUndefined();
  });
});

describe('campaign progress reads', () => {
  it("reads each enrollment's status with a projected query, the same statuses as the full read", async () => {
    rec.sent.length = 0;
    const statuses = await store.enrollments.statusesOfCampaign('c1');
    expect(rec.sent).toHaveLength(1);
    expect(rec.sent[0].input.ProjectionExpression).toBeDefined();
    expect(statuses.sort()).toEqual(
      (await store.enrollments.allOfCampaign('c1')).map((e) => e.status).sort(),
    );
  });

  it("reads each touch's step, status and reason with a projected query, the same outcomes as the full read", async () => {
    rec.sent.length = 0;
    const outcomes = await store.touches.outcomesOfCampaign('c1');
    expect(rec.sent).toHaveLength(1);
    expect(rec.sent[0].input.ProjectionExpression).toBeDefined();
    for (const o of outcomes) expect(o).not.toHaveProperty('summary');
    const full = await store.touches.allOfCampaign('c1');
    expect(outcomes).toEqual(
      full.map((t) => ({
        touchId: t.touchId,
        accountId: t.accountId,
        stepId: t.stepId,
        channel: t.channel,
        status: t.status,
        ...(t.reason ? { reason: t.reason } : {}),
      })),
    );
  });
});
