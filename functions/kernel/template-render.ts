/**
 * Rendering email templates from their compiled form (`./template-compiled`: each part's
 * Handlebars syntax tree, made when the template was saved). Imported only where emails are
 * rendered: the engine's email channel, which loads it with its first email (`import()`); its only
 * imports are Handlebars' and types, so loading it late evaluates nothing else late.
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
import type { Role } from './model';
import type { CompiledTemplate, TemplateAst } from './template-compiled';
import type { EmailTemplate, RenderedEmail, TemplateContext } from './templates';
import { untrackedUnsubscribeLinks } from './unsubscribe-links';

const handlebars = Object.assign(runtime.create(), {
  Compiler,
  JavaScriptCompiler,
  parse(input: unknown): TemplateAst {
    if (typeof input === 'object' && input !== null && (input as { type?: unknown }).type === 'Program')
      return input as TemplateAst;
    throw new Error('only a compiled template (a Handlebars syntax tree) renders here');
  },
});

/** Which part each field uses for this account and role, by its path (`byRole.champion.subject`). */
export function resolveTemplatePaths(
  template: Pick<EmailTemplate, 'byRole' | 'byAccount'>,
  accountId: string,
  role: Role,
): RenderedEmail {
  const byAccount = template.byAccount?.[accountId] ?? {};
  const byRole = template.byRole?.[role] ?? {};
  const path = (part: keyof RenderedEmail) =>
    byAccount[part] !== undefined
      ? `byAccount.${accountId}.${part}`
      : byRole[part] !== undefined
        ? `byRole.${role}.${part}`
        : part;
  return { subject: path('subject'), html: path('html'), text: path('text') };
}

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

/* eslint-disable @typescript-eslint/no-explicit-any -- the Handlebars AST is walked loosely */
const CONTEXT_FREE_HELPERS = new Set(['if', 'unless']);

/**
 * The variables a template would render for this account and contact (its role variant and account
 * override resolved as renderTemplate resolves them) that the context does not have: `unknown`,
 * names the context has no such field for (a typo: `{{acount.name}}`), and `empty`, fields it has
 * without a value for this contact (`{{contact.title}}` for a contact without a title). Handlebars
 * renders both as nothing. Inside `#each` and `#with` the context changes: only `@root.` and `../`
 * paths are checked there.
 */
export function templateVariables(
  template: Pick<EmailTemplate, 'byRole' | 'byAccount'>,
  compiledForm: CompiledTemplate,
  context: TemplateContext,
): { unknown: string[]; empty: string[] } {
  const paths = resolveTemplatePaths(template, context.account.accountId, context.contact.role);
  const unknown = new Set<string>();
  const empty = new Set<string>();
  const check = (node: any, rooted: boolean) => {
    if (!node) return;
    if (node.type === 'SubExpression') return expression(node, rooted);
    if (node.type !== 'PathExpression' || node.original === 'this' || node.parts.length === 0) return;
    const root = node.data && node.parts[0] === 'root';
    if (node.data && !root) return; // @index, @key, @first...
    if (!rooted && !root && node.depth === 0) return;
    let value: unknown = context;
    for (const part of root ? node.parts.slice(1) : node.parts) {
      // A field the context has, without a value for this contact (no last touch yet): empty.
      if (value === undefined || value === null) break;
      if (typeof value !== 'object' || !(part in (value as object))) {
        unknown.add(node.original);
        return;
      }
      value = (value as Record<string, unknown>)[part];
    }
    if (value === undefined || value === null || value === '') empty.add(node.original);
  };
  const expression = (node: any, rooted: boolean) => {
    const helper = (node.params?.length ?? 0) > 0 || (node.hash?.pairs?.length ?? 0) > 0;
    if (!helper) check(node.path, rooted);
    for (const p of node.params ?? []) check(p, rooted);
    for (const pair of node.hash?.pairs ?? []) check(pair.value, rooted);
  };
  const program = (node: any, rooted: boolean) => {
    for (const statement of node?.body ?? []) {
      if (statement.type === 'MustacheStatement') expression(statement, rooted);
      else if (statement.type === 'BlockStatement') {
        for (const p of statement.params ?? []) check(p, rooted);
        const keeps = CONTEXT_FREE_HELPERS.has(statement.path?.original);
        program(statement.program, rooted && keeps);
        program(statement.inverse, rooted);
      }
    }
  };
  // The trees the render would compile (read only: compile() gets its own copy).
  for (const path of [paths.subject, paths.html, paths.text]) program(compiledForm.parts[path], true);
  return { unknown: [...unknown].sort(), empty: [...empty].sort() };
}
/* eslint-enable @typescript-eslint/no-explicit-any */
