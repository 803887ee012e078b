/** The scorer's records: a re-score is an envelope that names its account and carries no event. */
import { describe, expect, it } from 'vitest';
import { InvalidRecordError, parseRecord } from '../../functions/scoring/records';
import { detail } from '../support/scoring';

describe('parseRecord', () => {
  it('reads a re-score envelope: the named account, no events', () => {
    expect(parseRecord(JSON.stringify({ accountId: 'acme', events: [] }))).toEqual({
      accountId: 'acme',
      events: [],
    });
  });

  it.each([
    ['no account', { events: [] }],
    ['an account id that is not one', { accountId: 'a b', events: [] }],
    ['events of another account', { accountId: 'acme', events: [detail('other', 'e1', 'web.visit', 0)] }],
  ])('rejects an envelope with %s', (_, body) => {
    expect(() => parseRecord(JSON.stringify(body))).toThrow(InvalidRecordError);
  });

  it('still reads an envelope of events that names their account', () => {
    const e = detail('acme', 'e1', 'web.visit', 0);
    expect(parseRecord(JSON.stringify({ accountId: 'acme', events: [e] })).events).toHaveLength(1);
  });
});
