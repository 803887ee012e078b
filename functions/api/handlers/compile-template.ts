/**
 * The template compiler's Lambda entry: ExecuteStep invokes it with `{ templateId }` for a template
 * stored without its compiled form (functions/api/template-compiler.ts) and renders from the bytes
 * it answers (base64), so the engine's bundle carries no template parser. Reads and writes the
 * template's item only.
 */
import type { CompileTemplateResult } from '../../platform/template-compiler';
import { composeLambda } from '../../platform/lambda';
import { instrument } from '../../platform/powertools';
import { templateCompilerFeature } from '../template-compiler';

const { compiler } = composeLambda(['tableName'], { compiler: templateCompilerFeature });

export const handler = instrument<{ templateId?: unknown }, CompileTemplateResult>(async (event) => {
  if (typeof event?.templateId !== 'string' || event.templateId === '')
    throw new Error('the template compiler needs { templateId }');
  const compiled = await compiler.compile(event.templateId);
  return compiled ? { compiled: Buffer.from(compiled).toString('base64') } : {};
});
