/**
 * The one router of the HTTP API: a route table (`METHOD /path/{param}` -> handler, with zod
 * schemas for params, query, body and responses), a transport-neutral entry `handleHttp` that
 * local mode serves over node:http, and the API Gateway (HTTP API, payload v2) adapter the Lambda
 * uses. Errors are mapped to the one error shape in one place (functions/kernel/errors.ts).
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type * as z from 'zod';
import {
  BadRequest,
  type ErrorBody,
  detailsFromZod,
  MethodNotAllowed,
  NotFound,
  PayloadTooLarge,
  Unauthorized,
  Unsupported,
  toErrorResponse,
} from '../kernel/errors';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** Lambda's synchronous payload limit; API Gateway would accept 10 MB but Lambda would not. */
export const DEFAULT_MAX_BODY_BYTES = 6 * 1024 * 1024 - 64 * 1024;

export interface HttpRequest {
  method: string;
  /** The path without the query string, e.g. `/accounts/northwind`. */
  path: string;
  query?: Record<string, string | undefined>;
  /** Header names in any case. */
  headers?: Record<string, string | undefined>;
  body?: string;
  requestId?: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface RouteRequest<P, Q, B, H = Record<string, never>> {
  params: P;
  query: Q;
  body: B;
  /** The request headers the route declares (`headers`), validated: e.g. a parsed `if-match`. */
  headerParams: H;
  /** The raw body text (for CSV). */
  rawBody: string;
  /** Media type of the body without parameters, lower case (`text/csv`). */
  contentType: string;
  headers: Record<string, string>;
  requestId: string;
}

export interface RouteResult {
  status: number;
  /** JSON-serialised unless `raw` is set. */
  body?: unknown;
  /** A body sent as is (HTML pages), with `contentType`. */
  raw?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** Default application/json. */
  contentType?: string;
  /** A browser (`Accept: text/html`) gets an HTML page instead of the JSON `schema`. */
  html?: boolean;
  /** Response headers the route always sends with this status (e.g. ETag), by name; checked with validateResponses. */
  headers?: Record<string, { description: string }>;
}

/** The API's functions on AWS; local mode serves every route in one router. */
export type ApiFunction =
  'router' | 'accounts' | 'catalog' | 'importAccounts' | 'importPinpoint' | 'webhooks' | 'programs';

export interface RouteSpec<
  P extends z.ZodType,
  Q extends z.ZodType,
  B extends z.ZodType,
  H extends z.ZodType = z.ZodType<Record<string, never>>,
> {
  method: Method;
  /** OpenAPI-style template: `/accounts/{accountId}`. */
  path: string;
  operationId: string;
  summary: string;
  tags: string[];
  /** `iam` on AWS (bearer token in local mode); `none` for /health and /unsubscribe. */
  auth: 'iam' | 'none';
  /**
   * The function that serves the route on AWS (lib/infra/constructs/api.ts): the router unless a
   * route group carries code the router's bundle should not (functions/api/catalog-routes.ts).
   */
  servedBy?: ApiFunction;
  params?: P;
  query?: Q;
  /** Request headers the route reads, an object schema keyed by lower-case name (`if-match`). */
  headers?: H;
  body?: B;
  /** Documented body when it differs from the validating schema (rows validated one by one). */
  bodyDoc?: z.ZodType;
  /** Request media types accepted; default application/json. The body is parsed as JSON only for JSON. */
  accepts?: string[];
  /** A body is optional (e.g. the form of RFC 8058 one-click). Default: required when `body` is set. */
  bodyOptional?: boolean;
  /** The body is not read at all (any media type, any content, or none), only bounded in size. */
  ignoresBody?: boolean;
  /** Errors as an HTML page (same status) when the caller prefers HTML (a browser); JSON otherwise. */
  errorPage?: (
    error: ErrorBody['error'],
    status: number,
  ) => { html: string; headers?: Record<string, string> };
  responses: Record<number, ResponseSpec>;
  handler: (req: RouteRequest<z.output<P>, z.output<Q>, z.output<B>, z.output<H>>) => Promise<RouteResult>;
}

/** A route with its types erased, as stored in the table. */
export type Route = RouteSpec<z.ZodType, z.ZodType, z.ZodType, z.ZodType>;

/** Declares a route; the generic parameters give the handler typed params, query, body and headers. */
export function route<
  P extends z.ZodType = z.ZodType<Record<string, never>>,
  Q extends z.ZodType = z.ZodType<Record<string, never>>,
  B extends z.ZodType = z.ZodType<undefined>,
  H extends z.ZodType = z.ZodType<Record<string, never>>,
>(spec: RouteSpec<P, Q, B, H>): Route {
  return spec as unknown as Route;
}

export interface RouterOptions {
  maxBodyBytes?: number;
  /** Local mode: routes with `auth: 'iam'` require `Authorization: Bearer <token>`. */
  bearerToken?: string;
  /** Check every response body against its declared schema (tests): a mismatch is a 500. */
  validateResponses?: boolean;
  /** Called for unexpected (500) errors. */
  onUnexpected?: (err: unknown, requestId: string, req: HttpRequest) => void;
}

interface Compiled {
  route: Route;
  segments: string[];
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

/**
 * Every HTML answer: no script, no framing, no sniffing, no referrer (unsubscribe links carry a
 * token in the URL). A route may send a stricter or more precise policy of its own (its headers win).
 */
export const HTML_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/**
 * Whether an `Accept` header prefers HTML to JSON (a browser does; curl's `*` / `*` and API
 * clients do not): each type takes the quality of its most specific range, and a tie goes to HTML
 * only when HTML is named and JSON is not.
 */
export function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const ranges = new Map<string, number>();
  for (const part of accept.split(',')) {
    const [range, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    const quality = q === undefined ? 1 : Number(q.slice(2));
    if (range && Number.isFinite(quality)) ranges.set(range, Math.max(ranges.get(range) ?? 0, quality));
  }
  const quality = (type: string, alias?: string) => {
    for (const r of [type, alias, `${type.split('/')[0]}/*`, '*/*'])
      if (r !== undefined && ranges.has(r))
        return { q: ranges.get(r) as number, named: r === type || r === alias };
    return { q: 0, named: false };
  };
  const html = quality('text/html', 'application/xhtml+xml');
  const json = quality('application/json');
  return html.q > 0 && (html.q > json.q || (html.q === json.q && html.named && !json.named));
}

function splitPath(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0);
}

function lowerHeaders(headers: Record<string, string | undefined> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k.toLowerCase()] = v;
  return out;
}

