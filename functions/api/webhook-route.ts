/**
 * `POST /webhooks/{provider}`, the public route the providers call (README "Connect direct mail",
 * "Connect your CRM"). No bearer token and no IAM: the receiver verifies each request with its
 * provider's signature or shared secret (functions/webhooks/service.ts). The API router documents
 * it and local mode serves it in process; on AWS its own small function serves it
 * (functions/api/handlers/receive-webhook.ts), with only the permissions webhooks need.
 */
import * as z from 'zod';
import { NotImplemented } from '../kernel/errors';
import {
  WEBHOOK_PROVIDERS,
  type WebhookRequest,
  type WebhookService,
  type WebhookServiceDeps,
} from '../webhooks';
import { err } from './responses';
import { route, type Route } from './router';

const WebhookParams = z.object({ provider: z.enum(WEBHOOK_PROVIDERS) }).strict();
const WebhookResultSchema = z
  .object({
    received: z.number().int().nonnegative(),
    applied: z.number().int().nonnegative(),
    duplicates: z.number().int().nonnegative(),
    refused: z.number().int().nonnegative(),
  })
  .strict()
  .meta({ id: 'WebhookResult' });

/** Builds the webhook service over the API's own ingestion and task completion. */
export type WebhookServiceFactory = (
  paths: Pick<WebhookServiceDeps, 'ingest' | 'completeTask'>,
) => WebhookService;

/** The URL as the provider called (and signed) it: scheme from the proxy, host from the request. */
export function requestUrl(headers: Record<string, string>, path: string): string {
  const proto = (headers['x-forwarded-proto'] ?? 'http').split(',')[0].trim();
  return `${proto}://${headers.host ?? 'localhost'}${path}`;
}

export function webhookRoute(service: WebhookService | undefined): Route {
  return route({
    method: 'POST',
    path: '/webhooks/{provider}',
    operationId: 'receiveWebhook',
    summary:
      "A provider's webhook (Lob, PostGrid, HubSpot, Salesforce): verified by its signature or shared secret, each event applied once",
    tags: ['webhooks'],
    auth: 'none',
    servedBy: 'webhooks',
    params: WebhookParams,
    body: z.unknown(),
    bodyDoc: z.unknown().meta({ description: "the provider's webhook payload, verified as received" }),
    accepts: ['application/json', 'text/xml', 'application/x-www-form-urlencoded'],
    responses: {
      200: {
        description: 'verified; what was applied and what was seen before',
        schema: WebhookResultSchema,
      },
      400: err('the body is not what the provider sends'),
      401: err('the signature, the shared secret or the timestamp did not verify'),
      404: err('that provider is not configured in this deployment'),
    },
    handler: async ({ params, rawBody, headers, contentType }) => {
      // On AWS, API Gateway sends this route to its own function; the router never sees it there.
      if (!service) throw new NotImplemented('webhooks are served by their own function');
      const req: WebhookRequest = {
        method: 'POST',
        url: requestUrl(headers, `/webhooks/${params.provider}`),
        headers,
        rawBody,
        contentType,
      };
      return { status: 200, body: await service.receive(params.provider, req) };
    },
  });
}
