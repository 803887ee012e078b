/**
 * Seeded randomness for the demo. Two kinds:
 * - `Rng`: a sequential generator (mulberry32) for building the scenario, where the order of calls
 *   is fixed, so one seed always gives the same accounts;
 * - `chance(seed, ...key)`: a keyed draw for the simulator, where the order of calls depends on what
 *   the server did and when; keying each decision by what it is about (account, contact, day, touch)
 *   makes it independent of that order.
 */
import { stableFraction } from '../../functions/kernel/hash';

export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
}

/** A stable draw in [0, 1) for one decision, named by its key. */
export function draw(seed: number, ...key: (string | number)[]): number {
  return stableFraction('demo', String(seed), ...key.map(String));
}
