/**
 * The accounts' routes on AWS (GET /accounts, GET /accounts/{id}, its timeline, the contacts' PUT,
 * GET and DELETE): their own function, so the API router's bundle carries neither the listing, the
 * timeline, the account view's reads nor the committee coverage (functions/api/accounts-service.ts).
 * Reads and writes the table; an erasure publishes the ad-audience removal on the bus.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { composeLambda } from '../../platform/lambda';
import { instrument } from '../../platform/powertools';
import { accountsFeature } from '../accounts-service';
import { accountRoutes } from '../account-routes';
import { apiGatewayV2Handler, loggedRouter } from '../router';

const { router } = composeLambda(['tableName', 'busName'], {
  router: (platform) => loggedRouter(platform.log, accountRoutes(accountsFeature(platform))),
});

export const handler = instrument<APIGatewayProxyEventV2, unknown>(apiGatewayV2Handler(router));
