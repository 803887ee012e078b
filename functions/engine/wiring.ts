/**
 * Builds the engine's dependencies from the Lambda environment (once per cold start). Tests and
 * local mode do not use this file: they call `createSequenceEngine` with local adapters.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { EventBridgePublisher } from '../platform/bus';
import { AccountRepository } from '../platform/store/repository';
import { createDocumentClient, Table } from '../platform/store/table';
import { EventBridgeAudienceProvider } from '../platform/providers/audience';
import { EventBridgeDirectMailProvider } from '../platform/providers/direct-mail';
import { SecretsManagerSecretSource } from '../platform/secrets';
import { SesEmailSender } from '../platform/ses';
import { systemClock } from '../kernel/clock';
import { requireEnv } from '../platform/env';
import { logger } from '../platform/powertools';
import { createSequenceEngine, type SequenceEngine } from './sequence-engine';

/** Variables the engine functions read; the construct sets every one. */
export const ENGINE_ENV = [
  'TABLE_NAME',
  'BUS_NAME',
  'SENDER_EMAIL',
  'UNSUBSCRIBE_BASE_URL',
  'UNSUBSCRIBE_SECRET_ID',
] as const;

export function engineFromEnvironment(source: NodeJS.ProcessEnv = process.env): SequenceEngine {
  const env = requireEnv(ENGINE_ENV, source);
  const table = new Table(createDocumentClient(new DynamoDBClient({})), env.TABLE_NAME);
  const publisher = new EventBridgePublisher(new EventBridgeClient({}), env.BUS_NAME);
  return createSequenceEngine({
    repo: new AccountRepository(table),
    publisher,
    clock: systemClock,
    email: new SesEmailSender(new SESv2Client({}), source.SES_CONFIGURATION_SET),
    unsubscribeKey: new SecretsManagerSecretSource(new SecretsManagerClient({}), env.UNSUBSCRIBE_SECRET_ID),
    audiences: new EventBridgeAudienceProvider(publisher),
    directMail: new EventBridgeDirectMailProvider(publisher),
    config: {
      senderEmail: env.SENDER_EMAIL,
      senderName: source.SENDER_NAME || undefined,
      unsubscribeBaseUrl: env.UNSUBSCRIBE_BASE_URL,
      defaultSdrOwner: source.DEFAULT_SDR_OWNER || undefined,
    },
    log: (message, data) => logger.info(message, data ?? {}),
  });
}
