/**
 * The scorer's SQS records: an EventBridge event as the rule delivers it to the buffer queue, or an
 * envelope of one account's events as the enqueuer puts it on the FIFO queue (`events: []` with the
 * `accountId`: a re-score, rescore.ts). Parsed and validated here, for both consumers.
 */
import { EngagementRecordedDetail } from '../kernel/event-schemas/engagement';
import { DETAIL_TYPES } from '../kernel/events';
import { Id } from '../kernel/model';
import type { ScoringEvent } from './domain/state';

export interface SqsRecordLike {
  messageId: string;
  body: string;
  attributes?: { MessageGroupId?: string };
}

export interface BatchResult {
  batchItemFailures: { itemIdentifier: string }[];
}

/** Thrown for a record that cannot be parsed: only that record (and its group's later ones) fails. */
export class InvalidRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRecordError';
  }
}

/** The events in one SQS record, validated. */
export function parseRecord(body: string): { accountId: string; events: EngagementRecordedDetail[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    throw new InvalidRecordError('body is not JSON');
  }
  const obj = raw as Record<string, unknown>;
  let details: unknown[];
  if (obj && Array.isArray(obj.events)) details = obj.events;
  else if (obj && obj['detail-type'] === DETAIL_TYPES.engagementRecorded && obj.detail)
    details = [obj.detail];
  else throw new InvalidRecordError('neither an engagement.recorded event nor an envelope of events');
  const events = details.map((d, i) => {
    const parsed = EngagementRecordedDetail.safeParse(d);
    if (!parsed.success) {
      throw new InvalidRecordError(
        `event ${i}: ${parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`,
      );
    }
    return parsed.data;
  });
  // An envelope names its account; with no events it asks for a re-evaluation (a re-score).
  const named = obj.events ? obj.accountId : undefined;
  if (named !== undefined && !Id.safeParse(named).success)
    throw new InvalidRecordError('accountId: not an account id');
  const accountIds = new Set(events.map((e) => e.accountId));
  if (named !== undefined) accountIds.add(named as string);
  if (accountIds.size !== 1) throw new InvalidRecordError('a record must hold events of exactly one account');
  return { accountId: [...accountIds][0]!, events };
}

export function toScoringEvent(d: EngagementRecordedDetail): ScoringEvent {
  return {
    eventId: d.eventId,
    type: d.type,
    at: Date.parse(d.occurredAt),
    ...(d.contactId ? { contactId: d.contactId } : {}),
    ...(d.role ? { role: d.role } : {}),
    properties: d.properties ?? {},
  };
}
