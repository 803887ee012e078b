/**
 * Compiling and rendering email templates with Handlebars (the templates themselves:
 * `./templates`). Imported only where templates are compiled: the engine's email channel and the
 * catalog's template validation.
 */
// The compiler and runtime from the package's ES module source rather than its Node entry
// (lib/index.js -> dist/cjs): the Node entry adds the AST printer (a debugging aid) and a require()
// hook for .hbs files, neither used here, and CommonJS modules cannot be tree-shaken; the ES
// modules bundle 7 KB smaller (minified). Vitest, tsx and esbuild all load them as they are.
import Handlebars from 'handlebars/lib/handlebars';
import type * as z from 'zod';
import {
  resolveTemplate,
  untrackedUnsubscribeLinks,
  type EmailTemplate,
  type RenderedEmail,
  type TemplateContext,
  type TemplateInput,
} from './templates';

const handlebars = Handlebars.create();
const cache = new Map<string, Handlebars.TemplateDelegate>();

/** Compiled once per distinct source; text bodies are not HTML, so they are not escaped. */
function compiled(source: string, kind: 'html' | 'text'): Handlebars.TemplateDelegate {
  const key = `${kind}\u0000${source}`;
  let fn = cache.get(key);
  if (!fn) {
    fn = handlebars.compile(source, { noEscape: kind === 'text' });
    if (cache.size > 500) cache.clear();
    cache.set(key, fn);
  }
  return fn;
}

/** Every part that does not compile, with its path (`byRole.champion.subject`). */
export function templateCompileErrors(
  template: z.infer<typeof TemplateInput>,
): { path: string; message: string }[] {
  const errors: { path: string; message: string }[] = [];
  const check = (source: string | undefined, path: string) => {
    if (source === undefined) return;
    try {
      handlebars.precompile(source);
    } catch (e) {
      errors.push({ path, message: `does not compile: ${(e as Error).message.split('\n')[0]}` });
    }
  };
  for (const part of ['subject', 'html', 'text'] as const) {
    check(template[part], part);
    for (const [role, parts] of Object.entries(template.byRole ?? {}))
      check(parts?.[part], `byRole.${role}.${part}`);
    for (const [account, parts] of Object.entries(template.byAccount ?? {}))
      check(parts?.[part], `byAccount.${account}.${part}`);
  }
  return errors;
}

export function renderTemplate(
  template: Pick<EmailTemplate, 'subject' | 'html' | 'text' | 'byRole' | 'byAccount'>,
  context: TemplateContext,
): RenderedEmail {
  const source = resolveTemplate(template, context.account.accountId, context.contact.role);
  return {
    // A subject is one line: no header injection through a variable.
    subject: compiled(
      source.subject,
      'text',
    )(context)
      .replace(/[\r\n]+/g, ' ')
      .trim(),
    html: untrackedUnsubscribeLinks(compiled(source.html, 'html')(context), context.unsubscribeUrl),
    text: compiled(source.text, 'text')(context),
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
  template: Pick<EmailTemplate, 'subject' | 'html' | 'text' | 'byRole' | 'byAccount'>,
  context: TemplateContext,
): { unknown: string[]; empty: string[] } {
  const source = resolveTemplate(template, context.account.accountId, context.contact.role);
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
  for (const part of [source.subject, source.html, source.text]) program(handlebars.parse(part), true);
  return { unknown: [...unknown].sort(), empty: [...empty].sort() };
}
/* eslint-enable @typescript-eslint/no-explicit-any */
