/**
 * The facts the engine evaluates conditions on (`if`, branch cases, await `until`): the scorer's
 * state read through the one score codec and evaluated at `now` as the scorer evaluates it (the
 * score decayed to now, engaged contacts and roles inside the window, the newest event per type).
 * Without a state (never scored), the profile's stage and zeros.
 */
import type { Account } from '../kernel/model';
import { accountFacts } from '../scoring';
import type { ScoreReader } from '../platform/store/scores';
import type { Clock } from '../kernel/clock';
import type { AccountFacts } from '../kernel/conditions';

export type FactsReader = (
  account: Pick<Account, 'accountId' | 'stage'>,
  now?: Date,
) => Promise<AccountFacts>;

export function scoreFacts(scores: Pick<ScoreReader, 'get'>, clock: Clock): FactsReader {
  return async (account, now) => {
    const stored = await scores.get(account.accountId);
    return accountFacts(stored?.state, now ?? clock.now(), account.stage);
  };
}

/** The facts of an account known by id alone (its profile's stage read with the score), or none. */
export async function factsById(
  scores: Pick<ScoreReader, 'getWithStage'>,
  accountId: string,
  now: Date,
): Promise<AccountFacts | undefined> {
  const read = await scores.getWithStage(accountId);
  return read.profile ? accountFacts(read.score?.state, now, read.stage) : undefined;
}
