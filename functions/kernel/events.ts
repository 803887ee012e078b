/**
 * The event contracts of the bus (docs/architecture.md, "Event contracts"): for every detail type,
 * the one source that publishes it (`SOURCE_OF`) and its detail's schema (kernel/event-schemas.ts).
 * Every publisher builds its events with `busEvent(detailType, detail)`, which stamps the source and
 * is typed by the schema; the recording publisher of the tests and the moto contract test check
 * every event against the schema. The CDK rules use the patterns in `RULES` verbatim.
 * Every detail carries `eventId` and `occurredAt`; the account events `accountId`, the sending-domain
 * events (`email.sending_paused`, `email.sending_resumed`) `domain`.
 */
import type { SdrTask } from './model';
import type { DetailInput, DetailOf } from './event-schemas';
import { DETAIL_TYPES, SOURCE_OF, type DetailType, type Source } from './event-types';

export * from './event-types';

/** An event ready for PutEvents (without the bus name, which the publisher adds). */
export interface BusEvent<T extends DetailType = DetailType> {
  source: Source;
  detailType: T;
  detail: DetailOf<T>;
}

/** Builds an event of a detail type, from its one source. */
export function busEvent<T extends DetailType>(detailType: T, detail: DetailInput<T>): BusEvent<T> {
  return { source: SOURCE_OF[detailType], detailType, detail: detail as DetailOf<T> };
}

/** `sdr.task.created` for a stored task: the event id is the task id (a retry republishes the same). */
export function sdrTaskCreatedEvent(task: SdrTask): BusEvent<'sdr.task.created'> {
  return busEvent(DETAIL_TYPES.sdrTaskCreated, {
    ...task,
    eventId: task.taskId,
    occurredAt: task.createdAt,
    context: task.context,
  });
}

export * from './rules';

export type {
  AdsAudienceChangedDetail,
  DetailInput,
  DetailOf,
  DirectMailRequestedDetail,
  EngagementRecordedDetail,
  EnrollmentFinishedDetail,
  ScoreChangedDetail,
  SdrTaskCompletedDetail,
  SdrTaskCreatedDetail,
  SendingPausedDetail,
  SendingResumedDetail,
  SesEventDetail,
  StageChangedDetail,
  TouchFailedDetail,
  TouchSentDetail,
  TouchUncertainDetail,
} from './event-schemas';
