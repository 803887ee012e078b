/**
 * A sequence that is saved can always launch: the largest one PUT /sequences accepts, in the worst
 * state an execution of it can carry, stays inside Step Functions' 256 KiB payload, and so does a
 * launcher batch of 100 accounts with it as BatchInput.
 */
import { describe, expect, it } from 'vitest';
import { ExecutionInput, snapshotOf } from '../../functions/kernel/execution';
import {
  jsonBytes,
  SEQUENCE_MAX_BYTES,
  STEP_FUNCTIONS_PAYLOAD_MAX_BYTES,
  SequenceInput,
} from '../../functions/kernel/model';
import { validateSequence } from '../../functions/kernel/sequence';
import { largestSequence, longId } from '../support/sequences';

/** A committee far larger than any buying committee (6 to 10 people). */
const CONTACTS = 300;
/** Step Functions' longest error cause (https://docs.aws.amazon.com/step-functions/latest/apireference/API_TaskFailedEventDetails.html). */
const CAUSE_MAX = 32_768;

describe('the largest sequence fits every payload a launch puts it in', () => {
  const { largest, oneMore } = largestSequence();
  const parsed = SequenceInput.parse({ id: longId('seq'), ...largest });
  const sequence = { ...parsed, version: 1, createdAt: '2026-12-01T00:00:00.000Z' };

  it('is accepted at the bound and refused a byte over it, with a message that says why', () => {
    expect(validateSequence({ id: 'largest', ...largest }).ok).toBe(true);
    const over = validateSequence({ id: 'largest', ...oneMore });
    expect(over).toMatchObject({ ok: false, errors: [{ path: 'steps' }] });
    expect(JSON.stringify(over)).toMatch(/Step Functions execution input/);
  });

  it("an execution's worst state: input, a paused plan holding contacts twice, a caught error", () => {
    const input = ExecutionInput.parse({
      accountId: longId('acct'),
      campaignId: longId('camp'),
      executionName: 'e'.repeat(80),
      sequence: snapshotOf(sequence as never),
      enrolledAt: '2026-12-01T00:00:00.000Z',
    });
    const contacts = Array.from({ length: CONTACTS }, (_, i) => longId(`c${i}`));
    const plan = {
      action: 'wait',
      at: '2026-12-02T09:00:00.000Z',
      step: longId('step'),
      due: '2026-12-02T09:00:00.000Z',
      contacts,
      then: { action: 'wait', step: longId('step'), contacts },
      failed: { Error: 'Lambda.Unknown', Cause: 'x'.repeat(CAUSE_MAX) },
    };
    const state = jsonBytes({ ...input, plan });
    expect(jsonBytes(input.sequence)).toBeGreaterThan(SEQUENCE_MAX_BYTES - 100);
    expect(state).toBeLessThan(STEP_FUNCTIONS_PAYLOAD_MAX_BYTES);
  });

  it('a launcher batch: 100 accounts with the snapshot as BatchInput', () => {
    const batch = {
      BatchInput: {
        campaignId: longId('camp'),
        sequence: snapshotOf(sequence as never),
        enrolledAt: '2026-12-01T00:00:00.000Z',
      },
      Items: Array.from({ length: 100 }, (_, i) => ({ accountId: longId(`a${i}`), heldOut: false })),
    };
    expect(jsonBytes(batch)).toBeLessThan(STEP_FUNCTIONS_PAYLOAD_MAX_BYTES);
  });
});
