/**
 * Lambda entry point: SES events (default bus, RULES.sesEngagement) -> engagement.recorded on the
 * engagement bus, plus suppression of hard-bounced and complaining addresses. Thin: wiring only.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EventBridgePublisher } from '../../platform/bus';
import { AccountRepository } from '../../platform/store/repository';
import { createDocumentClient, Table } from '../../platform/store/table';
import { systemClock } from '../../kernel/clock';
import { requireEnv } from '../../platform/env';
import { instrument } from '../../platform/powertools';
import { RepositoryAccountResolver } from '../resolver';
import { createSesNormaliser, type SesEventBridgeEvent, type SesNormaliseResult } from '../ses';
import { DynamoUnresolvedStore } from '../../platform/store/unresolved';

const env = requireEnv(['TABLE_NAME', 'BUS_NAME']);
const table = new Table(createDocumentClient(new DynamoDBClient({})), env.TABLE_NAME);
const repo = new AccountRepository(table);
const publisher = new EventBridgePublisher(new EventBridgeClient({}), env.BUS_NAME);

export const handler = instrument(async (event: SesEventBridgeEvent): Promise<SesNormaliseResult> => {
  const normalise = createSesNormaliser({
    resolver: new RepositoryAccountResolver(repo),
    publisher,
    unresolved: new DynamoUnresolvedStore(table),
    clock: systemClock,
    suppress: async (email, reason) => {
      await repo.addSuppression(email, { reason, source: 'ses' });
    },
  });
  return normalise(event);
});
