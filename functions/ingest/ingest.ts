/**
 * POST /events: validates external engagement, resolves the
 * account, and publishes `engagement.recorded`. Good events land even when some are bad; an event
 * for an unknown account is kept (UnresolvedStore) and reported, never silently dropped.
 */
import * as z from 'zod';
import { BadRequest } from '../kernel/errors';
import { busEvent, DETAIL_TYPES, type EngagementRecordedDetail } from '../kernel/events';
import { EngagementEventInput, type EngagementType } from '../kernel/model';
import type { Platform } from '../platform/compose';
import { MAX_FUTURE_SKEW_MS } from '../scoring';
import { ingestionDeps, type IngestionDeps } from './resolver';

export const MAX_EVENTS_PER_REQUEST = 500;

/** Properties each type must (or may) carry; others pass through unchecked. */
const PROPERTY_SCHEMAS: Partial<Record<EngagementType, z.ZodType>> = {
  'web.visit': z.looseObject({ page: z.string().min(1).optional(), url: z.string().optional() }),
  'ad.clicked': z.looseObject({ campaign: z.string().optional(), network: z.string().optional() }),
  'intent.surge': z.looseObject({ topic: z.string().min(1), strength: z.number().min(0).max(100) }),
  'meeting.booked': z.looseObject({ outcome: z.string().optional() }),
  'sdr.call_logged': z.looseObject({ outcome: z.string().optional() }),
  'crm.stage_changed': z.looseObject({ stage: z.string().min(1), opportunityId: z.string().optional() }),
  'email.replied': z.looseObject({ messageId: z.string().optional() }),
  'content.downloaded': z.looseObject({ asset: z.string().min(1).optional(), form: z.string().optional() }),
  'ad.impression': z.looseObject({
    network: z.string().optional(),
    campaign: z.string().optional(),
    impressions: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
  }),
  'event.registered': z.looseObject({ event: z.string().min(1), eventDate: z.string().optional() }),
  'event.attended': z.looseObject({ event: z.string().min(1), eventDate: z.string().optional() }),
  // A piece the print-and-mail provider reports delivered (functions/webhooks/mail.ts).
  'direct_mail.delivered': z.looseObject({
    provider: z.string().min(1).optional(),
    pieceId: z.string().optional(),
    campaignId: z.string().optional(),
    touchId: z.string().optional(),
  }),
};

export const IngestRequest = z.object({ events: z.array(z.unknown()).min(1).max(MAX_EVENTS_PER_REQUEST) });

export interface FieldError {
  path: string;
  message: string;
}

export interface IngestResponse {
  accepted: number;
  rejected: { index: number; eventId?: string; errors: FieldError[] }[];
  /** Valid events whose account could not be resolved: kept for replay, not scored. */
  unresolved: { index: number; eventId: string; reason: string }[];
}

const origin = (type: EngagementType): EngagementRecordedDetail['origin'] =>
  type === 'crm.stage_changed'
    ? 'crm'
    : type === 'intent.surge'
      ? 'intent'
      : type === 'sdr.call_logged'
        ? 'sdr'
        : 'api';

const issues = (error: z.ZodError, prefix: (string | number)[] = []): FieldError[] =>
  error.issues.map((i) => ({
    path: [...prefix, ...i.path].map(String).join('.') || '(root)',
    message: i.message,
  }));

/** Suppression is optional here: a test may ingest without it. */
export type IngestDeps = Omit<IngestionDeps, 'suppress' | 'unsubscribe'> &
  Partial<Pick<IngestionDeps, 'suppress'>>;

/**
 * POST /events of a platform. Each request resolves accounts through its own resolver: its cache
 * must not outlive the request (accounts get imported).
 */
export function ingestFeature(platform: Platform) {
  return (body: unknown): Promise<IngestResponse> => createIngest(ingestionDeps(platform, 'api'))(body);
}

export function createIngest(deps: IngestDeps) {
  return async function ingest(body: unknown): Promise<IngestResponse> {
    const request = IngestRequest.safeParse(body);
    if (!request.success) throw new BadRequest(issues(request.error, ['body']), 'invalid request body');
    const response: IngestResponse = { accepted: 0, rejected: [], unresolved: [] };
    const outbound: EngagementRecordedDetail[] = [];
    const now = deps.clock.now();
    const receivedAt = now.toISOString();

    for (const [index, raw] of request.data.events.entries()) {
      const parsed = EngagementEventInput.safeParse(raw);
      const rawId = (raw as { eventId?: unknown } | null)?.eventId;
      const eventId = typeof rawId === 'string' ? rawId : undefined;
      if (!parsed.success) {
        response.rejected.push({ index, eventId, errors: issues(parsed.error) });
        continue;
      }
      const e = parsed.data;
      // A future date (a typo, a skewed clock) would hold the account's scoring hostage: every
      // real event after it would count as stale. Same limit as the scorer's fold.
      if (Date.parse(e.occurredAt) > now.getTime() + MAX_FUTURE_SKEW_MS) {
        response.rejected.push({
          index,
          eventId,
          errors: [
            {
              path: 'occurredAt',
              message: `occurredAt is more than ${MAX_FUTURE_SKEW_MS / 60_000} minutes in the future (now ${receivedAt})`,
            },
          ],
        });
        continue;
      }
      const propSchema = PROPERTY_SCHEMAS[e.type];
      const props = propSchema?.safeParse(e.properties);
      if (props && !props.success) {
        response.rejected.push({ index, eventId, errors: issues(props.error, ['properties']) });
        continue;
      }
      const resolution = await deps.resolver.resolve({
        accountId: e.accountId,
        contactId: e.contactId,
        contactEmail: e.contactEmail,
        domain: e.domain,
      });
      if (!resolution) {
        const reason = e.accountId
          ? `unknown account ${e.accountId}`
          : `no account for ${e.contactEmail ?? ''}${e.contactEmail && e.domain ? ' / ' : ''}${e.domain ?? ''}`;
        await deps.unresolved.keep({ eventId: e.eventId, receivedAt, reason, origin: 'api', event: e });
        response.unresolved.push({ index, eventId: e.eventId, reason });
        continue;
      }
      if (deps.suppress && e.contactEmail) {
        const hard =
          e.type === 'email.bounced' && /^(hard|permanent)$/i.test(String(e.properties.bounceType ?? ''));
        if (hard || e.type === 'email.complained')
          await deps.suppress(e.contactEmail, hard ? 'hard_bounce' : 'complaint');
      }
      outbound.push({
        eventId: e.eventId,
        occurredAt: e.occurredAt,
        accountId: resolution.accountId,
        type: e.type,
        ...(resolution.contactId ? { contactId: resolution.contactId } : {}),
        ...(resolution.role ? { role: resolution.role } : {}),
        origin: origin(e.type),
        properties: e.properties,
      });
    }
    if (outbound.length > 0)
      await deps.publisher.publish(outbound.map((d) => busEvent(DETAIL_TYPES.engagementRecorded, d)));
    response.accepted = outbound.length;
    return response;
  };
}
