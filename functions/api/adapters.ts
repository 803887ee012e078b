/**
 * Adapters from other engineers' services to the API's ports:
 * - POST /events -> the ingestion service (`createIngest`, functions/ingest): its BadRequestError
 *   becomes the API's BadRequest, so errors keep the one shape.
 */
import { BadRequest } from '../kernel/errors';
import { BadRequestError, type IngestResponse } from '../ingest/ingest';
import type { EventIngestor } from './routes';

export function ingestorFrom(ingest: (body: unknown) => Promise<IngestResponse>): EventIngestor {
  return {
    async ingest(events) {
      try {
        return await ingest({ events });
      } catch (err) {
        if (err instanceof BadRequestError) {
          throw new BadRequest(
            err.details.map((d) => ({ path: `body.${d.path}`, message: d.message })),
            err.message,
          );
        }
        throw err;
      }
    },
  };
}
