/**
 * The whole API as one router: the router's routes (functions/api/core-api.ts), the catalog's
 * (templates and sequences) and the account import, over the services of a platform. Local mode serves it through
 * `router.handleHttp` over node:http, and the tests call it; on AWS the router function
 * (functions/api/handlers/http-api.ts), the catalog function (handlers/catalog-api.ts), the
 * account import (handlers/import-accounts.ts) and the Pinpoint import (handlers/import-pinpoint.ts) each serve their own routes of the same table.
 */
import type { Platform } from '../platform/compose';
import { accountImportFeature } from './account-import';
import { accountsFeature } from './accounts-service';
import { catalogFeature } from './catalog-service';
import { programsFeature } from '../programs';
import { createApiRoutes, routerServices, type ApiOptions } from './core-api';
import type { ApiServices } from './routes';
import { loggedRouter, type Router } from './router';

export { createApiRoutes, type ApiOptions } from './core-api';

/** The services behind every route, from a platform. */
export function apiServices(platform: Platform, options: ApiOptions = {}): ApiServices {
  return {
    ...routerServices(platform, options),
    accounts: accountsFeature(platform),
    catalog: catalogFeature(platform),
    importAccounts: accountImportFeature(platform),
    programs: programsFeature(platform),
  };
}

/** The whole API router of a platform (local mode, tests). */
export function createApi(platform: Platform, options: ApiOptions = {}): Router {
  return loggedRouter(platform.log, createApiRoutes(apiServices(platform, options)), options.router);
}

/** The whole API as a feature of `compose`, with its options. */
export const apiFeature =
  (options: ApiOptions = {}) =>
  (platform: Platform): Router =>
    createApi(platform, options);
