/**
 * Sequence version numbers from the head's counter (functions/platform/store/catalog.ts): versions
 * written before the counter existed, a number taken by a save that died before writing it, and
 * conditional saves mixed with unconditional ones.
 */
import { describe, expect, it } from 'vitest';
import { keys } from '../../../functions/platform/store/keys';
import { PreconditionFailedError } from '../../../functions/platform/store/table';
import { useLocalStore } from '../../support/suite';

const store = useLocalStore();

const definition = (id: string, name: string) => ({
  id,
  name,
  steps: [{ id: 'ads', channel: 'ads', after: 'P0D', audience: 'tier1', to: 'all' }],
});

/** A version item as saves before the counter wrote it. */
async function legacyVersion(id: string, version: number) {
  await store.table.put({
    ...keys.sequenceVersion(id, version),
    entity: 'sequenceVersion',
    sequenceId: id,
    version,
    createdAt: '2026-01-01T00:00:00.000Z',
    definition: { ...definition(id, `legacy ${version}`), exitWhen: undefined },
  });
}

describe('sequence versions', () => {
  it('versions written before the counter existed are never overwritten: the next save follows them', async () => {
    for (const v of [1, 2, 3]) await legacyVersion('legacy', v);
    await store.table.put({
      ...keys.sequenceHeadItem('legacy'),
      entity: 'sequenceHead',
      sequenceId: 'legacy',
      name: 'legacy 3',
      latestVersion: 3,
      updatedAt: '2026-01-01T00:00:00.000Z',
    });
    const saved = await Promise.all(
      [1, 2].map((n) => store.catalog.saveSequence(definition('legacy', `new ${n}`))),
    );
    expect(saved.map((s) => s.version).sort()).toEqual([4, 5]);
    expect((await store.catalog.getSequence('legacy', 2))?.name).toBe('legacy 2');
    expect((await store.catalog.listSequences()).items).toContainEqual(
      expect.objectContaining({ sequenceId: 'legacy', latestVersion: 5 }),
    );
  });

  it('a number taken by a save that never wrote it: If-Match on the latest still writes the next version', async () => {
    await store.catalog.saveSequence(definition('orphan', 'one'));
    // A save took number 2 from the counter and died before writing version 2.
    await store.table.update(keys.sequenceHead('orphan'), { add: { allocatedVersion: 1 } });
    const conditional = await store.catalog.saveSequence(definition('orphan', 'two'), {
      precondition: { versions: [1] },
    });
    expect(conditional.version).toBe(2);
    const next = await store.catalog.saveSequence(definition('orphan', 'three'));
    expect(next.version).toBe(3);
    await expect(
      store.catalog.saveSequence(definition('orphan', 'stale'), { precondition: { versions: [2] } }),
    ).rejects.toMatchObject({ name: 'PreconditionFailedError', current: 3 });
    await expect(
      store.catalog.saveSequence(definition('nothing', 'x'), { precondition: { exists: true } }),
    ).rejects.toBeInstanceOf(PreconditionFailedError);
  });

  it('conditional and unconditional saves at once: distinct, gapless versions', async () => {
    await store.catalog.saveSequence(definition('mixed', 'v1'));
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        i % 3 === 0
          ? store.catalog.saveSequence(definition('mixed', `c${i}`), { precondition: { versions: [1] } })
          : store.catalog.saveSequence(definition('mixed', `u${i}`)),
      ),
    );
    const versions = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.version] : []));
    const lost = results.filter((r) => r.status === 'rejected');
    for (const r of lost) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(PreconditionFailedError);
    // The 20 unconditional saves all land; at most one conditional one (all name version 1).
    expect(versions.length).toBeGreaterThanOrEqual(20);
    expect(versions.length).toBeLessThanOrEqual(21);
    expect(versions.sort((a, b) => a - b)).toEqual(Array.from({ length: versions.length }, (_, i) => i + 2));
    expect((await store.catalog.getSequence('mixed'))?.version).toBe(versions.length + 1);
  });
});
