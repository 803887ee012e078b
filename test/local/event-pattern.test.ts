import { describe, expect, it } from 'vitest';
import { matchesPattern } from '../../lib/local/event-pattern';

const event = {
  source: 'abm.scorer',
  'detail-type': 'account.stage_changed',
  detail: { accountId: 'acme', to: 'mqa', score: 72, tags: ['a', 'b'] },
};

describe('matchesPattern', () => {
  it.each([
    [{ source: ['abm.scorer'] }, true],
    [{ source: ['abm.engine'] }, false],
    [{ source: ['abm.engine', 'abm.scorer'], 'detail-type': ['account.stage_changed'] }, true],
    [{ detail: { to: ['mqa'] } }, true],
    [{ detail: { to: ['engaged'] } }, false],
    [{ detail: { to: [{ 'anything-but': ['target'] }] } }, true],
    [{ detail: { to: [{ 'anything-but': 'mqa' }] } }, false],
    [{ detail: { from: [{ exists: false }] } }, true],
    [{ detail: { from: [{ exists: true }] } }, false],
    [{ 'detail-type': [{ prefix: 'account.' }] }, true],
    [{ detail: { score: [{ numeric: ['>=', 60, '<', 100] }] } }, true],
    [{ detail: { score: [{ numeric: ['>', 80] }] } }, false],
    [{ detail: { tags: ['b'] } }, true],
    [{ detail: { missing: { deeper: ['x'] } } }, false],
  ])('%j -> %s', (pattern, expected) => {
    expect(matchesPattern(pattern, event)).toBe(expected);
  });

  it('refuses filters it does not implement instead of matching everything', () => {
    expect(() => matchesPattern({ source: [{ wildcard: 'abm.*' }] }, event)).toThrow(/not supported/);
  });
});
