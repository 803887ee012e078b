/**
 * The route table without dependencies: method, path and authorisation of every route, for the
 * CDK construct (one API Gateway route per entry) and the OpenAPI lint. Building the routes does
 * no I/O, so stub dependencies are enough.
 */
import { createApiRoutes } from './core-api';
import { buildOpenApi } from './openapi';
import type { ApiServices } from './routes';
import type { ApiFunction, Method, Route } from './router';

export interface RouteManifestEntry {
  method: Method;
  path: string;
  auth: 'iam' | 'none';
  operationId: string;
  /** The function that serves it on AWS. */
  servedBy: ApiFunction;
}

function stubRoutes(version = '0.0.0'): Route[] {
  return createApiRoutes({ version } as ApiServices);
}

export function routeManifest(): RouteManifestEntry[] {
  return stubRoutes().map((r) => ({
    method: r.method,
    path: r.path,
    auth: r.auth,
    operationId: r.operationId,
    servedBy: r.servedBy ?? 'router',
  }));
}

/** The OpenAPI document, built without a deployment (CI lint, docs). */
export function openApiDocument(version: string): Record<string, unknown> {
  return buildOpenApi(stubRoutes(version), { version });
}
