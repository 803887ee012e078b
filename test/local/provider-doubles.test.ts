/**
 * The provider doubles' own behaviour that local mode and the bench rely on: all three start by
 * default and appear in the snapshot GET /_local/providers returns; scripted faults are used in
 * order; fault rates are repeatable for a seed.
 */
import { describe, expect, it } from 'vitest';
import { Faults, startProviderDoubles } from '../../lib/local/doubles';

describe('provider doubles', () => {
  it('start LinkedIn, Google and Meta on 127.0.0.1 and snapshot them', async () => {
    const doubles = await startProviderDoubles();
    try {
      for (const p of ['linkedin', 'google', 'meta'] as const)
        expect(doubles.baseUrlFor(p)).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(doubles.snapshot()).toEqual({
        providers: [
          { provider: 'linkedin', requests: [], audiences: [] },
          { provider: 'google', requests: [], audiences: [] },
          { provider: 'meta', requests: [], audiences: [] },
        ],
      });
      const res = await fetch(`${doubles.baseUrlFor('meta')}/v26.0/1/users`, { method: 'POST' });
      expect(res.status).toBe(400); // no access token
      expect(doubles.snapshot().providers[2]!.requests).toEqual([
        { at: expect.any(String), method: 'POST', path: '/v26.0/1/users', status: 400 },
      ]);
    } finally {
      await doubles.close();
    }
  });

  it('use a script in order, then the rates; the same seed gives the same faults', () => {
    const draws = (seed: number) => {
      const f = new Faults(seed);
      f.script('meta', 'hang', 'error');
      f.rate('meta', { throttle: 0.3, partial: 0.2 });
      return Array.from({ length: 40 }, () => f.next('meta') ?? 'none');
    };
    const a = draws(7);
    expect(a.slice(0, 2)).toEqual(['hang', 'error']);
    expect(draws(7)).toEqual(a);
    expect(new Set(a.slice(2))).toEqual(new Set(['throttle', 'partial', 'none']));
    expect(new Faults(7).next('google')).toBeUndefined();
  });
});
