/** Runs `fn` over the items with at most `limit` in flight; results in the items' order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  });
  await Promise.all(workers);
  return out;
}

/**
 * `base` with `overrides` laid over it, property by property, without reading either: getters stay
 * getters, so an adapter built on first use is still built only when used.
 */
export function overlay<T extends object>(base: T, overrides: Partial<T> = {}): T {
  return Object.defineProperties(
    {},
    { ...Object.getOwnPropertyDescriptors(base), ...Object.getOwnPropertyDescriptors(overrides) },
  ) as T;
}

/**
 * A full-jitter exponential backoff ("Exponential Backoff And Jitter",
 * https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/): a wait drawn
 * uniformly from [0, min(capMs, baseMs * 2^retry)), `retry` counting from 0 (the first retry).
 */
export function fullJitter(retry: number, baseMs: number, capMs: number, random: () => number): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** retry));
}
