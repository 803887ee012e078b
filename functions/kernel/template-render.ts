/**
 * Rendering email templates from their compiled form (`./template-compiled`: each part's
 * Handlebars syntax tree, made when the template was saved). Imported only where emails are
 * rendered: the engine's email channel.
 *
 * Handlebars' runtime and compiler without its parser: `Handlebars.compile` takes a syntax tree in
 * place of the source ("You must pass a string or Handlebars AST to Handlebars.compile",
 * node_modules/handlebars/lib/handlebars/compiler/compiler.js) and the parser is the one step it
 * skips for one (`parseWithoutProcessing` returns a tree as it is), so this environment gives it
 * a `parse` that accepts trees only; the parser (35 KB minified with its helpers) stays out of the
 * bundle. The compiler validates a tree's literals, paths and block parameters before it writes
 * them into code (`validateLiteral`, `validateParts`, `validateBlockParams` in the same file).
 */
import runtime from 'handlebars/lib/handlebars.runtime';
import { Compiler, compile } from 'handlebars/lib/handlebars/compiler/compiler';
import JavaScriptCompiler from 'handlebars/lib/handlebars/compiler/javascript-compiler';
import type { CompiledTemplate, TemplateAst } from './template-compiled';
import {
  resolveTemplatePaths,
  untrackedUnsubscribeLinks,
  type EmailTemplate,
  type RenderedEmail,
  type TemplateContext,
} from './templates';

const handlebars = Object.assign(runtime.create(), {
  Compiler,
  JavaScriptCompiler,
  parse(input: unknown): TemplateAst {
    if (typeof input === 'object' && input !== null && (input as { type?: unknown }).type === 'Program')
      return input as TemplateAst;
    throw new Error('only a compiled template (a Handlebars syntax tree) renders here');
  },
});

const cache = new Map<string, HandlebarsTemplateDelegate>();

/** Compiled once per distinct part of a distinct template; text is not HTML, so it is not escaped. */
function compiled(
  template: CompiledTemplate,
  path: string,
  kind: 'html' | 'text',
): HandlebarsTemplateDelegate {
  const key = `${template.sourceHash}\u0000${path}\u0000${kind}`;
  let fn = cache.get(key);
  if (!fn) {
    const ast = template.parts[path];
    if (!ast) throw new Error(`the compiled template has no part ${path}`);
    // compile() changes the tree it compiles (literal paths): it gets its own copy.
    fn = compile(
      structuredClone(ast),
      { noEscape: kind === 'text' },
      handlebars,
    ) as HandlebarsTemplateDelegate;
    if (cache.size > 500) cache.clear();
    cache.set(key, fn);
  }
  return fn;
}

export function renderTemplate(
  template: Pick<EmailTemplate, 'byRole' | 'byAccount'>,
  compiledForm: CompiledTemplate,
  context: TemplateContext,
): RenderedEmail {
  const paths = resolveTemplatePaths(template, context.account.accountId, context.contact.role);
  return {
    // A subject is one line: no header injection through a variable.
    subject: compiled(
      compiledForm,
      paths.subject,
      'text',
    )(context)
      .replace(/[\r\n]+/g, ' ')
      .trim(),
    html: untrackedUnsubscribeLinks(
      compiled(compiledForm, paths.html, 'html')(context),
      context.unsubscribeUrl,
    ),
    text: compiled(compiledForm, paths.text, 'text')(context),
  };
}