export interface Router {
  readonly routes: readonly Route[];
  handleHttp(req: HttpRequest): Promise<HttpResponse>;
}

/** A router whose unexpected errors (500s) go to a log, with the request id and path. */
export function loggedRouter(
  log: { error(message: string, data?: Record<string, unknown>): void },
  routes: readonly Route[],
  options: RouterOptions = {},
): Router {
  return createRouter(routes, {
    onUnexpected: (err, requestId, req) =>
      log.error('unexpected error', {
        requestId,
        path: req.path,
        error: String((err as Error)?.stack ?? err),
      }),
    ...options,
  });
}

export function createRouter(routes: readonly Route[], options: RouterOptions = {}): Router {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const compiled: Compiled[] = routes.map((route) => ({ route, segments: splitPath(route.path) }));
  const seen = new Set<string>();
  for (const r of routes) {
    const key = `${r.method} ${r.path}`;
    if (seen.has(key)) throw new Error(`duplicate route ${key}`);
    seen.add(key);
  }

  function match(path: string): { allowed: Compiled[]; params: Map<Compiled, Record<string, string>> } {
    const parts = splitPath(path);
    const params = new Map<Compiled, Record<string, string>>();
    const allowed: Compiled[] = [];
    for (const c of compiled) {
      if (c.segments.length !== parts.length) continue;
      const p: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < parts.length && ok; i++) {
        const seg = c.segments[i];
        if (seg.startsWith('{') && seg.endsWith('}')) {
          try {
            p[seg.slice(1, -1)] = decodeURIComponent(parts[i]);
          } catch {
            throw new BadRequest([
              { path: `params.${seg.slice(1, -1)}`, message: 'malformed percent-encoding' },
            ]);
          }
        } else if (seg !== parts[i]) ok = false;
      }
      if (ok) {
        allowed.push(c);
        params.set(c, p);
      }
    }
    // A literal segment beats a parameter (`/campaigns/x` vs `/campaigns/{id}`): fewer params first.
    allowed.sort((a, b) => countParams(a) - countParams(b));
    return { allowed, params };
  }

  async function dispatch(
    req: HttpRequest,
    requestId: string,
    matched: { route?: Route },
  ): Promise<HttpResponse> {
    const method = req.method.toUpperCase();
    const headers = lowerHeaders(req.headers);
    const authorized =
      options.bearerToken === undefined || bearerMatches(headers.authorization, options.bearerToken);
    const { allowed, params } = match(req.path);
    // Without the token, an unknown path answers 401, not 404: callers learn nothing about routes.
    if (allowed.length === 0 && !authorized) throw new Unauthorized('a bearer token is required');
    if (allowed.length === 0) throw new NotFound(`no route for ${req.path}`);
    const hit = allowed.find(
      (c) => c.route.method === method || (method === 'HEAD' && c.route.method === 'GET'),
    );
    if (!hit && !authorized) throw new Unauthorized('a bearer token is required');
    if (!hit) {
      throw new MethodNotAllowed(`${method} is not allowed on ${req.path}`, [
        { path: '', message: `allowed: ${[...new Set(allowed.map((c) => c.route.method))].join(', ')}` },
      ]);
    }
    const route = hit.route;
    if (route.auth === 'iam' && !authorized) throw new Unauthorized('a bearer token is required');
    matched.route = route;

    const rawBody = req.body ?? '';
    if (Buffer.byteLength(rawBody, 'utf8') > maxBodyBytes) {
      throw new PayloadTooLarge(`the body is larger than ${maxBodyBytes} bytes`, [
        { path: 'body', message: `at most ${maxBodyBytes} bytes; split the request` },
      ]);
    }

    const parsedParams = parse(route.params, params.get(hit) ?? {}, 'params');
    const parsedQuery = parse(route.query, req.query ?? {}, 'query');
    const headerParams = parse(route.headers, headers, 'headers');

    const contentType = (headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    let body: unknown = undefined;
    if (route.body && !route.ignoresBody) {
      const accepts = route.accepts ?? ['application/json'];
      const empty = rawBody.trim().length === 0;
      if (empty && !route.bodyOptional)
        throw new BadRequest([{ path: 'body', message: 'a request body is required' }]);
      if (!empty) {
        const type = contentType || 'application/json';
        const acceptable =
          accepts.includes(type) || (type.endsWith('+json') && accepts.includes('application/json'));
        if (!acceptable)
          throw new Unsupported(`content-type ${type} is not accepted; use ${accepts.join(' or ')}`);
        if (type === 'application/json' || type.endsWith('+json')) {
          let json: unknown;
          try {
            json = JSON.parse(rawBody);
          } catch (e) {
            throw new BadRequest([{ path: 'body', message: `malformed JSON: ${(e as Error).message}` }]);
          }
          body = parse(route.body, json, 'body');
        } else {
          body = rawBody;
        }
      }
    }

    const result = await route.handler({
      params: parsedParams,
      query: parsedQuery,
      body,
      rawBody,
      contentType,
      headers,
      headerParams,
      requestId,
    });

    if (options.validateResponses && result.raw === undefined) {
      const schema = route.responses[result.status]?.schema;
      if (!route.responses[result.status])
        throw new Error(`${route.operationId} answered undocumented ${result.status}`);
      const sent = new Set(Object.keys(result.headers ?? {}).map((k) => k.toLowerCase()));
      for (const name of Object.keys(route.responses[result.status].headers ?? {}))
        if (!sent.has(name.toLowerCase()))
          throw new Error(`${route.operationId} ${result.status} did not send its documented ${name} header`);
      if (schema) {
        const check = schema.safeParse(result.body);
        if (!check.success) {
          throw new Error(
            `${route.operationId} ${result.status} response does not match its schema: ${check.error.message}`,
          );
        }
      }
    }

    if (result.raw !== undefined) {
      const contentType = result.contentType ?? 'text/plain; charset=utf-8';
      return {
        status: result.status,
        headers: {
          'content-type': contentType,
          'cache-control': 'no-store',
          ...(contentType.startsWith('text/html') ? HTML_SECURITY_HEADERS : {}),
          ...result.headers,
        },
        body: method === 'HEAD' ? '' : result.raw,
      };
    }
    return {
      status: result.status,
      headers: { ...JSON_HEADERS, ...result.headers },
      body: result.body === undefined || method === 'HEAD' ? '' : JSON.stringify(result.body),
    };
  }

  return {
    routes,
    async handleHttp(req: HttpRequest): Promise<HttpResponse> {
      const requestId = req.requestId ?? randomUUID();
      const matched: { route?: Route } = {};
      try {
        const res = await dispatch(req, requestId, matched);
        return { ...res, headers: { ...res.headers, 'x-request-id': requestId } };
      } catch (err) {
        const mapped = toErrorResponse(err, requestId);
        if (mapped.unexpected) options.onUnexpected?.(err, requestId, req);
        const page = matched.route?.errorPage;
        if (page && prefersHtml(lowerHeaders(req.headers).accept)) {
          const { html, headers } = page(mapped.body.error, mapped.status);
          return {
            status: mapped.status,
            headers: {
              'content-type': 'text/html; charset=utf-8',
              'cache-control': 'no-store',
              ...HTML_SECURITY_HEADERS,
              ...headers,
              'x-request-id': requestId,
            },
            body: req.method.toUpperCase() === 'HEAD' ? '' : html,
          };
        }
        return {
          status: mapped.status,
          headers: { ...JSON_HEADERS, 'x-request-id': requestId },
          body: JSON.stringify(mapped.body),
        };
      }
    },
  };
}

