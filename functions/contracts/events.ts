/**
 * EventBridge contracts (DESIGN 2.5): sources, detail types and rule patterns, shared by the
 * CDK rules and the handlers that publish, so publishers and rules cannot drift.
 * Every detail carries `eventId`, `occurredAt` and `accountId`.
 */
import { z } from 'zod';

export const SOURCES = {
  engine: 'abm.engine',
  scorer: 'abm.scorer',
  api: 'abm.api',
  ingest: 'abm.ingest',
  sdr: 'abm.sdr',
  ads: 'abm.ads',
  directMail: 'abm.direct_mail',
} as const;
export type Source = (typeof SOURCES)[keyof typeof SOURCES];

export const DETAIL_TYPES = {
  engagementRecorded: 'engagement.recorded',
  touchSent: 'touch.sent',
  touchFailed: 'touch.failed',
  scoreChanged: 'account.score_changed',
  stageChanged: 'account.stage_changed',
  sdrTaskCreated: 'sdr.task.created',
  sdrTaskCompleted: 'sdr.task.completed',
  adsAudienceChanged: 'ads.audience.changed',
  directMailRequested: 'direct_mail.requested',
  enrollmentFinished: 'enrollment.finished',
} as const;
export type DetailType = (typeof DETAIL_TYPES)[keyof typeof DETAIL_TYPES];

/** The fields every detail carries. */
export const DetailBase = z.object({
  eventId: z.string().min(1),
  occurredAt: z.string().min(1),
  accountId: z.string().min(1),
});
export type DetailBase = z.infer<typeof DetailBase>;

/** An event ready for PutEvents (without the bus name, which the publisher adds). */
export interface BusEvent<D extends DetailBase = DetailBase> {
  source: Source;
  detailType: DetailType;
  detail: D;
}
