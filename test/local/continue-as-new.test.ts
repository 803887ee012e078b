/**
 * Local mode's side of continue as new (lib/local/executions.ts): the ContinueAsNew task's
 * StartExecution starts the next execution in process under its own name, the enrollment's journal
 * becomes the new execution's (its input with the continuation, the plan it starts with), the one
 * that continued ends without touching that journal, a stop reaches the new execution by its name,
 * and a restart re-hydrates the continuation, not the first execution.
 */
import { describe, expect, it } from 'vitest';
import { nextContinuation } from '../../functions/engine/continuation';
import type { ExecutionInput } from '../../functions/kernel/execution';
import { SequenceInput, type Enrollment } from '../../functions/kernel/model';
import type { Plan } from '../../functions/kernel/plan';
import { LocalClock } from '../../lib/local/clock';
import { LocalExecutions } from '../../lib/local/executions';
import { useLocalStore } from '../support/suite';

const store = useLocalStore();
const START = Date.parse('2026-11-23T09:00:00Z');
const MONTH_LATER = '2026-12-23T09:00:00.000Z';

const SEQUENCE = {
  ...SequenceInput.parse({
    id: 'seq',
    name: 'S',
    steps: [{ id: 's1', channel: 'email', after: 'P0D', to: 'all', template: 't' }],
  }),
  version: 1,
};

const INPUT: ExecutionInput = {
  accountId: 'acme',
  campaignId: 'camp',
  executionName: 'camp--acme',
  sequence: SEQUENCE,
  enrolledAt: '2026-11-23T09:00:00.000Z',
};

function runner(enrollments: Enrollment[] = []) {
  const clock = new LocalClock({ mode: 'interactive', start: START });
  const seen: { execution: string; plan?: Plan }[] = [];
  const executions = new LocalExecutions({
    journal: store.journal,
    campaigns: { listAll: async () => [{ campaignId: 'camp' }] as never },
    enrollments: { allOfCampaign: async () => enrollments },
    catalog: { getSequence: async () => undefined },
    clock,
    engine: {
      // The first execution continues at once, handing over a month's wait; the next one waits.
      async executeStep(state: unknown): Promise<Plan> {
        const s = state as ExecutionInput & { plan?: Plan };
        seen.push({ execution: s.continuation?.name ?? s.executionName, plan: s.plan });
        if (!s.continuation) {
          const then: Plan = { action: 'wait', at: MONTH_LATER, step: 's1' };
          return { action: 'continue', step: 's1', continuation: nextContinuation(s, clock.now()), then };
        }
        return s.plan!;
      },
      park: async () => ({ parked: true, op: 'await' }),
    },
  });
  return { executions, seen, clock };
}

const settle = () => new Promise((r) => setTimeout(r, 300));

describe('local continue as new', () => {
  const next = nextContinuation(INPUT, new Date(START)).name;

  it('starts the next execution under its name, hands it the journal, and stops it by that name', async () => {
    const { executions, seen, clock } = runner();
    try {
      expect(await executions.start(INPUT)).toEqual({ started: true });
      await settle();
      expect(seen).toEqual([
        { execution: 'camp--acme', plan: undefined },
        { execution: next, plan: { action: 'wait', at: MONTH_LATER, step: 's1' } },
      ]);
      expect(executions.active).toEqual([next]);
      expect(executions.stats).toMatchObject({ started: 1, continued: 1, succeeded: 1, failed: 0 });
      const journal = (await executions.getJournal('acme', 'camp'))!;
      expect(journal).toMatchObject({
        status: 'running',
        executionName: 'camp--acme',
        input: { ...INPUT, continuation: { n: 1, name: next } },
        plan: { action: 'wait', at: MONTH_LATER, step: 's1' },
      });
      // A launch retry of the enrollment's first name starts nothing (it is closed, as on AWS).
      expect(await executions.start(INPUT)).toEqual({ started: false });
      expect(await executions.stop('camp--acme', 'test')).toBe('gone');
      expect(await executions.stop(next, 'test')).toBe('done');
      await settle();
      expect(executions.active).toEqual([]);
      expect((await executions.getJournal('acme', 'camp'))!.status).toBe('ended');
    } finally {
      await executions.shutdown();
      clock.stop();
    }
  });

  it('a restart re-hydrates the continuation the enrollment points to', async () => {
    // Another account: the store is the file's (the test above ended acme's journal).
    const input = { ...INPUT, accountId: 'beta', executionName: 'camp--beta' };
    const beta = nextContinuation(input, new Date(START)).name;
    const enrollment = {
      accountId: 'beta',
      campaignId: 'camp',
      sequenceId: 'seq',
      sequenceVersion: 1,
      exclusive: false,
      executionName: 'camp--beta',
      currentExecutionName: beta,
      status: 'running',
      startedAt: INPUT.enrolledAt,
      updatedAt: INPUT.enrolledAt,
      version: 3,
    } satisfies Enrollment;
    const first = runner([enrollment]);
    expect(await first.executions.start(input)).toEqual({ started: true });
    await settle();
    await first.executions.shutdown();
    first.clock.stop();

    const again = runner([enrollment]);
    try {
      const result = await again.executions.rehydrate();
      expect(result.restarted).toEqual(['camp--beta']);
      await settle();
      expect(again.executions.active).toEqual([beta]);
      expect(again.seen).toEqual([
        { execution: beta, plan: { action: 'wait', at: MONTH_LATER, step: 's1' } },
      ]);
    } finally {
      await again.executions.shutdown();
      again.clock.stop();
    }
  });
});