function countParams(c: Compiled): number {
  return c.segments.filter((s) => s.startsWith('{')).length;
}

function parse(
  schema: z.ZodType | undefined,
  value: unknown,
  where: 'params' | 'query' | 'headers' | 'body',
): unknown {
  if (!schema) return where === 'body' ? undefined : {};
  const out = schema.safeParse(value);
  if (!out.success) throw new BadRequest(detailsFromZod(out.error, where));
  return out.data;
}

// ---------------------------------------------------------------------------
// API Gateway HTTP API (payload format 2.0) adapter
// ---------------------------------------------------------------------------

/** Turns an API Gateway v2 event into the transport-neutral request. */
export function fromApiGatewayV2(event: APIGatewayProxyEventV2): HttpRequest {
  const body =
    event.body === undefined || event.body === null
      ? ''
      : event.isBase64Encoded
        ? Buffer.from(event.body, 'base64').toString('utf8')
        : event.body;
  const query: Record<string, string | undefined> = {};
  if (event.rawQueryString) {
    for (const [k, v] of new URLSearchParams(event.rawQueryString)) if (!(k in query)) query[k] = v;
  } else Object.assign(query, event.queryStringParameters ?? {});
  return {
    method: event.requestContext?.http?.method ?? 'GET',
    path: event.rawPath ?? event.requestContext?.http?.path ?? '/',
    query,
    headers: event.headers ?? {},
    body,
    requestId: event.requestContext?.requestId,
  };
}

export function toApiGatewayV2(res: HttpResponse): APIGatewayProxyStructuredResultV2 {
  return { statusCode: res.status, headers: res.headers, body: res.body, isBase64Encoded: false };
}

/** The Lambda handler body for a router. */
export function apiGatewayV2Handler(router: Router) {
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> =>
    toApiGatewayV2(await router.handleHttp(fromApiGatewayV2(event)));
}

/** `Authorization: Bearer <token>`, compared in constant time (digests of equal length). */
function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)$/i.exec((header ?? '').trim());
  if (!m) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(m[1]), digest(token));
}
