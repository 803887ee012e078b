import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { readSettings } from '../../lib/local/settings';

describe('local settings: ABM_REPUTATION (config.reputation of local mode)', () => {
  it('defaults to the deployed defaults and reads the JSON of cdk.json', () => {
    expect(readSettings({}, tmpdir()).reputation).toEqual({
      windowHours: 24,
      minSends: 500,
      maxBounceRate: 0.05,
      maxComplaintRate: 0.001,
    });
    const set = readSettings({ ABM_REPUTATION: '{"windowHours":6,"maxComplaintRate":0.002}' }, tmpdir());
    expect(set.reputation).toEqual({
      windowHours: 6,
      minSends: 500,
      maxBounceRate: 0.05,
      maxComplaintRate: 0.002,
    });
  });

  it('names the variable and the bad key', () => {
    expect(() => readSettings({ ABM_REPUTATION: '{minSends: 5}' }, tmpdir())).toThrow(
      /ABM_REPUTATION: not valid JSON/,
    );
    expect(() => readSettings({ ABM_REPUTATION: '{"minSends":0}' }, tmpdir())).toThrow(
      /ABM_REPUTATION: minSends/,
    );
    expect(() => readSettings({ ABM_REPUTATION: '{"maxRate":0.1}' }, tmpdir())).toThrow(
      /ABM_REPUTATION: .*maxRate/,
    );
  });
});
