/**
 * A touch due on a closed day lands on the next open window in the contact's zone: the real
 * AccountSequence ASL, the real engine, the date-holidays calendars (docs/architecture.md
 * "Sequences" `sendWindow.holidays`, `closedDates`).
 */
import { describe, expect, it } from 'vitest';
import type { SequenceInput } from '../../functions/kernel/model';
import { useHarness } from '../support/suite';
import { committeeAccount, enroll, seedAccount, snapshot, startSeededHarness } from '../support/engine';

// Wednesday 23 December 2026, 10:00 in New York.
const START = new Date('2026-12-23T15:00:00Z');

const sequence = (sendWindow: Record<string, unknown>): SequenceInput =>
  ({
    id: 'holiday-season',
    name: 'Holiday season',
    sendWindow: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00', ...sendWindow },
    steps: [
      { id: 'intro', channel: 'email', to: ['economic_buyer'], template: 'intro' },
      // Due Friday 25 December (Christmas).
      { id: 'xmas', channel: 'email', after: 'P2D', to: ['economic_buyer', 'champion'], template: 'intro' },
    ],
  }) as SequenceInput;

describe('holidays and closed days', () => {
  const h = useHarness(() => startSeededHarness({ time: { mode: 'skip', start: START } }));

  const run = async (accountId: string, window: Record<string, unknown>) => {
    const account = committeeAccount(accountId);
    // The champion's office is in London (its address), though it works New York hours.
    const champion = account.contacts.find((c) => c.role === 'champion')!;
    Object.assign(champion, {
      postalAddress: { line1: '1 High St', city: 'London', postalCode: 'EC1A 1AA', country: 'GB' },
    });
    await seedAccount(h.store, account);
    const input = await enroll(h.store, accountId, `c-${accountId}`, snapshot(sequence(window)), START);
    const summary = await h.sfn.start(input, { name: input.executionName }).done;
    expect(summary.status, JSON.stringify(summary.error)).toBe('SUCCEEDED');
    const touches = (await h.store.touches.listOfAccount(accountId, { limit: 20 })).items;
    return Object.fromEntries(
      touches
        .filter((t) => t.stepId === 'xmas')
        .map((t) => [t.contactId.endsWith('-eb') ? 'economic_buyer' : 'champion', [t.status, t.at]]),
    );
  };

  it("follows each contact's own country: Christmas moves to Monday in the US, Tuesday in the UK", async () => {
    expect(await run('contact-mode', { holidays: 'contact' })).toEqual({
      economic_buyer: ['sent', '2026-12-28T14:00:00.000Z'], // Monday 09:00 New York
      champion: ['sent', '2026-12-29T14:00:00.000Z'], // Monday 28th is Boxing Day's substitute in GB
    });
  });

  it('follows the countries named, and the closed dates, for everyone', async () => {
    expect(await run('named', { holidays: ['US'], closedDates: ['2026-12-28'] })).toEqual({
      economic_buyer: ['sent', '2026-12-29T14:00:00.000Z'],
      champion: ['sent', '2026-12-29T14:00:00.000Z'],
    });
  });

  it('without holidays, a weekday holiday is an ordinary day', async () => {
    expect(await run('none', {})).toEqual({
      economic_buyer: ['sent', '2026-12-25T15:00:00.000Z'],
      champion: ['sent', '2026-12-25T15:00:00.000Z'],
    });
  });
});
