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
