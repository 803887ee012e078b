/**
 * `POST /sequences/import/pinpoint` on AWS: its own function, so the API router's bundle does not
 * carry the conversion (functions/api/pinpoint-route.ts). Pure work: no table, no bus, no secret.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { instrument, logger } from '../../platform/powertools';
import { importPinpointJourney } from '../pinpoint-import';
import { pinpointImportRoute } from '../pinpoint-route';
import { apiGatewayV2Handler, loggedRouter } from '../router';

const router = loggedRouter(logger, [pinpointImportRoute(importPinpointJourney)]);

export const handler = instrument<APIGatewayProxyEventV2, unknown>(apiGatewayV2Handler(router));
