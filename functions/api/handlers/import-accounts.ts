/**
 * `POST /accounts/import` on AWS: its own function, so the API router's bundle does not carry the
 * CSV parser and the import (functions/api/account-import-route.ts). Reads and writes accounts and
 * contacts.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { composeLambda } from '../../platform/lambda';
import { instrument } from '../../platform/powertools';
import { accountImportFeature } from '../account-import';
import { accountImportRoute } from '../account-import-route';
import { apiGatewayV2Handler, loggedRouter } from '../router';

const { router } = composeLambda(['tableName'], {
  router: (platform) => loggedRouter(platform.log, [accountImportRoute(accountImportFeature(platform))]),
});

export const handler = instrument<APIGatewayProxyEventV2, unknown>(apiGatewayV2Handler(router));
