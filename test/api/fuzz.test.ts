/**
 * The API fuzz suite, small (docs/api.md "Fuzzing"): every operation gets valid and invalid
 * requests from a fixed seed, through the real router and services over dynalite; no answer is a
 * 5xx and every 4xx is in the error shape with field paths. The large run is `npm run bench -- fuzz`.
 */
import { expect, it } from 'vitest';
import { runFuzz } from '../support/fuzz';

it('a few hundred generated requests: no 5xx, every 4xx in the error shape, every operation answers 2xx', async () => {
  const stats = await runFuzz({ seed: 20261201, perOperation: 16, rounds: 2, strict: true });
  expect(stats.failures).toEqual([]);
  expect(stats.status5xx).toBe(0);
  expect(stats.badErrorShape).toBe(0);
  expect(stats.requests).toBeGreaterThanOrEqual(400);
  for (const [op, counts] of Object.entries(stats.perOperation)) {
    expect(counts.requests, op).toBeGreaterThanOrEqual(16);
    expect(counts.s2xx, `${op} answered no 2xx`).toBeGreaterThan(0);
  }
  expect(stats.valid).toBeGreaterThan(0);
  expect(stats.invalid).toBeGreaterThan(0);
}, 300_000);
