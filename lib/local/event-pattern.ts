/**
 * EventBridge event-pattern matching for local mode, so the in-process bus routes with the
 * stack's own rule patterns (the contract test checks the same patterns against moto).
 * Supports what our rules use: exact values, nested objects, and the `prefix`, `anything-but`,
 * `exists` and `numeric` filters. An unsupported filter throws rather than silently matching.
 */
export type EventPattern = { [key: string]: unknown };

/** The envelope fields a pattern can name, as EventBridge delivers them. */
export interface Envelope {
  source: string;
  'detail-type': string;
  detail: unknown;
  [key: string]: unknown;
}

function matchesFilter(filter: unknown, value: unknown, present: boolean): boolean {
  if (filter === null || typeof filter !== 'object') {
    return present && (Array.isArray(value) ? value.includes(filter) : value === filter);
  }
  const spec = filter as Record<string, unknown>;
  const values = Array.isArray(value) ? value : [value];
  if ('exists' in spec) return spec.exists ? present : !present;
  if (!present) return false;
  if ('prefix' in spec) return values.some((v) => typeof v === 'string' && v.startsWith(String(spec.prefix)));
  if ('anything-but' in spec) {
    const excluded = spec['anything-but'];
    const list = Array.isArray(excluded) ? excluded : [excluded];
    return values.every((v) => !list.includes(v));
  }
  if ('numeric' in spec) {
    const ops = spec.numeric as unknown[];
    return values.some((v) => {
      if (typeof v !== 'number') return false;
      for (let i = 0; i < ops.length; i += 2) {
        const [op, bound] = [ops[i], ops[i + 1] as number];
        const ok =
          op === '='
            ? v === bound
            : op === '<'
              ? v < bound
              : op === '<='
                ? v <= bound
                : op === '>'
                  ? v > bound
                  : op === '>='
                    ? v >= bound
                    : false;
        if (!ok) return false;
      }
      return true;
    });
  }
  throw new Error(`event pattern filter not supported locally: ${JSON.stringify(filter)}`);
}

export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  const subject = (event ?? {}) as Record<string, unknown>;
  return Object.entries(pattern).every(([key, expected]) => {
    const present = Object.prototype.hasOwnProperty.call(subject, key) && subject[key] !== undefined;
    const value = subject[key];
    if (Array.isArray(expected)) return expected.some((filter) => matchesFilter(filter, value, present));
    if (expected && typeof expected === 'object')
      return present && matchesPattern(expected as EventPattern, value);
    throw new Error(`event pattern values must be arrays or objects (key "${key}")`);
  });
}
