/**
 * What this server's API offers, read from its own OpenAPI document (GET /openapi.json, behind the
 * token): the console enables a filter or a view only when the server documents it, so a server
 * without a route says "not available" rather than ignoring a filter and showing unfiltered data.
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from './api';

interface Doc {
  paths: Record<string, Record<string, { parameters?: { name: string; in: string; required?: boolean }[] }>>;
}

let cached: Promise<Doc> | undefined;

export function useOpenApi(): Doc | undefined {
  const [doc, setDoc] = useState<Doc>();
  useEffect(() => {
    cached ??= api<Doc>('GET', '/openapi.json').catch((err: unknown) => {
      cached = undefined;
      throw err;
    });
    let live = true;
    cached.then(
      (d) => live && setDoc(d),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);
  return doc;
}

export function hasRoute(doc: Doc | undefined, method: string, path: string): boolean {
  return Boolean(doc?.paths[path]?.[method.toLowerCase()]);
}

export function queryParams(doc: Doc | undefined, method: string, path: string): Map<string, boolean> {
  const params = doc?.paths[path]?.[method.toLowerCase()]?.parameters ?? [];
  return new Map(params.filter((p) => p.in === 'query').map((p) => [p.name, p.required === true]));
}
