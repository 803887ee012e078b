/**
 * The account view reads only its part of the scoring configuration (readoutConfig): it must be the
 * part the scorer decides with, for the same overrides.
 */
import { describe, expect, it } from 'vitest';
import { readoutConfig, scoringConfig } from '../../functions/scoring/domain';

describe('readoutConfig', () => {
  it.each([
    {},
    undefined,
    { mqa: { minScore: 80 } },
    { mqa: { minEngagedContacts: 2, minEngagedRoles: 1 }, exitRatio: 0.5 },
    { halfLife: 'P7D', engagedWindow: 'P14D', engagingTypes: ['email.opened'] },
  ])('is the scorer configuration read with the same overrides: %j', (overrides) => {
    const full = scoringConfig(overrides);
    expect(readoutConfig(overrides)).toEqual({
      halfLifeMs: full.halfLifeMs,
      engagedWindowMs: full.engagedWindowMs,
      engagedWindow: full.engagedWindow,
      mqa: full.mqa,
      exitRatio: full.exitRatio,
      engagingTypes: full.engagingTypes,
    });
  });
});
