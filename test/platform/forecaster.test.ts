/** The router's Forecaster on AWS: a synchronous Invoke of the forecast function. */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { LambdaForecaster } from '../../functions/platform/forecaster';

const request = {
  sequence: { id: 's', name: 's', version: 1, steps: [] } as never,
  accountIds: ['a'],
  startAt: '2026-03-02T08:00:00.000Z',
};

describe('LambdaForecaster', () => {
  it('invokes the function with the request and answers its payload', async () => {
    const lambda = mockClient(LambdaClient);
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: Buffer.from('{"accounts":1}') as never });
    const answer = await new LambdaForecaster(new LambdaClient({}), 'fn').forecast(request);
    expect(answer).toEqual({ accounts: 1 });
    const input = lambda.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ FunctionName: 'fn', InvocationType: 'RequestResponse' });
    expect(JSON.parse(Buffer.from(input.Payload as Uint8Array).toString('utf8'))).toEqual(request);
  });

  it('throws the function error it answers', async () => {
    const lambda = mockClient(LambdaClient);
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: Buffer.from('{"errorMessage":"boom"}') as never,
    });
    await expect(new LambdaForecaster(new LambdaClient({}), 'fn').forecast(request)).rejects.toThrow(
      /forecast function failed \(Unhandled\).*boom/,
    );
  });
});
