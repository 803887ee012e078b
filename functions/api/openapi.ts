/**
 * The OpenAPI 3.1 document, generated from the route table and its zod schemas (zod 4
 * `z.toJSONSchema`, JSON Schema 2020-12 = the dialect of OpenAPI 3.1). Request schemas are
 * rendered as inputs (defaults optional), responses as outputs. Schemas with a `.meta({ id })`
 * become shared components referenced by `$ref`.
 */
import * as z from 'zod';
import type { Route } from './router';

export interface OpenApiOptions {
  version: string;
  title?: string;
  serverUrl?: string;
}

type Json = Record<string, unknown>;

/** Rewrites `#/$defs/X` refs to components and collects the definitions. */
function schemaOf(schema: z.ZodType, io: 'input' | 'output', components: Record<string, Json>): Json {
  const json = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    target: 'draft-2020-12',
    reused: 'inline',
  }) as Json;
  const defs = (json.$defs ?? {}) as Record<string, Json>;
  delete json.$defs;
  delete json.$schema;
  const suffix = io === 'input' ? 'Input' : '';
  const rename = (name: string) => `${name}${suffix}`;
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (node && typeof node === 'object') {
      const out: Json = {};
      for (const [k, v] of Object.entries(node as Json)) {
        if (k === '$ref' && typeof v === 'string' && v.startsWith('#/$defs/'))
          out[k] = `#/components/schemas/${rename(v.slice(8))}`;
        else if (k === 'id' && typeof v === 'string' && node === json) continue;
        else out[k] = rewrite(v);
      }
      return out;
    }
    return node;
  };
  for (const [name, def] of Object.entries(defs)) components[rename(name)] = rewrite(def) as Json;
  const top = rewrite(json) as Json;
  // A top-level schema with an id becomes a component of its own.
  const id = (z.globalRegistry.get(schema) as { id?: string } | undefined)?.id;
  if (id) {
    const ref = `#/components/schemas/${rename(id)}`;
    // zod may already have put the schema itself in $defs and answered with a $ref to it.
    if (!(top.$ref === ref && Object.keys(top).length === 1)) components[rename(id)] = top;
    return { $ref: ref };
  }
  return top;
}

/** `if-match` -> `If-Match` (header names are case-insensitive; documents show them capitalised). */
const headerName = (name: string) =>
  name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());

function parameters(route: Route, components: Record<string, Json>): Json[] {
  const out: Json[] = [];
  for (const where of ['path', 'query', 'header'] as const) {
    const schema = { path: route.params, query: route.query, header: route.headers }[where];
    if (!schema) continue;
    const json = schemaOf(schema, 'input', components);
    const props = (json.properties ?? {}) as Record<string, Json>;
    const required = new Set((json.required ?? []) as string[]);
    for (const [name, s] of Object.entries(props)) {
      const { description, ...rest } = s;
      out.push({
        name: where === 'header' ? headerName(name) : name,
        in: where,
        required: where === 'path' ? true : required.has(name),
        ...(description ? { description } : {}),
        schema: where === 'header' ? rest : s,
      });
    }
  }
  return out;
}

export function buildOpenApi(routes: readonly Route[], options: OpenApiOptions): Json {
  const components: Record<string, Json> = {};
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    const op: Json = {
      operationId: route.operationId,
      summary: route.summary,
      tags: route.tags,
      security: route.auth === 'iam' ? [{ sigv4: [] }] : [],
    };
    const params = parameters(route, components);
    if (params.length > 0) op.parameters = params;
    const bodySchema = route.bodyDoc ?? route.body;
    if (route.ignoresBody) {
      op.requestBody = {
        required: false,
        description: 'ignored: any media type, any content, or none',
        content: { '*/*': { schema: {} } },
      };
    } else if (bodySchema) {
      const content: Json = {};
      for (const type of route.accepts ?? ['application/json']) {
        content[type] =
          type === 'application/json'
            ? { schema: schemaOf(bodySchema, 'input', components) }
            : {
                schema: {
                  type: 'string',
                  description: type === 'text/csv' ? 'CSV with a header row' : 'ignored',
                },
              };
      }
      op.requestBody = { required: !route.bodyOptional, content };
    }
    const responses: Json = {};
    for (const [status, spec] of Object.entries(route.responses)) {
      const type = spec.contentType ?? 'application/json';
      const html = spec.html ? { 'text/html': { schema: { type: 'string' } } } : {};
      responses[status] = {
        description: spec.description,
        ...(spec.headers
          ? {
              headers: Object.fromEntries(
                Object.entries(spec.headers).map(([name, h]) => [
                  name,
                  { description: h.description, schema: { type: 'string' } },
                ]),
              ),
            }
          : {}),
        ...(spec.schema
          ? { content: { [type]: { schema: schemaOf(spec.schema, 'output', components) }, ...html } }
          : type !== 'application/json'
            ? { content: { [type]: { schema: { type: 'string' } } } }
            : {}),
      };
    }
    op.responses = responses;
    paths[route.path] = { ...(paths[route.path] ?? {}), [route.method.toLowerCase()]: op };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: options.title ?? 'ABM orchestrator API',
      version: options.version,
      description:
        'Account-based marketing orchestrator (docs/architecture.md "HTTP API"). Errors: { error: { code, message, details } }. Auth: IAM (SigV4) on AWS, a bearer token in local mode. Lists page with limit and an opaque cursor.',
    },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        sigv4: {
          type: 'apiKey',
          name: 'Authorization',
          in: 'header',
          description: 'AWS Signature Version 4 (IAM); a bearer token in local mode',
        },
      },
    },
  };
}
