/**
 * Local mode's clock routes (local only, not in the deployed API or its OpenAPI; bearer token):
 *
 *   GET  /_local/clock           -> { mode, now }
 *   POST /_local/clock/advance   { "by": "P3D" } or { "to": "2026-03-05T09:00:00Z" } -> { now }
 *
 * Advance skips ahead in every mode (lib/local/clock.ts): each timer falling due runs in order, each
 * until nothing is in flight, and the answer comes once the new now is reached and settled.
 */
import * as z from 'zod';
import { route, type Route } from '../../functions/api/router';
import { BadRequest } from '../../functions/kernel/errors';
import { IsoDuration } from '../../functions/kernel/model/fields';
import { durationMillis } from '../../functions/kernel/duration';
import { ClockError, type LocalClock } from './clock';

export const LOCAL_CLOCK_PATH = '/_local/clock';

const AdvanceBody = z.union([
  z.strictObject({ by: IsoDuration }),
  z.strictObject({ to: z.iso.datetime({ offset: true }) }),
]);

export function localClockRoutes(clock: LocalClock): Route[] {
  return [
    route({
      method: 'GET',
      path: LOCAL_CLOCK_PATH,
      operationId: 'localClock',
      summary: "Local mode: the clock's mode and simulated now",
      tags: ['local'],
      auth: 'iam',
      responses: { 200: { description: 'the clock' } },
      handler: async () => ({ status: 200, body: { mode: clock.mode, now: clock.now().toISOString() } }),
    }),
    route({
      method: 'POST',
      path: `${LOCAL_CLOCK_PATH}/advance`,
      operationId: 'localClockAdvance',
      summary: 'Local mode: skip ahead, running what falls due in order',
      tags: ['local'],
      auth: 'iam',
      body: AdvanceBody,
      responses: { 200: { description: 'the new now' } },
      handler: async ({ body }) => {
        try {
          const now = await clock.advance(
            'by' in body ? { by: durationMillis(body.by) } : { to: Date.parse(body.to) },
          );
          return { status: 200, body: { mode: clock.mode, now: now.toISOString() } };
        } catch (err) {
          if (err instanceof ClockError) throw new BadRequest([{ path: 'body.to', message: err.message }]);
          throw err;
        }
      },
    }),
  ];
}
