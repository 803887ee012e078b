/**
 * `POST /_local/ses-events`, local mode only (not in the deployed API, not in its OpenAPI): SES
 * event records replayed by hand, since aws-ses-v2-local publishes none. The body is one record as
 * SES documents it (`{ "eventType": "Bounce", "mail": {...}, "bounce": {...} }`), one EventBridge
 * event carrying a record (`{ "source": "aws.ses", "detail-type": "Email Bounced", "detail": {...} }`),
 * or a list of either (at most 500). Each record is treated as published through this stage's
 * configuration set (its `ses:configuration-set` tag is set to it), routed like the default bus
 * routes it (RULES.sesEngagement narrowed to this stage's configuration set) and fed to the SES normaliser Lambda runs
 * (functions/ingest/ses.ts). A bearer token is required. Nothing is processed when any record is
 * malformed: the 400 names each bad field (`body.1.mail.messageId`).
 */
import * as z from 'zod';
import type { SesEventBridgeEvent, SesNormaliseResult } from '../../functions/ingest';
import { route, type Route } from '../../functions/api/router';
import { BadRequest, detailsFromZod, type ErrorDetail } from '../../functions/kernel/errors';
import { SesEventDetail, SesEventEnvelope } from '../../functions/kernel/event-schemas/ses';
import {
  AWS_SES_SOURCE,
  SES_CONFIGURATION_SET_TAG,
  SES_EVENT_TYPES,
  sesEngagementPattern,
} from '../../functions/kernel/events';
import { matchesPattern } from './event-pattern';

export const LOCAL_SES_EVENTS_PATH = '/_local/ses-events';
export const MAX_LOCAL_SES_EVENTS = 500;

export interface LocalSesEventsOptions {
  /** This stage's configuration set (local mode's). */
  configurationSet: string;
  normalise: (event: SesEventBridgeEvent) => Promise<SesNormaliseResult>;
  now: () => Date;
}

const BareRecord = z.looseObject({
  eventType: z.enum(Object.keys(SES_EVENT_TYPES) as [keyof typeof SES_EVENT_TYPES]),
});

export type LocalSesEventResult = { index: number; detailType: string } & Partial<SesNormaliseResult>;

/** One record or envelope as the EventBridge event the default bus would deliver, or its errors. */
function toEnvelope(
  item: unknown,
  index: number,
  options: LocalSesEventsOptions,
): SesEventBridgeEvent | ErrorDetail[] {
  const at = `body.${index}`;
  const isEnvelope = typeof item === 'object' && item !== null && ('detail' in item || 'detail-type' in item);
  let envelope: SesEventBridgeEvent;
  if (isEnvelope) {
    const parsed = SesEventEnvelope.safeParse(item);
    if (!parsed.success) return detailsFromZod(parsed.error, at);
    envelope = parsed.data as SesEventBridgeEvent;
  } else {
    const parsed = BareRecord.safeParse(item);
    if (!parsed.success) return detailsFromZod(parsed.error, at);
    const messageId = (item as { mail?: { messageId?: unknown } }).mail?.messageId;
    envelope = {
      id: `local-${String(messageId)}-${parsed.data.eventType.replace(/\W/g, '')}`,
      source: AWS_SES_SOURCE,
      'detail-type': SES_EVENT_TYPES[parsed.data.eventType],
      time: options.now().toISOString(),
      detail: item,
    };
  }
  const detail = SesEventDetail.safeParse(envelope.detail);
  if (!detail.success) return detailsFromZod(detail.error, isEnvelope ? `${at}.detail` : at);
  // Published through this stage's configuration set, whatever the record says.
  const record = envelope.detail as { mail: { tags?: Record<string, string[]> } };
  return {
    ...envelope,
    detail: {
      ...record,
      mail: {
        ...record.mail,
        tags: { ...record.mail.tags, [SES_CONFIGURATION_SET_TAG]: [options.configurationSet] },
      },
    },
  };
}

export function localSesEventsRoute(options: LocalSesEventsOptions): Route {
  return route({
    method: 'POST',
    path: LOCAL_SES_EVENTS_PATH,
    operationId: 'localSesEvents',
    summary: 'Local mode: replay SES event records (records, EventBridge events, or a list of either)',
    tags: ['local'],
    auth: 'iam',
    body: z.unknown(),
    responses: { 200: { description: 'what each record became' } },
    handler: async ({ body }) => {
      const items = Array.isArray(body) ? body : [body];
      if (items.length === 0 || items.length > MAX_LOCAL_SES_EVENTS)
        throw new BadRequest([
          { path: 'body', message: `1 to ${MAX_LOCAL_SES_EVENTS} SES records or EventBridge events` },
        ]);
      const envelopes = items.map((item, i) => toEnvelope(item, i, options));
      const errors = envelopes.filter((e): e is ErrorDetail[] => Array.isArray(e)).flat();
      if (errors.length > 0) throw new BadRequest(errors, 'malformed SES event');
      const results: LocalSesEventResult[] = [];
      for (const [index, envelope] of (envelopes as SesEventBridgeEvent[]).entries()) {
        const detailType = envelope['detail-type'];
        if (!matchesPattern(sesEngagementPattern(options.configurationSet) as never, envelope)) {
          results.push({
            index,
            detailType,
            ignored: `no rule matches source ${envelope.source}, detail-type ${detailType}`,
          });
          continue;
        }
        results.push({ index, detailType, ...(await options.normalise(envelope)) });
      }
      return { status: 200, body: { results } };
    },
  });
}
