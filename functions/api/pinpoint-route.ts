/**
 * `POST /sequences/import/pinpoint`, on its own: the API router documents it and local mode serves
 * it in process, while on AWS its own small function serves it
 * (functions/api/handlers/import-pinpoint.ts), so the router's bundle does not carry the conversion.
 * The converter is handed in (functions/api/pinpoint-import.ts `importPinpointJourney`).
 */
import { NotImplemented } from '../kernel/errors';
import type { PinpointImport } from './pinpoint-import';
import { E400, E413 } from './responses';
import { route, type Route } from './router';
import { PinpointImportBody, PinpointImportBodyDoc, PinpointImportResult } from './schemas';

export type PinpointConverter = (body: unknown) => PinpointImport;

export function pinpointImportRoute(convert: PinpointConverter | undefined): Route {
  return route({
    method: 'POST',
    path: '/sequences/import/pinpoint',
    operationId: 'importPinpointJourney',
    summary:
      'Convert an Amazon Pinpoint journey (aws pinpoint get-journey output) into a sequence; nothing is saved',
    tags: ['sequences'],
    auth: 'iam',
    servedBy: 'importPinpoint',
    body: PinpointImportBody,
    bodyDoc: PinpointImportBodyDoc,
    responses: {
      200: { description: 'the sequence and what was not converted', schema: PinpointImportResult },
      ...E400,
      ...E413,
    },
    handler: async ({ body }) => {
      // On AWS, API Gateway sends this route to its own function; a router without the converter
      // never sees it there.
      if (!convert) throw new NotImplemented('the Pinpoint import is served by its own function');
      return { status: 200, body: convert(body) };
    },
  });
}
