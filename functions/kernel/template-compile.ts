/**
 * Checking and compiling a template when it is saved (`PUT /templates`, and the on-demand compile
 * of a template stored before compiled forms existed): the whole of Handlebars, parser included.
 * The engine renders from the result (`./template-render`) and so carries no parser.
 */
// The compiler and runtime from the package's ES module source rather than its Node entry
// (lib/index.js -> dist/cjs): the Node entry adds the AST printer (a debugging aid) and a require()
// hook for .hbs files, neither used here, and CommonJS modules cannot be tree-shaken; the ES
// modules bundle 7 KB smaller (minified). Vitest, tsx and esbuild all load them as they are.
import Handlebars from 'handlebars/lib/handlebars';
import type * as z from 'zod';
import {
  COMPILED_FORMAT,
  templateParts,
  templateSourceHash,
  type CompiledTemplate,
  type TemplateAst,
} from './template-compiled';
import type { TemplateInput } from './templates';

const handlebars = Handlebars.create();

type Parts = Pick<z.infer<typeof TemplateInput>, 'subject' | 'html' | 'text' | 'byRole' | 'byAccount'>;

/** Every part that does not compile, with its path (`byRole.champion.subject`). */
export function templateCompileErrors(template: Parts): { path: string; message: string }[] {
  const errors: { path: string; message: string }[] = [];
  for (const { path, source } of templateParts(template)) {
    try {
      handlebars.precompile(source);
    } catch (e) {
      errors.push({ path, message: `does not compile: ${(e as Error).message.split('\n')[0]}` });
    }
  }
  return errors;
}

/** A syntax tree as plain JSON data: source locations (error messages only) left out. */
function withoutLocations(ast: hbs.AST.Program): TemplateAst {
  return JSON.parse(
    JSON.stringify(ast, (key, value: unknown) => (key === 'loc' ? undefined : value)),
  ) as TemplateAst;
}

/**
 * The compiled form of a template whose parts all compile (`templateCompileErrors` empty): each
 * part's syntax tree as `Handlebars.parse` gives it (whitespace control applied), which
 * `Handlebars.compile` accepts in place of the source.
 */
export function compileTemplate(template: Parts): CompiledTemplate {
  const parts: Record<string, TemplateAst> = {};
  for (const { path, source } of templateParts(template))
    parts[path] = withoutLocations(handlebars.parse(source));
  return {
    format: COMPILED_FORMAT,
    handlebars: handlebars.VERSION,
    sourceHash: templateSourceHash(template),
    parts,
  };
}
