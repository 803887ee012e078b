import { SendTaskSuccessCommand, SFNClient, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { executionArnFor, SfnSequenceControl } from '../../functions/platform/sfn';

const SM = 'arn:aws:states:us-east-1:123456789012:stateMachine:AccountSequence-abc';
const sfn = mockClient(SFNClient);
const named = (name: string) => Object.assign(new Error(name), { name });

beforeEach(() => sfn.reset());

describe('SfnSequenceControl', () => {
  it('derives the execution ARN from the state machine ARN', () => {
    expect(executionArnFor(SM, 'q1--northwind')).toBe(
      'arn:aws:states:us-east-1:123456789012:execution:AccountSequence-abc:q1--northwind',
    );
    expect(() => executionArnFor('arn:aws:lambda:us-east-1:1:function:x', 'n')).toThrow(/state machine ARN/);
  });

  it('resumes with SendTaskSuccess and JSON output', async () => {
    sfn.on(SendTaskSuccessCommand).resolves({});
    const control = new SfnSequenceControl(new SFNClient({}), SM);
    expect(await control.resume('tok', { score: 42 })).toBe('done');
    expect(sfn.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input).toEqual({
      taskToken: 'tok',
      output: '{"score":42}',
    });
  });

  it.each(['TaskDoesNotExist', 'TaskTimedOut', 'InvalidToken'])(
    'treats %s as already resumed',
    async (error) => {
      sfn.on(SendTaskSuccessCommand).rejects(named(error));
      expect(await new SfnSequenceControl(new SFNClient({}), SM).resume('tok', {})).toBe('gone');
    },
  );

  it('stops the named execution with the reason; a finished one is gone; other errors throw', async () => {
    sfn
      .on(StopExecutionCommand)
      .resolvesOnce({ stopDate: new Date() })
      .rejectsOnce(named('ExecutionDoesNotExist'))
      .rejects(named('ThrottlingException'));
    const control = new SfnSequenceControl(new SFNClient({}), SM);
    expect(await control.stop('q1--northwind', 'account entered stage customer')).toBe('done');
    expect(sfn.commandCalls(StopExecutionCommand)[0]!.args[0].input).toMatchObject({
      executionArn: 'arn:aws:states:us-east-1:123456789012:execution:AccountSequence-abc:q1--northwind',
      error: 'AccountExited',
      cause: 'account entered stage customer',
    });
    expect(await control.stop('gone', 'x')).toBe('gone');
    await expect(control.stop('x', 'y')).rejects.toThrow(/Throttling/);
  });
});
