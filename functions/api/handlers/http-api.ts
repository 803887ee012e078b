/**
 * The API router's Lambda entry: every route of the HTTP API but the catalog's (templates and
 * sequences, handlers/catalog-api.ts) and the Pinpoint import (handlers/import-pinpoint.ts), which
 * API Gateway sends to their own functions. Configuration is read
 * and clients are built once, at cold start; the unsubscribe signing key is fetched from Secrets
 * Manager once, on first use.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { composeLambda } from '../../platform/lambda';
import { instrument } from '../../platform/powertools';
import { routerFeature } from '../core-api';
import { apiGatewayV2Handler } from '../router';

const { api } = composeLambda(
  [
    'tableName',
    'busName',
    'version',
    'sequenceStateMachineArn',
    'launcherStateMachineArn',
    'audienceBucket',
    'unsubscribeSecretId',
  ],
  { api: routerFeature() },
);

export const handler = instrument<APIGatewayProxyEventV2, unknown>(apiGatewayV2Handler(api));
