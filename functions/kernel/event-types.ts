/** The bus's sources and detail types, and the one source of each detail type. */

export const SOURCES = {
  engine: 'abm.engine',
  scorer: 'abm.scorer',
  ingest: 'abm.ingest',
  sdr: 'abm.sdr',
  ads: 'abm.ads',
  directMail: 'abm.direct_mail',
  sending: 'abm.sending',
  accounts: 'abm.accounts',
} as const;
export type Source = (typeof SOURCES)[keyof typeof SOURCES];

export const DETAIL_TYPES = {
  engagementRecorded: 'engagement.recorded',
  touchSent: 'touch.sent',
  touchFailed: 'touch.failed',
  touchUncertain: 'touch.uncertain',
  scoreChanged: 'account.score_changed',
  stageChanged: 'account.stage_changed',
  sdrTaskCreated: 'sdr.task.created',
  sdrTaskCompleted: 'sdr.task.completed',
  adsAudienceChanged: 'ads.audience.changed',
  directMailRequested: 'direct_mail.requested',
  enrollmentFinished: 'enrollment.finished',
  sendingPaused: 'email.sending_paused',
  sendingResumed: 'email.sending_resumed',
  accountImported: 'account.imported',
} as const;
export type DetailType = (typeof DETAIL_TYPES)[keyof typeof DETAIL_TYPES];

/** The fields every detail about an account carries (the sending-domain events carry `domain` instead). */
export interface DetailBase {
  eventId: string;
  occurredAt: string;
  accountId: string;
}

/** Where an engagement event came from. */
export const ENGAGEMENT_ORIGINS = ['ses', 'api', 'sdr', 'intent', 'crm'] as const;

/** The one source of each detail type. */
export const SOURCE_OF = {
  [DETAIL_TYPES.engagementRecorded]: SOURCES.ingest,
  [DETAIL_TYPES.touchSent]: SOURCES.engine,
  [DETAIL_TYPES.touchFailed]: SOURCES.engine,
  [DETAIL_TYPES.touchUncertain]: SOURCES.engine,
  [DETAIL_TYPES.scoreChanged]: SOURCES.scorer,
  [DETAIL_TYPES.stageChanged]: SOURCES.scorer,
  [DETAIL_TYPES.sdrTaskCreated]: SOURCES.sdr,
  [DETAIL_TYPES.sdrTaskCompleted]: SOURCES.sdr,
  [DETAIL_TYPES.adsAudienceChanged]: SOURCES.ads,
  [DETAIL_TYPES.directMailRequested]: SOURCES.directMail,
  [DETAIL_TYPES.enrollmentFinished]: SOURCES.engine,
  [DETAIL_TYPES.sendingPaused]: SOURCES.sending,
  [DETAIL_TYPES.sendingResumed]: SOURCES.sending,
  [DETAIL_TYPES.accountImported]: SOURCES.accounts,
} as const satisfies Record<DetailType, Source>;
