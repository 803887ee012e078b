/**
 * What every part of the API's schemas shares: query integers, paging, the `Ok` body, list views.
 * Apart from schemas.ts so that a function serving one part (the catalog) bundles only its own
 * schemas: zod schemas are built when their module loads, so a bundle keeps every schema of
 * every module it imports.
 */
import * as z from 'zod';

/** Query-string integers arrive as strings. */
export const QueryInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
export const QueryTier = z.enum(['1', '2', '3']).transform((t) => Number(t) as 1 | 2 | 3);

export const Paging = z.object({
  limit: QueryInt(1, 100).default(25),
  cursor: z.string().min(1).max(2048).optional(),
});

export const Ok = z.object({ ok: z.literal(true) }).meta({ id: 'Ok' });

/** A page of items as a list response: each item projected onto its view schema (other fields dropped). */
export function listView<T, V>(page: { items: T[]; cursor?: string }, item: z.ZodType<V>) {
  return { items: page.items.map((i) => item.parse(i)), cursor: page.cursor ?? null };
}
