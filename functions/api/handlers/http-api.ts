/**
 * The API's Lambda entry: one function behind every route of the HTTP API. Configuration is read
 * and clients are built once, at cold start; the unsubscribe signing key is fetched from Secrets
 * Manager once, on first use.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { composeLambda } from '../../platform/lambda';
import { instrument } from '../../platform/powertools';
import { apiFeature } from '../app';
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
  { api: apiFeature() },
);

export const handler = instrument<APIGatewayProxyEventV2, unknown>(apiGatewayV2Handler(api));
