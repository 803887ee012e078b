/**
 * `POST /webhooks/{provider}` on AWS: its own function (functions/api/webhook-route.ts), public
 * behind the provider's signature, with only what webhooks need: the table (receipts, accounts for
 * resolving engagement, tasks), the bus (engagement, task outcomes) and the webhook secrets.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ingestFeature } from '../../ingest';
import { PUBLISHER } from '../../platform/bus';
import { withPorts } from '../../platform/compose';
import { composeLambda } from '../../platform/lambda';
import { instrument, logger } from '../../platform/powertools';
import { TaskRepository } from '../../platform/store/tasks';
import { webhooksFeature } from '../../webhooks';
import { apiGatewayV2Handler, createRouter } from '../router';
import { createTasksService } from '../tasks-service';
import { webhookRoute } from '../webhook-route';

const { webhooks } = composeLambda(['tableName', 'busName'], {
  webhooks: (platform) =>
    webhooksFeature(platform, {
      ingest: ingestFeature(platform),
      completeTask: createTasksService(
        withPorts(
          platform,
          { publisher: PUBLISHER },
          { tasks: platform.repository(TaskRepository), clock: platform.clock },
        ),
      ).complete,
    }),
});

const router = createRouter([webhookRoute(webhooks)], {
  onUnexpected: (err, requestId, req) =>
    logger.error('unexpected error', {
      requestId,
      path: req.path,
      error: String((err as Error)?.stack ?? err),
    }),
});

export const handler = instrument<APIGatewayProxyEventV2, unknown>(apiGatewayV2Handler(router));
