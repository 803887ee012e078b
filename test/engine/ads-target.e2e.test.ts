/**
 * The ads channel's `target` (issue 11), on the real ASL: `companies` reaches no person (each
 * contact's touch is skipped `account_level`) and publishes the account as a company; the exit then
 * takes the company out again. `both` carries the consenting contacts' ids and the company.
 */
import { describe, expect, it } from 'vitest';
import { DETAIL_TYPES } from '../../functions/kernel/events';
import type { SequenceInput } from '../../functions/kernel/model';
import { startEnrolled, within, withHarness, type Harness } from '../support/engine';

const sequence = (target: 'companies' | 'both') =>
  ({
    id: `ads-${target}`,
    name: `ads ${target}`,
    steps: [
      { id: 'ads', channel: 'ads', audience: 'tier1-committee', target },
      { id: 'end', type: 'exit', reason: 'sequence_end' },
    ],
  }) as SequenceInput;

const changes = (h: Harness) =>
  h.publisher.ofType(DETAIL_TYPES.adsAudienceChanged).map(
    (e) =>
      e.detail as unknown as {
        audienceId?: string;
        target?: string;
        company?: string;
        addContactIds: string[];
        removeContactIds: string[];
        add: string[];
      },
  );

describe('ads step target', () => {
  it('companies: no person reached, the company added, then removed on exit', () =>
    withHarness({}, async (h) => {
      const { exec } = await startEnrolled(h, 'northwind', 'q1-co', sequence('companies'));
      await within(exec.done);
      const touches = (await h.store.touches.listOfAccount('northwind', { limit: 100 })).items;
      expect(touches.map((t) => `${t.status}:${t.reason}`)).toEqual([
        'skipped:account_level',
        'skipped:account_level',
        'skipped:account_level',
      ]);
      expect(changes(h)).toEqual([
        expect.objectContaining({ target: 'companies', company: 'add', addContactIds: [], add: [] }),
        expect.objectContaining({ target: 'companies', company: 'remove', removeContactIds: [] }),
      ]);
    }));

  it('both: the consenting contacts by id and the company', () =>
    withHarness({}, async (h) => {
      const { exec } = await startEnrolled(h, 'contoso', 'q1-both', sequence('both'));
      await within(exec.done);
      const [added, removed] = changes(h);
      expect(added).toMatchObject({ target: 'both', company: 'add' });
      expect(added!.addContactIds.sort()).toEqual(['contoso-ch', 'contoso-eb', 'contoso-te']);
      expect(removed).toMatchObject({ company: 'remove' });
      expect(removed!.removeContactIds.sort()).toEqual(['contoso-ch', 'contoso-eb', 'contoso-te']);
    }));
});
