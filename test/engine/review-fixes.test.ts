/**
 * Pure-domain regressions of the engine review: await conditions read from the moment the wait
 * begins (and an empty one never holds), maybe-sent touches count against caps, and SES failures are
 * told apart by whether the mail may have been accepted.
 */
import { describe, expect, it } from 'vitest';
import { classifySesError } from '../../functions/platform/ses';
import { isEmptyCondition, NO_FACTS, untilHolds, type AccountFacts } from '../../functions/kernel/conditions';
import { checkFrequencyCap } from '../../functions/engine/domain/frequency';
import { walk } from '../../functions/engine/domain/planner';
import type { Condition, SequenceDefinition } from '../../functions/kernel/model';
import { conditionHolds as scorerConditionHolds } from '../../functions/scoring/domain/condition';
import { emptyScoreState } from '../../functions/scoring/domain/state';

const NOW = new Date('2026-06-01T12:00:00Z');
const MONTHS_AGO = '2026-02-01T12:00:00Z';

const repliedLongAgo: AccountFacts = {
  ...NO_FACTS,
  score: 50,
  recentEvents: [{ type: 'email.replied', occurredAt: MONTHS_AGO, role: 'champion' }],
};

const awaitSequence = (until: Condition) =>
  ({
    id: 'aw',
    name: 'Await',
    exitWhen: { stages: [] },
    frequencyCap: { perContact: 10, window: 'P7D', onCapped: 'skip' },
    steps: [
      { id: 'wait', type: 'await_engagement', timeout: 'P7D', until, onTimeout: 'next' },
      { id: 'after', type: 'touch', channel: 'email', after: 'P0D', to: 'all', template: 'x' },
    ],
  }) as unknown as SequenceDefinition;

describe('await conditions (planner)', () => {
  const ctx = { accountId: 'a', facts: repliedLongAgo, splitSalt: 'aw', now: NOW };

  it('a reply from months ago does not satisfy `until: { events: [email.replied] }`', () => {
    const w = walk(awaitSequence({ events: ['email.replied'] }), 'wait', ctx);
    expect(w.kind).toBe('await');
  });

  it('an empty `until` never skips the wait', () => {
    expect(walk(awaitSequence({}), 'wait', ctx).kind).toBe('await');
  });

  it('a condition that holds now still skips the wait', () => {
    const w = walk(awaitSequence({ minScore: 40 }), 'wait', ctx);
    expect(w).toMatchObject({ kind: 'touch', passed: [{ stepId: 'wait', kind: 'await_satisfied' }] });
  });

  it('engine and scorer agree: an empty condition never holds', () => {
    expect(isEmptyCondition({})).toBe(true);
    expect(isEmptyCondition({ minScore: undefined })).toBe(true);
    expect(isEmptyCondition({ minScore: 0 })).toBe(false);
    expect(untilHolds({}, { ...NO_FACTS, score: 100 }, NOW)).toBe(false);
    const e = { score: 100, engagedContacts: ['c'], engagedRoles: ['champion' as const] };
    expect(scorerConditionHolds({}, emptyScoreState('a'), 'target', e as never, NOW.getTime())).toBe(false);
    expect(untilHolds({ events: ['email.replied'] }, repliedLongAgo, new Date(MONTHS_AGO))).toBe(true);
  });
});

describe('frequency cap counts maybe-sent touches', () => {
  const now = new Date('2026-03-10T12:00:00Z');
  const t = (status: string, hoursAgo: number) => ({
    contactId: 'a',
    channel: 'email' as const,
    status,
    at: new Date(now.getTime() - hoursAgo * 3_600_000).toISOString(),
    touchId: `t-${hoursAgo}`,
  });
  const cap = { perContact: 2, window: 'P7D', onCapped: 'skip' as const };

  it.each([
    ['an uncertain touch counts', [t('sent', 1), t('uncertain', 2)], true],
    ['a touch being handed over counts', [t('sent', 1), t('handing_over', 2)], true],
    ['a claimed touch (nothing left yet) does not', [t('sent', 1), t('claimed', 2)], false],
    ['a failed touch does not', [t('sent', 1), t('failed', 2)], false],
    ['a deferred touch does not', [t('sent', 1), t('deferred', 2)], false],
  ])('%s', (_name, touches, capped) => {
    expect(checkFrequencyCap(cap, touches, 'a', now).capped).toBe(capped);
  });

  it('the touch being sent does not count against itself', () => {
    expect(
      checkFrequencyCap(cap, [t('sent', 1), t('handing_over', 2)], 'a', now, { excludeTouchId: 't-2' })
        .capped,
    ).toBe(false);
  });
});

describe('classifySesError', () => {
  const err = (name: string, httpStatusCode?: number, extra: Record<string, unknown> = {}) =>
    Object.assign(new Error(name), {
      name,
      ...(httpStatusCode ? { $metadata: { httpStatusCode } } : {}),
      ...extra,
    });

  it.each([
    ['TooManyRequestsException', 429, 'throttled'],
    ['ThrottlingException', 400, 'throttled'],
    ['LimitExceededException', 400, 'throttled'],
    ['SomethingNew', 429, 'throttled'],
    ['MessageRejected', 400, 'rejected'],
    ['SendingPausedException', 400, 'rejected'],
    ['AccountSuspendedException', undefined, 'rejected'],
    ['BadRequestException', 400, 'rejected'],
    ['InternalFailure', 500, 'unknown'],
    ['ServiceUnavailable', 503, 'unknown'],
    ['RequestTimeout', 408, 'unknown'],
    ['TimeoutError', undefined, 'unknown'],
    ['Error', undefined, 'unknown'],
  ] as const)('%s (HTTP %s) is %s', (name, status, expected) => {
    expect(classifySesError(err(name, status))).toBe(expected);
  });

  it('a retryable network error (reset, no answer) is unknown, never a known non-send', () => {
    expect(classifySesError(err('Error', undefined, { code: 'ECONNRESET', $retryable: {} }))).toBe('unknown');
  });
});
