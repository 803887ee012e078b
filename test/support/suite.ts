/**
 * Suite-scoped harnesses: started in beforeAll and stopped in afterAll of the enclosing describe (or
 * the file). Each helper returns its object at once and fills it in when beforeAll runs, so read it
 * in hooks and tests only, never at the top level of a describe. (Imports vitest: not for bench/.)
 */
import { afterAll, beforeAll } from 'vitest';
import { createStore, Table, type Store } from '../../functions/platform/store';
import { startDynalite, type LocalDynamo } from './dynalite';

function started<T extends object>(start: () => Promise<T>, stop: (value: T) => Promise<void>): T {
  const value = {} as T;
  let running: T | undefined;
  beforeAll(async () => {
    running = await start();
    Object.assign(value, running);
  });
  afterAll(async () => {
    if (running) await stop(running);
  });
  return value;
}

/** A harness with its own stop() (the engine's, the API's), for the tests of the suite. */
export function useHarness<T extends { stop(): Promise<void> }>(start: () => Promise<T>): T {
  return started(start, (h) => h.stop());
}

/** dynalite with the store's table, for the tests of the suite; the repositories stamp times with `now`. */
export function useLocalStore(now?: () => Date): Store {
  let db: LocalDynamo | undefined;
  return started(
    async () => {
      db = await startDynalite();
      return createStore(new Table(db.client, db.tableName), { now });
    },
    async () => db?.stop(),
  );
}
