/**
 * How a Lambda entry composes what it needs: its configuration from the environment (the
 * variables it cannot run without fail the cold start, named), the Powertools logger as the log,
 * and the features it serves. Entries stay one line of wiring and one of handling:
 *
 *   const { engine } = composeLambda(['tableName', 'busName'], { engine: createSequenceEngine });
 *   export const handler = instrument(async (event) => engine.executeStep(event));
 */
import { compose, environmentConfig, type Composed, type Feature, type Log } from './compose';
import type { EnvKey } from './env';
import { logger } from './powertools';

const powertoolsLog: Log = {
  info: (message, data) => logger.info(message, data ?? {}),
  warn: (message, data) => logger.warn(message, data ?? {}),
  error: (message, data) => logger.error(message, data ?? {}),
};

export function composeLambda<F extends Record<string, Feature<unknown>>>(
  required: readonly EnvKey[],
  features: F,
): Composed<F> {
  return compose(environmentConfig(required), features, { log: powertoolsLog });
}
