/**
 * Lambda entry point for POST /events (API Gateway HTTP API, payload 2.0). Thin: parses the body at
 * the edge and maps errors to HTTP; the logic is `createIngest`. The API engineer attaches it to
 * the route (or calls `createIngest` from the shared API router).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { EventBridgePublisher } from '../adapters/bus';
import { AccountRepository } from '../adapters/dynamo/repository';
import { createDocumentClient, Table } from '../adapters/dynamo/table';
import { systemClock } from '../domain/clock';
import { requireEnv } from '../shared/env';
import { instrument } from '../shared/powertools';
import { respond } from './http';
import { createIngest } from './ingest';
import { RepositoryAccountResolver } from './resolver';
import { DynamoUnresolvedStore } from './unresolved';

const env = requireEnv(['TABLE_NAME', 'BUS_NAME']);
const table = new Table(createDocumentClient(new DynamoDBClient({})), env.TABLE_NAME);
const repo = new AccountRepository(table);
const publisher = new EventBridgePublisher(new EventBridgeClient({}), env.BUS_NAME);

export const handler = instrument(
  async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    // A resolver per request: its cache must not outlive the request (accounts get imported).
    const ingest = createIngest({
      resolver: new RepositoryAccountResolver(repo),
      publisher,
      unresolved: new DynamoUnresolvedStore(table),
      clock: systemClock,
      suppress: async (email, reason) => {
        await repo.addSuppression(email, { reason, source: 'api' });
      },
    });
    return respond(event, ingest);
  },
);
