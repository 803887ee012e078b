/**
 * The API's Lambda entry: one function behind every route of the HTTP API. Environment is read
 * and SDK clients are built once, at cold start; the unsubscribe signing key is fetched from
 * Secrets Manager once, on first use.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { EventBridgePublisher } from '../../platform/bus';
import { EventBridgeAudienceProvider } from '../../platform/providers/audience';
import { SecretsManagerSecretSource } from '../../platform/secrets';
import { AccountRepository } from '../../platform/store/repository';
import { createDocumentClient, Table } from '../../platform/store/table';
import { systemClock } from '../../kernel/clock';
import { Icp } from '../domain/fit';
import { createLaunchService } from '../../launch/launch-service';
import { SfnSequenceControl } from '../../platform/sfn';
import { createIngest } from '../../ingest/ingest';
import { RepositoryAccountResolver } from '../../ingest/resolver';
import { DynamoUnresolvedStore } from '../../platform/store/unresolved';
import { StepFunctionsStarter } from '../../platform/starter';
import { StepFunctionsLaunchRunner } from '../../launch/runners';
import { requireEnv } from '../../platform/env';
import { logger, instrument } from '../../platform/powertools';
import { ingestorFrom } from '../adapters';
import { createApi } from '../app';
import { apiGatewayV2Handler } from '../router';

const env = requireEnv([
  'TABLE_NAME',
  'BUS_NAME',
  'ABM_VERSION',
  'SEQUENCE_STATE_MACHINE_ARN',
  'LAUNCHER_STATE_MACHINE_ARN',
  'AUDIENCE_BUCKET',
  'UNSUBSCRIBE_SECRET_ARN',
]);

const table = new Table(createDocumentClient(new DynamoDBClient({})), env.TABLE_NAME);
const repo = new AccountRepository(table);
const sfn = new SFNClient({});
const publisher = new EventBridgePublisher(new EventBridgeClient({}), env.BUS_NAME);
const secrets = new SecretsManagerClient({});
const unsubscribeSecret = new SecretsManagerSecretSource(secrets, env.UNSUBSCRIBE_SECRET_ARN);
const unsubscribeKey = () => unsubscribeSecret.getSecret();

const launch = createLaunchService({
  repo,
  table,
  clock: systemClock,
  starter: new StepFunctionsStarter(sfn, env.SEQUENCE_STATE_MACHINE_ARN),
  runner: new StepFunctionsLaunchRunner({
    s3: new S3Client({}),
    sfn,
    bucket: env.AUDIENCE_BUCKET,
    launcherArn: env.LAUNCHER_STATE_MACHINE_ARN,
  }),
});

const router = createApi(
  {
    repo,
    table,
    clock: systemClock,
    publisher,
    launch,
    control: new SfnSequenceControl(sfn, env.SEQUENCE_STATE_MACHINE_ARN),
    // A stop leaves the ad audiences its sequence's `ads` steps added (ads.audience.changed).
    audiences: new EventBridgeAudienceProvider(publisher),
    unsubscribeKey,
    version: env.ABM_VERSION,
    icp: process.env.ABM_ICP ? Icp.parse(JSON.parse(process.env.ABM_ICP)) : undefined,
    // POST /events: the ingestion service (functions/ingest). A resolver per request: its cache
    // must not outlive the request (accounts get imported).
    ingest: {
      ingest: (events) =>
        ingestorFrom(
          createIngest({
            resolver: new RepositoryAccountResolver(repo),
            publisher,
            unresolved: new DynamoUnresolvedStore(table),
            clock: systemClock,
            suppress: async (email, reason) => {
              await repo.addSuppression(email, { reason, source: 'api' });
            },
          }),
        ).ingest(events),
    },
  },
  { onUnexpected: (err, requestId) => logger.error('unexpected error', { requestId, error: err as Error }) },
);

export const handler = instrument<APIGatewayProxyEventV2, unknown>(apiGatewayV2Handler(router));
