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

const ENTITIES: Record<string, string> = { amp: '&', quot: '"', apos: "'", lt: '<', gt: '>' };

/** An attribute value as the browser reads it (Handlebars escapes `=`, `&`, quotes and backticks). */
function decodeAttribute(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#')
      return String.fromCodePoint(
        name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10),
      );
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/**
 * Marks every link to the unsubscribe URL `ses:no-track`, so SES click tracking leaves it alone: a
 * rewritten unsubscribe link would report its clicks (and mail scanners' prefetches) as engagement.
 * "To disable click tracking for a link, add ses:no-track to the anchor tag":
 * https://docs.aws.amazon.com/ses/latest/dg/faqs-metrics.html (Click tracking).
 */
export function untrackedUnsubscribeLinks(html: string, unsubscribeUrl: string): string {
  if (!unsubscribeUrl) return html;
  return html.replace(/<a\b([^>]*)>/gi, (tag, attributes: string) => {
    const href = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(attributes);
    if (!href) return tag;
    const value = decodeAttribute((href[1] ?? href[2] ?? href[3] ?? '').trim());
    if (value !== unsubscribeUrl || /\bses:no-track\b/i.test(attributes)) return tag;
    return `<a ses:no-track${attributes}>`;
  });
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
