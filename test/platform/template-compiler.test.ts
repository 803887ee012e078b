/** ExecuteStep's TemplateCompiler on AWS: a synchronous Invoke of the compile function. */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { compose } from '../../functions/platform/compose';
import { LambdaTemplateCompiler, TEMPLATE_COMPILER } from '../../functions/platform/template-compiler';

describe('LambdaTemplateCompiler', () => {
  it('invokes the function with the template id and answers the bytes it returns', async () => {
    const lambda = mockClient(LambdaClient);
    const bytes = Buffer.from([31, 139, 8, 0, 1, 2, 3]);
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      Payload: Buffer.from(JSON.stringify({ compiled: bytes.toString('base64') })) as never,
    });
    const compiled = await new LambdaTemplateCompiler(new LambdaClient({}), 'fn').compile('intro');
    expect(Buffer.from(compiled!)).toEqual(bytes);
    const input = lambda.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ FunctionName: 'fn', InvocationType: 'RequestResponse' });
    expect(JSON.parse(Buffer.from(input.Payload as Uint8Array).toString('utf8'))).toEqual({
      templateId: 'intro',
    });
  });

  it('answers nothing when the function has no compiled form, and throws the function error', async () => {
    const lambda = mockClient(LambdaClient);
    lambda.on(InvokeCommand).resolvesOnce({ StatusCode: 200, Payload: Buffer.from('{}') as never });
    expect(await new LambdaTemplateCompiler(new LambdaClient({}), 'fn').compile('gone')).toBeUndefined();
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: Buffer.from('{"errorMessage":"boom"}') as never,
    });
    await expect(new LambdaTemplateCompiler(new LambdaClient({}), 'fn').compile('x')).rejects.toThrow(
      /template compiler failed \(Unhandled\).*boom/,
    );
  });

  it('is the port adapter when the function is configured, and needs it', () => {
    expect(
      compose({ tableName: 't', templateCompilerFunctionName: 'fn' }).port(TEMPLATE_COMPILER),
    ).toBeInstanceOf(LambdaTemplateCompiler);
    expect(() => compose({ tableName: 't' }).port(TEMPLATE_COMPILER)).toThrow(
      /TEMPLATE_COMPILER_FUNCTION_NAME/,
    );
  });
});
