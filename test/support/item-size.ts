/**
 * An item's size as DynamoDB counts it
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html):
 * names and strings in UTF-8 bytes, a number 1 byte per two significant digits plus 1, a boolean or
 * null 1, a list or map 3 plus 1 per element (plus the element and, in a map, its name).
 */
export function valueSize(value: unknown): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number') {
    const digits = Math.abs(value)
      .toExponential()
      .split('e')[0]
      .replace('.', '')
      .replace(/^0+|0+$/g, '');
    return 1 + Math.ceil(Math.max(digits.length, 1) / 2);
  }
  if (Array.isArray(value)) return 3 + value.reduce((n: number, v) => n + 1 + valueSize(v), 0);
  if (typeof value === 'object')
    return (
      3 +
      Object.entries(value as Record<string, unknown>).reduce(
        (n, [k, v]) => n + 1 + Buffer.byteLength(k, 'utf8') + valueSize(v),
        0,
      )
    );
  throw new Error(`no DynamoDB size for ${typeof value}`);
}

export function itemSize(item: Record<string, unknown>): number {
  return Object.entries(item).reduce((n, [k, v]) => n + Buffer.byteLength(k, 'utf8') + valueSize(v), 0);
}
