/**
 * The storage under the touch ledger and campaign completion (dynalite): the attempt fence on a
 * touch's status change, one execution's touches by key prefix, a legacy `pending` touch, the
 * sparse index of a campaign's active enrollments, and a campaign's completion.
 */
import { describe, expect, it } from 'vitest';
import type { Enrollment, Touch } from '../../../functions/kernel/model';
import { keys } from '../../../functions/platform/store/keys';
import { getItem, putItem, tableRef } from '../../../functions/platform/store/table';
import { TouchRepository } from '../../../functions/platform/store/touches';
import { moveActiveEnrollment } from '../../../functions/platform/store/enrollments';

const at0 = new Date('2026-11-22T10:00:00.000Z');
import { recordingClient } from '../../support/dynalite';
import { useLocalStore } from '../../support/suite';

const store = useLocalStore(() => new Date('2026-11-22T10:00:00.000Z'));

const touch = (executionName: string, stepId: string, extra: Partial<Touch> = {}): Touch => ({
  touchId: `${executionName}#${stepId}#nw-dana`,
  accountId: 'northwind',
  campaignId: 'q1',
  executionName,
  stepId,
  channel: 'email',
  contactId: 'nw-dana',
  status: 'claimed',
  attempt: 'attempt-1',
  at: '2026-11-22T10:00:00.000Z',
  ...extra,
});

describe('touches: the ledger’s storage', () => {
  it('moves a touch only for the attempt that holds it', async () => {
    const t = touch('q1--northwind', 'fence');
    await store.touches.record(t);
    const other = await store.touches.updateStatus(
      'northwind',
      t.touchId,
      { status: 'handing_over' },
      { from: ['claimed'], attempt: 'attempt-2' },
    );
    expect(other).toMatchObject({ updated: false, touch: { status: 'claimed', attempt: 'attempt-1' } });
    const own = await store.touches.updateStatus(
      'northwind',
      t.touchId,
      { status: 'handing_over' },
      { from: ['claimed'], attempt: 'attempt-1' },
    );
    expect(own).toMatchObject({ updated: true, touch: { status: 'handing_over', attempt: 'attempt-1' } });
  });

  it('lists one execution’s touches by their key prefix, not another’s that starts alike', async () => {
    await store.touches.record(touch('q1--nw', 's1'));
    await store.touches.record(touch('q1--nw', 's2', { status: 'sent' }));
    await store.touches.record(touch('q1--nw-2', 's1'));
    const mine = await store.touches.ofExecution('northwind', 'q1--nw');
    expect(mine.map((t) => t.touchId).sort()).toEqual(['q1--nw#s1#nw-dana', 'q1--nw#s2#nw-dana']);
  });

  it('reads a touch stored as `pending` (before the two-phase ledger) as handed over', async () => {
    const legacy = { ...touch('q1--old', 's1'), status: 'pending', attempt: undefined };
    await putItem(store.table, {
      ...JSON.parse(JSON.stringify(legacy)),
      ...keys.touchItem(legacy),
      entity: 'touch',
      version: 1,
    });
    expect(await store.touches.get('northwind', legacy.touchId)).toMatchObject({ status: 'handing_over' });
    // ...and moves out of it as a handed-over touch does.
    const moved = await store.touches.updateStatus(
      'northwind',
      legacy.touchId,
      { status: 'uncertain', reason: 'no_answer' },
      { from: ['handing_over'] },
    );
    expect(moved).toMatchObject({ updated: true, touch: { status: 'uncertain', reason: 'no_answer' } });
  });

  it('moves a touch in ONE conditional UpdateItem, the version up by one, nothing read first', async () => {
    const t = touch('q1--one', 's1');
    await store.touches.record(t);
    const rec = recordingClient(store.table.client);
    const counted = new TouchRepository(tableRef(rec.client, store.table.tableName));
    const moved = await counted.updateStatus(
      'northwind',
      t.touchId,
      { status: 'sent', ref: 'ses-1', at: '2026-11-22T10:05:00.000Z' },
      { from: ['claimed'], attempt: 'attempt-1' },
    );
    expect(rec.names()).toEqual(['UpdateItem']);
    expect(moved.touch).toMatchObject({ status: 'sent', ref: 'ses-1', attempt: 'attempt-1' });
    const stored = await getItem(store.table, keys.touch('northwind', t.touchId));
    expect(stored).toMatchObject({
      version: 1,
      // The indexes follow the new time.
      ...keys.touchItem({ ...t, at: '2026-11-22T10:05:00.000Z' }),
    });
    // A status it is not in: nothing changes, and the stored touch is read back.
    rec.sent.length = 0;
    const refused = await counted.updateStatus(
      'northwind',
      t.touchId,
      { status: 'failed' },
      { from: ['claimed'] },
    );
    expect(refused).toMatchObject({ updated: false, touch: { status: 'sent' } });
    expect(rec.names()).toEqual(['UpdateItem', 'GetItem']);
    // No touch: not updated, nothing written.
    expect(await counted.updateStatus('northwind', 'nobody#s#c', { status: 'sent' })).toEqual({
      updated: false,
      touch: undefined,
    });
    expect(await getItem(store.table, keys.touch('northwind', 'nobody#s#c'))).toBeUndefined();
  });
});

