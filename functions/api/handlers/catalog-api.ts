/**
 * Templates and sequences on AWS (`/templates`, `/sequences`): their own function, so the API
 * router's bundle does not carry the Handlebars compiler that saving a template runs
 * (functions/api/catalog-routes.ts). Reads and writes the catalog items of the table.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { composeLambda } from '../../platform/lambda';
import { instrument } from '../../platform/powertools';
import { catalogFeature } from '../catalog-service';
import { catalogRoutes } from '../catalog-routes';
import { apiGatewayV2Handler, loggedRouter } from '../router';

const { router } = composeLambda(['tableName'], {
  router: (platform) => loggedRouter(platform.log, catalogRoutes(catalogFeature(platform))),
});

export const handler = instrument<APIGatewayProxyEventV2, unknown>(apiGatewayV2Handler(router));
