/**
 * The `TemplateCompiler` adapter on AWS: compiling a template (the whole of Handlebars, parser
 * included) runs in its own Lambda function (functions/api/handlers/compile-template.ts), invoked
 * synchronously (RequestResponse) by ExecuteStep for a template stored without its compiled form,
 * so the engine's bundle carries no template parser. A function error (`FunctionError` set, the
 * payload the error: https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html) is thrown as one.
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { TemplateCompiler } from '../kernel/template-compiled';
import { lambdaSdk, lazyClient } from './aws-sdk';
import { configuredPort } from './compose';

/** What the compile function answers: the compiled form's bytes, base64, when there is one. */
export interface CompileTemplateResult {
  compiled?: string;
}

export class LambdaTemplateCompiler implements TemplateCompiler {
  constructor(
    private readonly client: LambdaClient,
    private readonly functionName: string,
  ) {}

  async compile(templateId: string): Promise<Uint8Array | undefined> {
    const { InvokeCommand } = lambdaSdk();
    const out = await this.client.send(
      new InvokeCommand({
        FunctionName: this.functionName,
        InvocationType: 'RequestResponse',
        Payload: Buffer.from(JSON.stringify({ templateId })),
      }),
    );
    const text = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
    if (out.FunctionError) throw new Error(`the template compiler failed (${out.FunctionError}): ${text}`);
    const result = JSON.parse(text) as CompileTemplateResult;
    return result.compiled ? Buffer.from(result.compiled, 'base64') : undefined;
  }
}

/** The template compiler's function (`config.templateCompilerFunctionName`). */
export const TEMPLATE_COMPILER = /* @__PURE__ */ configuredPort(
  'templateCompiler',
  'templateCompilerFunctionName',
  (name) =>
    new LambdaTemplateCompiler(
      lazyClient(() => new (lambdaSdk().LambdaClient)({})),
      name,
    ),
);
