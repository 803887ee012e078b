/**
 * The sequence editor's text: YAML or JSON in, the object the API takes out, and the line each
 * error of the server (a field path such as `body.steps.2.template`) or of the parser points at.
 * Loaded with the editor only (the `yaml` package, which also reads JSON with positions).
 */
import { LineCounter, parseDocument, stringify } from 'yaml';

export type Format = 'yaml' | 'json';

export interface LineError {
  line: number | null;
  path?: string;
  message: string;
}

export function toText(value: unknown, format: Format): string {
  return format === 'json' ? `${JSON.stringify(value, null, 2)}\n` : stringify(value, { lineWidth: 0 });
}

export function parseText(text: string): { value?: unknown; errors: LineError[] } {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  if (doc.errors.length > 0)
    return {
      errors: doc.errors.map((e) => ({ line: lc.linePos(e.pos[0]).line, message: e.message.split('\n')[0] })),
    };
  return { value: doc.toJS(), errors: [] };
}

/** The line of the deepest node of `path` (dot-separated, without `body.`) that exists in the text. */
export function lineOf(text: string, path: string): number | null {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  const segments = path
    .replace(/^body\.?/, '')
    .split('.')
    .filter((s) => s !== '')
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  for (let n = segments.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(segments.slice(0, n), true);
    // A field the server misses (a required one) is not in the text: its parent's line is.
    if (node && typeof node === 'object' && 'range' in node && Array.isArray(node.range))
      return lc.linePos((node.range as [number, number, number])[0]).line;
  }
  return null;
}
