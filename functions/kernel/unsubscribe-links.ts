/**
 * The unsubscribe link of a rendered email, kept out of SES click tracking. A module of its own,
 * with no schema, because the engine loads the template renderer (which uses it) with its first
 * email: whatever the renderer imports is evaluated then, and esbuild wraps it for that (a zod
 * schema module would bring zod's modules into the wrapper, 6 KB more in ExecuteStep's bundle).
 */

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
