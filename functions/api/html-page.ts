/**
 * The API's few human pages (the unsubscribe confirmation and its answers): small, self-contained
 * (no script, no external resource), with a Content-Security-Policy that allows only their own
 * stylesheet (by hash) and forms posted back to the same origin. The router adds the other
 * security headers to every HTML answer (functions/api/router.ts, HTML_SECURITY_HEADERS).
 */
import { createHash } from 'node:crypto';
import { HTML_SECURITY_HEADERS } from './router';

const STYLE =
  'body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;line-height:1.5}' +
  'button{font:inherit;padding:.5rem 1rem}';

const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');

/** The headers of a page: the router's, with a policy that admits the page's stylesheet. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  ...HTML_SECURITY_HEADERS,
  'content-security-policy': `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`,
};

export const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

/** A page; `body` is HTML the caller has escaped. */
export function htmlPage(title: string, body: string): { html: string; headers: Record<string, string> } {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
</body></html>`;
  return { html, headers: { ...PAGE_HEADERS } };
}
