/**
 * The whole API as one router: the route table plus `GET /openapi.json` generated from it. Lambda
 * (functions/api/handlers/http-api.ts) and local mode build it with their own dependencies and serve it:
 * Lambda through the API Gateway v2 adapter, local mode through `router.handleHttp` over node:http.
 */
import { buildOpenApi } from './openapi';
import { buildRoutes, type ApiDeps } from './routes';
import { createRouter, route, type Route, type RouteResult, type Router, type RouterOptions } from './router';

export function createApiRoutes(deps: ApiDeps): Route[] {
  const routes = buildRoutes(deps);
  let doc: unknown;
  const openapi: Route = route({
    method: 'GET',
    path: '/openapi.json',
    operationId: 'getOpenApi',
    summary: 'This document',
    tags: ['meta'],
    // Kept behind IAM like the API it describes: callers who can call the API can read it.
    auth: 'iam',
    responses: { 200: { description: 'the OpenAPI 3.1 document' } },
    handler: async (): Promise<RouteResult> => ({
      status: 200,
      body: (doc ??= buildOpenApi(all, { version: deps.version })),
    }),
  });
  const all: Route[] = [...routes, openapi];
  return all;
}

export function createApi(deps: ApiDeps, options: RouterOptions = {}): Router {
  return createRouter(createApiRoutes(deps), options);
}

export type { ApiDeps } from './routes';
