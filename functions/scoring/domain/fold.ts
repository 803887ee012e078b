/**
 * Folding a batch of events into an account's score state (docs/architecture.md "Scoring").
 *
 * score(t) = sum_i w_i * 2^-((t - t_i) / halfLife). The state keeps the sum at asOf = the newest
 * weighted event: a newer event decays the stored score to its own time first, an older one adds
 * its weight decayed to asOf. Both are exact (up to float rounding) and commutative, so a
 * shuffled stream ends at the same score as the ordered one.
 *
 * Deduplication costs no extra write: the ids of events within `dedupHorizon` of the newest event
 * live in the state item itself. An event older than the dedup floor is ignored (counted as stale):
 * its id may have been forgotten, and counting it twice would be worse than dropping a contribution
 * already decayed by 2^-(horizon / halfLife) (2^-6.4 ~ 1.2% with the defaults).
 *
 * An event that claims to happen after `now` + MAX_FUTURE_SKEW_MS (a typo, a skewed clock) is
 * ignored (counted as future): it would raise latestAt and the dedup floor, making every real
 * event after it stale, and keep the account from ever qualifying. POST /events rejects those
 * already; this is the defence for every other source.
 */
import type { ResolvedScoringConfig } from './config';
import type { Contributor, ScoreState, ScoringEvent } from './state';
import { eventWeight, isEngaging } from './weights';

export interface FoldResult {
  state: ScoreState;
  applied: ScoringEvent[];
  duplicates: number;
  stale: number;
  /** Events dated after now + MAX_FUTURE_SKEW_MS, ignored. */
  future: number;
}

/** How far in the future an event's occurredAt may lie (clock skew between producers). */
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;

export interface FoldOptions {
  /** The injected clock's now (epoch ms): events after now + MAX_FUTURE_SKEW_MS are ignored. */
  now?: number;
}

export const decay = (deltaMs: number, halfLifeMs: number): number => 2 ** (-deltaMs / halfLifeMs);

/** Score decayed to time `at` (never "un-decays" to a time before asOf). */
export function scoreAt(state: Pick<ScoreState, 'score' | 'asOf'>, at: number, halfLifeMs: number): number {
  if (state.asOf === undefined) return 0;
  return state.score * decay(Math.max(0, at - state.asOf), halfLifeMs);
}

/** Time-invariant rank of a contribution: log2 |w| + t / halfLife. */
const rank = (c: Contributor, halfLifeMs: number): number =>
  c.weight === 0 ? -Infinity : Math.log2(Math.abs(c.weight)) + c.at / halfLifeMs;

function compareContributors(a: Contributor, b: Contributor, halfLifeMs: number): number {
  const d = rank(b, halfLifeMs) - rank(a, halfLifeMs);
  if (d !== 0) return d;
  return a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0;
}

export function foldEvents(
  previous: ScoreState,
  events: readonly ScoringEvent[],
  config: ResolvedScoringConfig,
  options: FoldOptions = {},
): FoldResult {
  const h = config.halfLifeMs;
  const state: ScoreState = {
    ...previous,
    seen: { ...previous.seen },
    contacts: { ...previous.contacts },
    lastByType: { ...previous.lastByType },
    contributors: [...previous.contributors],
  };
  const applied: ScoringEvent[] = [];
  let duplicates = 0;
  let stale = 0;
  let future = 0;
  const horizon = options.now === undefined ? Infinity : options.now + MAX_FUTURE_SKEW_MS;

  for (const e of events) {
    if (!Number.isFinite(e.at)) throw new RangeError(`event ${e.eventId}: invalid occurredAt`);
    if (e.at > horizon) {
      future++;
      continue;
    }
    if (state.seen[e.eventId] !== undefined) {
      duplicates++;
      continue;
    }
    if (e.at < state.dedupFloor) {
      stale++;
      continue;
    }
    state.seen[e.eventId] = e.at;
    applied.push(e);
    state.latestAt = state.latestAt === undefined ? e.at : Math.max(state.latestAt, e.at);
    state.lastByType[e.type] = Math.max(state.lastByType[e.type] ?? -Infinity, e.at);

    if (e.type === 'crm.stage_changed') {
      const raw = e.properties?.stage;
      const stage = typeof raw === 'string' ? config.crmStages[raw] : undefined;
      if (stage) {
        const cur = state.crm;
        if (!cur || e.at > cur.at || (e.at === cur.at && e.eventId > cur.eventId)) {
          state.crm = { stage, at: e.at, eventId: e.eventId };
        }
      }
    }

    const w = eventWeight(e, config);
    if (w !== 0) {
      if (state.asOf === undefined) {
        state.score = w;
        state.asOf = e.at;
      } else if (e.at > state.asOf) {
        state.score = state.score * decay(e.at - state.asOf, h) + w;
        state.asOf = e.at;
      } else {
        state.score += w * decay(state.asOf - e.at, h);
      }
      state.contributors.push({
        eventId: e.eventId,
        type: e.type,
        at: e.at,
        occurredAt: new Date(e.at).toISOString(),
        ...(e.contactId ? { contactId: e.contactId } : {}),
        ...(e.role ? { role: e.role } : {}),
        weight: w,
      });
    }
    if (isEngaging(e, w, config) && e.contactId) {
      const cur = state.contacts[e.contactId];
      if (!cur || e.at >= cur.at)
        state.contacts[e.contactId] = { at: e.at, ...(e.role ? { role: e.role } : {}) };
    }
  }

  state.contributors.sort((a, b) => compareContributors(a, b, h));
  if (state.contributors.length > config.maxContributors) state.contributors.length = config.maxContributors;
  pruneMemory(state, config);
  state.eventsApplied = previous.eventsApplied + applied.length;
  state.duplicatesIgnored = previous.duplicatesIgnored + duplicates;
  state.staleIgnored = previous.staleIgnored + stale;
  if (future > 0 || previous.futureIgnored !== undefined)
    state.futureIgnored = (previous.futureIgnored ?? 0) + future;
  return { state, applied, duplicates, stale, future };
}

/** Forget ids older than the horizon (raising the floor), cap the id set, drop contacts out of any window. */
function pruneMemory(state: ScoreState, config: ResolvedScoringConfig): void {
  if (state.latestAt === undefined) return;
  let floor = Math.max(state.dedupFloor, state.latestAt - config.dedupHorizonMs);
  let entries = Object.entries(state.seen).filter(([, at]) => at >= floor);
  if (entries.length > config.maxSeenIds) {
    entries.sort((a, b) => b[1] - a[1]);
    // Keep the newest ids; everything at or before the newest dropped time becomes stale.
    const cutoff = entries[config.maxSeenIds]![1];
    entries = entries.filter(([, at]) => at > cutoff);
    floor = Math.max(floor, cutoff + 1);
  }
  state.dedupFloor = floor;
  state.seen = Object.fromEntries(entries);
  const contactFloor = state.latestAt - config.engagedWindowMs;
  for (const [id, c] of Object.entries(state.contacts)) if (c.at < contactFloor) delete state.contacts[id];
}
