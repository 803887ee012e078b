import { createHash } from 'node:crypto';

/**
 * A stable number in [0, 1) from a string: the same input gives the same bucket on every
 * machine and every run. Used for A/B splits and holdouts, salted so that one campaign's
 * holdout does not decide another's split.
 */
export function stableFraction(...parts: string[]): number {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest();
  // 48 bits are plenty and stay exact in a double.
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/** Picks one of several weighted options by a stable hash of the key. */
export function pickWeighted<T extends { weight: number }>(options: readonly T[], ...key: string[]): T {
  const total = options.reduce((sum, o) => sum + o.weight, 0);
  let point = stableFraction(...key) * total;
  for (const option of options) {
    if (point < option.weight) return option;
    point -= option.weight;
  }
  return options[options.length - 1];
}

/** Whether an account falls into a campaign's holdout of `percent` (0..100). */
export function isHeldOut(campaignId: string, accountId: string, percent: number): boolean {
  if (percent <= 0) return false;
  return stableFraction('holdout', campaignId, accountId) * 100 < percent;
}

/** SHA-256 of a trimmed, lowercased email, hex: what ad platforms match audiences on. */
export function hashEmailForAudience(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
}
