/**
 * `POST /sequences/import/pinpoint` on AWS: its own function, so the API router's bundle does not
 * carry the conversion (functions/api/pinpoint-route.ts). Pure work: no table, no bus, no secret.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { instrument, logger } from '../../platform/powertools';
import { importPinpointJourney } from '../pinpoint-import';
import { pinpointImportRoute } from '../pinpoint-route';
import { apiGatewayV2Handler, createRouter } from '../router';

const router = createRouter([pinpointImportRoute(importPinpointJourney)], {
  onUnexpected: (err, requestId, req) =>
    logger.error('unexpected error', {
      requestId,
      path: req.path,
      error: String((err as Error)?.stack ?? err),
    }),
});

export const handler = instrument<APIGatewayProxyEventV2, unknown>(apiGatewayV2Handler(router));
