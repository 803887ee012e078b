/**
 * Environment read once at cold start. A handler module calls `requireEnv` at module scope, so a
 * missing variable fails the init phase with one clear message instead of a confusing error later.
 */

export class MissingEnvironmentError extends Error {
  constructor(readonly missing: readonly string[]) {
    super(`Missing required environment variable(s): ${missing.join(', ')}`);
    this.name = 'MissingEnvironmentError';
  }
}

export type RequiredEnv<K extends string> = { readonly [P in K]: string };

/**
 * Returns the named variables as a frozen, typed object, or throws naming every missing (or empty) one.
 * @example const env = requireEnv(['TABLE_NAME', 'BUS_NAME']); env.TABLE_NAME // string
 */
export function requireEnv<const K extends string>(
  names: readonly K[],
  source: NodeJS.ProcessEnv = process.env,
): RequiredEnv<K> {
  const missing = names.filter((name) => (source[name] ?? '').trim() === '');
  if (missing.length > 0) throw new MissingEnvironmentError(missing);
  const values = Object.fromEntries(names.map((name) => [name, source[name] as string]));
  return Object.freeze(values) as RequiredEnv<K>;
}