const enrollment = (accountId: string, campaignId: string, status: Enrollment['status']) => ({
  accountId,
  campaignId,
  sequenceId: 'seq',
  sequenceVersion: 1,
  executionName: `${campaignId}--${accountId}`,
  status,
  startedAt: '2026-11-22T10:00:00.000Z',
  updatedAt: '2026-11-22T10:00:00.000Z',
});

describe('enrollments: the engine’s cursor', () => {
  it('moves an active enrollment in ONE conditional UpdateItem: given fields set, undefined ones removed, nothing else', async () => {
    await store.enrollments.create({
      ...enrollment('m', 'c-move', 'waiting'),
      exclusive: true,
      taskToken: 'tok',
      stepId: 's0',
    });
    const rec = recordingClient(store.table.client);
    const counted = tableRef(rec.client, store.table.tableName);
    const at = new Date('2026-11-22T11:00:00.000Z');
    expect(
      await moveActiveEnrollment(counted, at, 'm', 'c-move', {
        status: 'running',
        stepId: 's1',
        taskToken: undefined,
      }),
    ).toBe(true);
    expect(rec.names()).toEqual(['UpdateItem']);
    const moved = await store.enrollments.get('m', 'c-move');
    // exclusive keeps its stored value: the schema's default (false) is not written over it.
    expect(moved).toMatchObject({ status: 'running', stepId: 's1', exclusive: true, version: 2 });
    expect(moved?.taskToken).toBeUndefined();
    expect(moved?.updatedAt).toBe('2026-11-22T11:00:00.000Z');
    // Still in the sparse index of active enrollments.
    expect(await store.enrollments.anyActive('c-move')).toBe(true);
  });

  it('moves an active enrollment stored before the active index, which then lists it', async () => {
    const legacy = enrollment('old', 'c-legacy', 'running');
    const { gsi2pk: _p, gsi2sk: _s, ...withoutIndex } = keys.enrollmentItem(legacy, true);
    await putItem(store.table, { ...legacy, ...withoutIndex, entity: 'enrollment', version: 3 });
    expect(await store.enrollments.anyActive('c-legacy')).toBe(false);
    expect(await moveActiveEnrollment(store.table, at0, 'old', 'c-legacy', { stepId: 's2' })).toBe(true);
    expect(await store.enrollments.get('old', 'c-legacy')).toMatchObject({ stepId: 's2', version: 4 });
    expect(await store.enrollments.anyActive('c-legacy')).toBe(true);
  });

  it('leaves an enrollment that is not active as it is, and never ends one', async () => {
    await store.enrollments.create(enrollment('s', 'c-move2', 'stopped'));
    expect(await moveActiveEnrollment(store.table, at0, 's', 'c-move2', { stepId: 's9' })).toBe(false);
    expect((await store.enrollments.get('s', 'c-move2'))?.stepId).toBeUndefined();
    expect(await moveActiveEnrollment(store.table, at0, 'nobody', 'c-move2', { stepId: 's9' })).toBe(false);
    await store.enrollments.create(enrollment('r', 'c-move2', 'running'));
    await expect(
      moveActiveEnrollment(store.table, at0, 'r', 'c-move2', { status: 'completed' }),
    ).rejects.toThrow('moveActive: status completed');
  });
});

describe('campaign completion', () => {
  it('knows whether a campaign has an active enrollment (other than the one ending)', async () => {
    await store.enrollments.create(enrollment('a', 'c-act', 'running'));
    await store.enrollments.create(enrollment('b', 'c-act', 'held_out'));
    await store.enrollments.create(enrollment('c', 'c-act', 'paused'));
    expect(await store.enrollments.anyActive('c-act')).toBe(true);
    expect(await store.enrollments.anyActive('c-act', 'a')).toBe(true);
    await store.enrollments.update('c', 'c-act', (e) => ({ ...e, status: 'stopped' }));
    expect(await store.enrollments.anyActive('c-act', 'a')).toBe(false);
    await store.enrollments.update('a', 'c-act', (e) => ({ ...e, status: 'waiting' }));
    expect(await store.enrollments.anyActive('c-act')).toBe(true);
    await store.enrollments.update('a', 'c-act', (e) => ({ ...e, status: 'completed' }));
    expect(await store.enrollments.anyActive('c-act')).toBe(false);
    expect(await store.enrollments.anyActive('c-none')).toBe(false);
  });

  it('completes a running or paused campaign, never a launching or stopped one', async () => {
    const now = '2026-11-22T10:00:00.000Z';
    for (const status of ['running', 'paused', 'launching', 'stopped'] as const) {
      await store.campaigns.create({
        campaignId: `c-${status}`,
        name: status,
        sequenceId: 'seq',
        version: 1,
        audience: { tier: 1 },
        status,
        createdAt: now,
        updatedAt: now,
      });
    }
    expect(await store.campaigns.complete('c-running')).toBe(true);
    expect(await store.campaigns.complete('c-running')).toBe(false);
    expect(await store.campaigns.complete('c-paused')).toBe(true);
    expect(await store.campaigns.complete('c-launching')).toBe(false);
    expect(await store.campaigns.complete('c-stopped')).toBe(false);
    const statuses = await Promise.all(
      ['running', 'paused', 'launching', 'stopped'].map(
        async (s) => (await store.campaigns.get(`c-${s}`))?.status,
      ),
    );
    expect(statuses).toEqual(['completed', 'completed', 'launching', 'stopped']);
  });
});
