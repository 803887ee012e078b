/**
 * Local mode's StartExecution answers as AWS documents it for Standard workflows
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html): the same
 * name and input as a running execution succeeds and starts nothing; a different input, or a name
 * whose execution has ended, is ExecutionAlreadyExists (`started: false`).
 */
import { describe, expect, it } from 'vitest';
import type { ExecutionInput } from '../../functions/kernel/execution';
import { SequenceInput } from '../../functions/kernel/model';
import type { Plan } from '../../functions/kernel/plan';
import { LocalClock } from '../../lib/local/clock';
import { LocalExecutions } from '../../lib/local/executions';
import { useLocalStore } from '../support/suite';

const store = useLocalStore();

function runner() {
  const clock = new LocalClock({ mode: 'interactive', start: Date.parse('2026-11-23T09:00:00Z') });
  const steps: string[] = [];
  const executions = new LocalExecutions({
    journal: store.journal,
    campaigns: { listAll: async () => [] },
    enrollments: { allOfCampaign: async () => [] },
    catalog: { getSequence: async () => undefined },
    clock,
    engine: {
      // "wait-*" accounts wait a month (the execution stays running); the others end at once.
      async executeStep(state: unknown): Promise<Plan> {
        const { accountId } = state as ExecutionInput;
        steps.push(accountId);
        return accountId.startsWith('wait')
          ? { action: 'wait', at: '2026-12-23T09:00:00.000Z', step: 's1' }
          : { action: 'done', reason: 'completed' };
      },
      park: async () => ({ parked: true, op: 'await' }),
    },
  });
  return { executions, steps, clock };
}

const SEQUENCE = {
  ...SequenceInput.parse({
    id: 'seq',
    name: 'S',
    steps: [{ id: 's1', channel: 'email', after: 'P0D', to: 'all', template: 't' }],
  }),
  version: 1,
};

const input = (accountId: string, extra: Partial<ExecutionInput> = {}): ExecutionInput => ({
  accountId,
  campaignId: 'camp',
  executionName: `camp--${accountId}`,
  sequence: SEQUENCE,
  enrolledAt: '2026-11-23T09:00:00.000Z',
  ...extra,
});

const settle = () => new Promise((r) => setTimeout(r, 200));

describe('local StartExecution semantics', () => {
  it('same name and input as a running execution: success, nothing started; another input: already exists', async () => {
    const { executions, steps, clock } = runner();
    try {
      expect(await executions.start(input('wait-1'))).toEqual({ started: true });
      await settle();
      expect(await executions.start(input('wait-1'))).toEqual({ started: true });
      expect(await executions.start(input('wait-1', { restartId: 'r1' }))).toEqual({ started: false });
      await settle();
      expect(executions.stats.started).toBe(1);
      expect(steps).toEqual(['wait-1']);
    } finally {
      await executions.shutdown();
      clock.stop();
    }
  });

  it('a name whose execution has ended is taken, whatever the input', async () => {
    const { executions, steps, clock } = runner();
    try {
      expect(await executions.start(input('done-1'))).toEqual({ started: true });
      await settle();
      expect(steps).toEqual(['done-1']);
      expect(await executions.start(input('done-1'))).toEqual({ started: false });
      expect(await executions.start(input('done-1', { restartId: 'r2' }))).toEqual({ started: false });
      expect(executions.stats.started).toBe(1);
    } finally {
      await executions.shutdown();
      clock.stop();
    }
  });
});
