/**
 * The API router's part of the API: every route of the table plus `GET /openapi.json` generated
 * from it, over the services of a platform, without the services of the route groups that have functions of their own on AWS (templates
 * and sequences, functions/api/catalog-routes.ts; the account import, account-import-route.ts). The deployed
 * router (functions/api/handlers/http-api.ts) is built from this module alone, so its bundle
 * carries neither the Handlebars compiler nor the CSV parser; the whole API (functions/api/app.ts)
 * adds them.
 */
import { ingestFeature, sendingReputationFeature } from '../ingest';
import { controlFeature, launchFeature, type LaunchOptions, type LaunchService } from '../launch';
import { PUBLISHER } from '../platform/bus';
import { withPorts, type Platform } from '../platform/compose';
import { UNSUBSCRIBE_KEY } from '../platform/secrets';
import { AccountRepository } from '../platform/store/accounts';
import { TaskRepository } from '../platform/store/tasks';
import { reportsFeature } from '../reports';
import { buildOpenApi } from './openapi';
import { buildRoutes, type ApiServices, type EventIngestor } from './routes';
import { loggedRouter, route, type Route, type RouteResult, type Router, type RouterOptions } from './router';
import { createTasksService } from './tasks-service';
import { createUnsubscribeService } from './unsubscribe-service';
import type { PinpointConverter } from './pinpoint-route';
import type { WebhookServiceFactory } from './webhook-route';

export interface ApiOptions {
  /** The launch service to serve (one the caller composed), or the options to build it with. */
  launch?: LaunchOptions | LaunchService;
  /** Another ingestion behind POST /events (tests). */
  ingest?: EventIngestor;
  router?: RouterOptions;
  /** The Pinpoint journey converter (local mode and tests; on AWS its own function serves the route). */
  importPinpoint?: PinpointConverter;
  /**
   * The webhook service over the API's ingestion and task completion (local mode and tests:
   * functions/webhooks `webhooksFeature`; on AWS its own function serves the route).
   */
  webhooks?: WebhookServiceFactory;
}

const isService = (launch: ApiOptions['launch']): launch is LaunchService =>
  typeof (launch as LaunchService | undefined)?.launch === 'function';

/** The services behind the router's routes, from a platform (not the accounts, the catalog or the import). */
export function routerServices(platform: Platform, options: ApiOptions = {}): ApiServices {
  const accounts = platform.repository(AccountRepository);
  const { clock } = platform;
  const tasks = createTasksService(
    withPorts(
      platform,
      { publisher: PUBLISHER },
      { tasks: platform.repository(TaskRepository), clock, accounts },
    ),
  );
  const ingest = options.ingest ?? ingestFeature(platform);
  return {
    version: platform.config.version ?? '0.0.0',
    clock,
    tasks,
    unsubscribe: createUnsubscribeService({
      accounts,
      clock,
      signingKey: () => platform.port(UNSUBSCRIBE_KEY).getSecret(),
    }),
    launch: isService(options.launch) ? options.launch : launchFeature(platform, options.launch),
    control: controlFeature(platform),
    reports: reportsFeature(platform),
    ingest,
    sending: sendingReputationFeature(platform),
    importPinpoint: options.importPinpoint,
    webhooks: options.webhooks?.({ ingest, completeTask: tasks.complete }),
  };
}

export function createApiRoutes(services: ApiServices): Route[] {
  const routes = buildRoutes(services);
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
      body: (doc ??= buildOpenApi(all, { version: services.version })),
    }),
  });
  const all: Route[] = [...routes, openapi];
  return all;
}

/** The deployed API router of a platform: every route but those of the groups with their own function. */
export const routerFeature =
  (options: ApiOptions = {}) =>
  (platform: Platform): Router =>
    loggedRouter(platform.log, createApiRoutes(routerServices(platform, options)), options.router);
