/**
 * ETag and If-Match (docs/api.md "Concurrent writes"). A template, a sequence and a contact carry a
 * version; their ETag is that version in quotes (`"7"`), sent on the GET and PUT of each. A PUT with
 * `If-Match` is applied only if the stored version is one of the tags (`*`: if it exists), checked
 * by the write's own condition expression, never by a read before it; a PUT that loses answers 409
 * in the error shape. A PUT without `If-Match` is never refused for concurrency: the last writer wins.
 * Tags are compared strongly (RFC 9110, 13.1.1): a weak tag (`W/"7"`) never matches.
 */
import * as z from 'zod';
import { Conflict } from '../kernel/errors';
import type { Precondition } from '../platform/store/table';
import { err } from './responses';
import type { ResponseSpec } from './router';

/** The ETag of a version. */
export const etag = (version: number) => `"${version}"`;

/** The ETag response header of a versioned resource. */
export const withEtag = (version: number) => ({ etag: etag(version) });

/** How the ETag is documented on each response that carries it. */
export const ETAG_HEADER: ResponseSpec['headers'] = {
  ETag: {
    description:
      'The version of the resource in quotes ("7"). Send it back in If-Match to write only if nobody wrote since.',
  },
};

/** A conditional PUT (If-Match) that lost: never answered to a PUT without If-Match. */
export const E409_IF_MATCH = { 409: err('If-Match names a version that is no longer the current one') };

const TAG = /\s*(W\/)?"([\x21\x23-\x7e\x80-\xff]*)"\s*(?:,|$)/y;

/** At most this many entity tags in one If-Match (DynamoDB's IN takes up to 100 operands). */
const MAX_TAGS = 50;

/** `*`, or a comma-separated list of entity tags; versions are the strong tags that are numbers. */
export function parseIfMatch(value: string): Precondition | undefined {
  if (value.trim() === '*') return { exists: true };
  const versions: number[] = [];
  TAG.lastIndex = 0;
  let count = 0;
  while (TAG.lastIndex < value.length) {
    const at = TAG.lastIndex;
    const m = TAG.exec(value);
    if (!m || m.index !== at) return undefined;
    count++;
    if (!m[1] && /^\d{1,15}$/.test(m[2])) versions.push(Number(m[2]));
    if (m[0].trimEnd().endsWith(',') && TAG.lastIndex >= value.length) return undefined;
  }
  return count > 0 && count <= MAX_TAGS ? { versions: [...new Set(versions)] } : undefined;
}

/** The request headers a conditional PUT reads (validated by the router, documented in OpenAPI). */
export const IfMatchHeaders = z.object({
  'if-match': z
    .string()
    .max(1024)
    .refine((v) => parseIfMatch(v) !== undefined, {
      message: `an entity tag in double quotes from an ETag, a list of up to ${MAX_TAGS}, or *, e.g. "7"`,
    })
    .transform((v) => parseIfMatch(v) as Precondition)
    .optional()
    .describe(
      'Write only if the stored version matches: the ETag of a GET or PUT ("7"), a comma-separated list, or * (the resource exists). A write that loses answers 409.',
    ),
});

/** The 409 of a conditional write that lost; `current` is the stored version (undefined: none). */
export function preconditionFailed(what: string, current: number | undefined): Conflict {
  return new Conflict(`${what} has changed since the version If-Match names`, [
    {
      path: 'headers.if-match',
      message:
        current === undefined
          ? `${what} does not exist`
          : `the current version is ${etag(current)}; read it again and retry`,
    },
  ]);
}
