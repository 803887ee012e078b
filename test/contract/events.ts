/**
 * The contract cases: events built by the real handlers (ingest, SES normaliser, scorer builders)
 * and near misses, per rule in RULES. Shared by the moto contract test.
 */
import { RecordingPublisher } from '../../functions/platform/recorders';
import { EventBridgeAudienceProvider } from '../../functions/platform/providers/audience';
import {
  AWS_SES_SOURCE,
  busEvent,
  DETAIL_TYPES,
  SES_DETAIL_TYPES,
  SOURCES,
  sdrTaskCreatedEvent,
  type BusEvent,
  type RuleName,
} from '../../functions/kernel/events';
import { ManualClock } from '../../functions/kernel/clock';
import { createIngest } from '../../functions/ingest/ingest';
import type { AccountResolver } from '../../functions/ingest/resolver';
import { createSesNormaliser } from '../../functions/ingest/ses';
import { MemoryUnresolvedStore } from '../../functions/platform/store/unresolved';

/** What PutEvents receives: source, detail-type and the detail. */
export interface WireEvent {
  id: string;
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
}

const resolver: AccountResolver = {
  resolve: async (ref) =>
    ref.accountId === 'ghost'
      ? undefined
      : { accountId: ref.accountId ?? 'northwind', contactId: 'nw-dana', role: 'economic_buyer' },
};
const clock = new ManualClock('2026-11-22T10:00:00Z');
const toWire = (e: BusEvent, id = String(e.detail.eventId)): WireEvent => ({
  id,
  source: e.source,
  detailType: e.detailType,
  detail: e.detail as unknown as Record<string, unknown>,
});

export function sesEvent(detailType: string, extra: Record<string, unknown> = {}) {
  return {
    id: `ses-${detailType}`,
    source: AWS_SES_SOURCE,
    'detail-type': detailType,
    time: '2026-11-22T10:00:00Z',
    detail: {
      eventType: detailType.replace('Email ', ''),
      mail: {
        messageId: `m-${detailType.replace(/\W/g, '')}`,
        timestamp: '2026-11-22T09:59:00Z',
        destination: ['dana@northwind.example'],
        tags: { accountId: ['northwind'], contactId: ['nw-dana'], campaignId: ['q1'], stepId: ['intro'] },
      },
      ...extra,
    },
  };
}

/** Events the handlers publish onto the engagement bus (all must reach the scorer). */
export async function handlerEngagementEvents(): Promise<WireEvent[]> {
  const publisher = new RecordingPublisher();
  const ingest = createIngest({ resolver, publisher, unresolved: new MemoryUnresolvedStore(), clock });
  const at = '2026-11-22T10:00:00Z';
  /** One API event of `type` for the account (or contact, or domain) `target`, at `at`. */
  const event = (eventId: string, type: string, target: Record<string, string>, properties?: object) => ({
    eventId,
    type,
    occurredAt: at,
    ...target,
    ...(properties ? { properties } : {}),
  });
  const northwind = { accountId: 'northwind' };
  await ingest({
    events: [
      event('api-web', 'web.visit', { domain: 'northwind.example' }, { page: '/pricing' }),
      event('api-ad', 'ad.clicked', northwind),
      event('api-intent', 'intent.surge', northwind, { topic: 'etl', strength: 80 }),
      event('api-meeting', 'meeting.booked', { contactEmail: 'dana@northwind.example' }),
      event('api-crm', 'crm.stage_changed', northwind, { stage: 'closed_won' }),
      event('api-reply', 'email.replied', northwind),
      event('api-call', 'sdr.call_logged', northwind, { outcome: 'connected' }),
    ],
  });
  const normalise = createSesNormaliser({
    resolver,
    publisher,
    unresolved: new MemoryUnresolvedStore(),
    clock,
    suppress: async () => {},
    unsubscribe: async () => {},
  });
  for (const dt of Object.keys(SES_DETAIL_TYPES)) {
    const extra: Record<string, unknown> =
      dt === 'Email Bounced'
        ? {
            bounce: {
              bounceType: 'Permanent',
              bouncedRecipients: [{ emailAddress: 'dana@northwind.example' }],
              timestamp: at,
            },
          }
        : dt === 'Email Complaint Received'
          ? {
              complaint: {
                complainedRecipients: [{ emailAddress: 'dana@northwind.example' }],
                timestamp: at,
              },
            }
          : dt === 'Email Clicked'
            ? { click: { link: 'https://example.com/roi', timestamp: at } }
            : dt === 'Email Opened'
              ? { open: { timestamp: at } }
              : dt === 'Email Subscribed'
                ? { subscription: { timestamp: at, newTopicPreferences: { unsubscribeAll: true } } }
                : {};
    await normalise(sesEvent(dt, extra));
  }
  const sdr = busEvent(DETAIL_TYPES.engagementRecorded, {
    eventId: 'sdr-outcome',
    occurredAt: at,
    accountId: 'northwind',
    type: 'sdr.call_logged',
    origin: 'sdr',
    properties: { outcome: 'meeting_booked' },
  });
  return [...publisher.events, sdr].map((e) => toWire(e));
}

/** What the sender reputation breaker publishes (functions/ingest/reputation.ts builds the same). */
export function sendingEvents(): WireEvent[] {
  const at = '2026-11-22T10:00:00.000Z';
  const window = {
    hours: 24,
    from: '2026-11-21T11:00:00.000Z',
    sends: 600,
    bounces: 31,
    complaints: 1,
    bounceRate: 31 / 600,
    complaintRate: 1 / 600,
  };
  const thresholds = { minSends: 500, maxBounceRate: 0.05, maxComplaintRate: 0.001 };
  const domains = ['example.com', 'mail.example.com', 'news.example.org', 'abm.local'];
  const paused = domains.flatMap((domain) =>
    (['bounce_rate', 'complaint_rate'] as const).map((reason) =>
      busEvent(DETAIL_TYPES.sendingPaused, {
        eventId: `sending-paused:${domain}:${reason}:${at}`,
        occurredAt: at,
        domain,
        reason,
        window,
        thresholds,
      }),
    ),
  );
  return paused.map((e) => toWire(e));
}

/** What the engine (sdr_task steps) and the scorer (hot accounts) publish for a new SDR task. */
export function sdrTaskEvents(): WireEvent[] {
  const task = {
    accountId: 'northwind',
    owner: 'sdr-ana',
    status: 'open' as const,
    priority: 1,
    dueAt: '2026-11-22T15:00:00.000Z',
    createdAt: '2026-11-22T10:00:00.000Z',
    context: { talkingPoints: ['pricing visits'], recentEngagement: [], lastTouches: [] },
  };
  return [
    sdrTaskCreatedEvent({
      ...task,
      taskId: 'q1--northwind#call#nw-dana',
      type: 'call',
      contactId: 'nw-dana',
      campaignId: 'q1',
      stepId: 'call',
      reason: 'sequence step call',
    }),
    sdrTaskCreatedEvent({ ...task, taskId: 'hot-northwind-2026-11-22', type: 'hot_account', reason: 'MQA' }),
    sdrTaskCreatedEvent({
      ...task,
      taskId: 'research-northwind-1',
      type: 'research',
      priority: 2,
      reason: 'find the economic buyer at Northwind',
    }),
    sdrTaskCreatedEvent({
      ...task,
      taskId: 'q1--northwind#email#nw-sam',
      type: 'email',
      contactId: 'nw-sam',
      campaignId: 'q1',
      stepId: 'personal-email',
      priority: 3,
      reason: 'sequence step personal-email',
    }),
    sdrTaskCreatedEvent({
      ...task,
      taskId: 'q1--northwind#linkedin#nw-kim',
      type: 'linkedin',
      contactId: 'nw-kim',
      campaignId: 'q1',
      stepId: 'connect',
      reason: 'sequence step connect',
    }),
    sdrTaskCreatedEvent({
      ...task,
      accountId: 'contoso',
      taskId: 'hot-contoso-2026-11-22',
      type: 'hot_account',
      owner: 'sdr-bo',
      reason: 'MQA',
    }),
  ].map((e) => toWire(e));
}

/** What the scorer itself publishes: never back into the scorer (no loops). */
export function scorerOutputs(): WireEvent[] {
  const base = { occurredAt: '2026-11-22T10:00:00Z', accountId: 'northwind' };
  return [
    busEvent(DETAIL_TYPES.scoreChanged, {
      ...base,
      eventId: 'out-score',
      score: 61,
      previousScore: 40,
      asOf: base.occurredAt,
      stage: 'mqa',
      engagedContacts: 3,
      engagedRoles: ['champion'],
      eventsApplied: 1,
    }),
    busEvent(DETAIL_TYPES.stageChanged, {
      ...base,
      eventId: 'out-stage',
      from: 'engaged',
      to: 'mqa',
      score: 61,
      reason: 'x',
    }),
    busEvent(DETAIL_TYPES.sdrTaskCreated, {
      ...base,
      eventId: 'out-task',
      taskId: 't',
      owner: 'sdr-ana',
      type: 'hot_account',
      status: 'open',
      priority: 1,
      dueAt: base.occurredAt,
      reason: 'x',
      context: {},
      createdAt: base.occurredAt,
    }),
    busEvent(DETAIL_TYPES.enrollmentFinished, {
      ...base,
      eventId: 'out-exit',
      campaignId: 'q1',
      executionName: 'q1--northwind',
      status: 'exited',
      reason: 'x',
    }),
  ].map((e) => toWire(e));
}

/** What the default audience provider publishes: a step's change and an erasure. */
async function adsEvents(): Promise<WireEvent[]> {
  const publisher = new RecordingPublisher();
  const provider = new EventBridgeAudienceProvider(publisher);
  const at = '2026-11-23T09:00:00.000Z';
  await provider.apply({
    changeId: 'ads-step',
    audienceId: 'tier1-committee',
    accountId: 'northwind',
    campaignId: 'q1',
    stepId: 'ads',
    add: ['h'],
    remove: [],
    target: 'both',
    addContactIds: ['northwind-eb'],
    company: 'add',
    occurredAt: at,
    reason: 'sequence step ads',
  });
  // The other shapes the engine and the sync publish: contacts only, companies only, a remove step,
  // an exit's removal, and changes of other accounts and audiences.
  await provider.apply({
    changeId: 'ads-contacts',
    audienceId: 'tier2-buyers',
    accountId: 'contoso',
    campaignId: 'q2',
    stepId: 'ads-1',
    add: ['h1', 'h2'],
    remove: [],
    target: 'contacts',
    addContactIds: ['contoso-eb', 'contoso-ch'],
    occurredAt: at,
    reason: 'sequence step ads-1',
  });
  await provider.apply({
    changeId: 'ads-companies',
    audienceId: 'tier1-accounts',
    accountId: 'fabrikam',
    campaignId: 'q1',
    stepId: 'ads-co',
    add: [],
    remove: [],
    target: 'companies',
    company: 'add',
    occurredAt: at,
    reason: 'sequence step ads-co',
  });
  await provider.apply({
    changeId: 'ads-remove-step',
    audienceId: 'tier1-committee',
    accountId: 'northwind',
    campaignId: 'q1',
    stepId: 'ads-off',
    add: [],
    remove: ['h'],
    target: 'both',
    removeContactIds: ['northwind-eb'],
    company: 'remove',
    occurredAt: at,
    reason: 'sequence step ads-off',
  });
  await provider.apply({
    changeId: 'ads-exit',
    audienceId: 'tier2-buyers',
    accountId: 'contoso',
    campaignId: 'q2',
    add: [],
    remove: ['h1', 'h2'],
    target: 'contacts',
    removeContactIds: ['contoso-eb', 'contoso-ch'],
    occurredAt: at,
    reason: 'exit: stage opportunity',
  });
  await provider.apply({
    changeId: 'ads-tier3',
    audienceId: 'tier3-awareness',
    accountId: 'adatum',
    campaignId: 'q3',
    stepId: 'ads',
    add: ['h3'],
    remove: [],
    target: 'contacts',
    addContactIds: ['adatum-ch'],
    occurredAt: at,
    reason: 'sequence step ads',
  });
  await provider.apply({
    changeId: 'ads-erase',
    accountId: 'northwind',
    contactId: 'northwind-eb',
    add: [],
    remove: ['h'],
    removeContactIds: ['northwind-eb'],
    occurredAt: at,
    reason: 'erasure',
  });
  return publisher.events.map((e) => toWire(e));
}

/** Intent surges and CRM stage changes, built by the real ingestion (the program triggers' engagement). */
export async function programEngagementEvents(): Promise<WireEvent[]> {
  const publisher = new RecordingPublisher();
  const ingest = createIngest({ resolver, publisher, unresolved: new MemoryUnresolvedStore(), clock });
  const at = '2026-11-22T10:00:00Z';
  const e = (eventId: string, type: string, properties: object) => ({
    eventId,
    type,
    occurredAt: at,
    accountId: 'northwind',
    properties,
  });
  await ingest({
    events: [
      e('pg-surge-80', 'intent.surge', { topic: 'freight audit', strength: 80 }),
      e('pg-surge-0', 'intent.surge', { topic: 'etl', strength: 0 }),
      e('pg-surge-100', 'intent.surge', { topic: 'Freight Audit', strength: 100 }),
      e('pg-crm-opp', 'crm.stage_changed', { stage: 'opportunity' }),
      e('pg-crm-won', 'crm.stage_changed', { stage: 'customer', opportunityId: 'o-1' }),
      e('pg-crm-lost', 'crm.stage_changed', { stage: 'disqualified' }),
      e('pg-surge-extra', 'intent.surge', { topic: 'tms', strength: 55, source: 'bombora' }),
    ],
  });
  return publisher.events.map((x) => toWire(x));
}

/** Stage changes, score changes and imports: what the program triggers hear of accounts. */
export function programAccountEvents(): WireEvent[] {
  const base = { occurredAt: '2026-11-22T10:00:00Z', accountId: 'northwind' };
  const score = (eventId: string, previousScore: number, value: number, stage: 'engaged' | 'mqa') =>
    busEvent(DETAIL_TYPES.scoreChanged, {
      ...base,
      eventId,
      score: value,
      previousScore,
      asOf: base.occurredAt,
      stage,
      engagedContacts: 2,
      engagedRoles: ['champion'],
      eventsApplied: 1,
    });
  const stage = (eventId: string, from: 'target' | 'engaged' | 'mqa', to: 'engaged' | 'mqa' | 'target') =>
    busEvent(DETAIL_TYPES.stageChanged, { ...base, eventId, from, to, score: 50, reason: 'x' });
  const imported = (eventId: string, tier: number, created: boolean, cluster?: string | null) =>
    busEvent(DETAIL_TYPES.accountImported, { ...base, eventId, tier, created, cluster });
  return [
    score('pa-score-up', 30, 45, 'engaged'),
    score('pa-score-down', 70, 55, 'engaged'),
    stage('pa-stage-mqa', 'engaged', 'mqa'),
    stage('pa-stage-back', 'mqa', 'engaged'),
    imported('pa-import-new', 1, true, 'retail'),
    imported('pa-import-update', 3, false, null),
    imported('pa-import-plain', 2, true),
  ].map((x) => toWire(x));
}

const isProgramEngagement = (x: WireEvent) =>
  x.detailType === DETAIL_TYPES.engagementRecorded &&
  (x.detail.type === 'intent.surge' || x.detail.type === 'crm.stage_changed');
const isAccountChange = (x: WireEvent) =>
  x.detailType === DETAIL_TYPES.scoreChanged || x.detailType === DETAIL_TYPES.stageChanged;
/** A variant of a case under its own event id (the contract tells deliveries apart by it). */
const renamed = (
  e: WireEvent,
  id: string,
  patch: Partial<WireEvent>,
  detail: Record<string, unknown> = {},
): WireEvent => ({ ...e, ...patch, id, detail: { ...e.detail, ...detail, eventId: id } });

export interface ContractCases {
  /** Which bus the rule lives on in the real deployment. */
  bus: 'engagement' | 'default';
  matches: WireEvent[];
  nearMisses: WireEvent[];
}

/**
 * @param sesConfigurationSet the name of the stack's SES configuration set: SES events carry it in
 *   `mail.tags["ses:configuration-set"]`, and the SES rule keeps only those.
 */
export async function contractCases(sesConfigurationSet: string): Promise<Record<RuleName, ContractCases>> {
  const engagement = await handlerEngagementEvents();
  const sending = sendingEvents();
  const ads = await adsEvents();
  const programEngagement = await programEngagementEvents();
  const programAccounts = programAccountEvents();
  // Engagement of a type no program trigger names (the type's case matters): still engagement.
  const intentCaseVariant = renamed(programEngagement[0]!, 'nm-pg-case', {}, { type: 'Intent.Surge' });
  const tasks = sdrTaskEvents();
  const sample = engagement[0]!;
  const variant = (id: string, patch: Partial<WireEvent>): WireEvent => ({
    ...sample,
    ...patch,
    id,
    detail: { ...sample.detail, eventId: id },
  });
  const ses = (
    dt: string,
    id: string,
    patch: Partial<WireEvent> = {},
    set = sesConfigurationSet,
  ): WireEvent => {
    const e = sesEvent(dt);
    const mail = { ...e.detail.mail, tags: { ...e.detail.mail.tags, 'ses:configuration-set': [set] } };
    return {
      id,
      source: e.source,
      detailType: e['detail-type'],
      detail: { ...e.detail, mail, probe: id },
      ...patch,
    };
  };
  return {
    scorerIngest: {
      bus: 'engagement',
      // The program trigger cases are engagement too: the scorer takes them as well.
      matches: [...engagement, ...programEngagement, intentCaseVariant],
      nearMisses: [
        ...scorerOutputs(),
        variant('nm-scorer-source', { source: SOURCES.scorer }),
        variant('nm-engine-source', { source: SOURCES.engine }),
        variant('nm-case', { detailType: 'Engagement.Recorded' }),
        variant('nm-space', { detailType: `${DETAIL_TYPES.engagementRecorded} ` }),
        variant('nm-prefix', { detailType: 'engagement.recorded.v2' }),
        variant('nm-source-prefix', { source: 'abm.ingest.test' }),
        variant('nm-touch', { detailType: DETAIL_TYPES.touchSent, source: SOURCES.engine }),
      ],
    },
    sesEngagement: {
      bus: 'default',
      matches: Object.keys(SES_DETAIL_TYPES).map((dt) => ses(dt, `ses-ok-${dt.replace(/\W/g, '')}`)),
      nearMisses: [
        ses('Sending Status Disabled', 'ses-nm-status'),
        ses('Sending Status Enabled', 'ses-nm-status-enabled'),
        ses('Advisor Recommendation Status Open', 'ses-nm-advisor'),
        ses('email bounced', 'ses-nm-case'),
        ses('Email Bounced', 'ses-nm-source', { source: 'aws.sesv2' }),
        ses('Email Bounced', 'ses-nm-abm', { source: SOURCES.ingest }),
        // Another stage's (or application's) configuration set publishes to the same default bus.
        ses('Email Bounced', 'ses-nm-other-set', {}, `${sesConfigurationSet}-other`),
        ses('Email Opened', 'ses-nm-other-set-open', {}, 'Abm-prod-mail'),
      ],
    },
    adsAudienceChanged: {
      bus: 'engagement',
      matches: ads,
      nearMisses: [
        {
          ...ads[0]!,
          id: 'nm-ads-source',
          source: SOURCES.engine,
          detail: { ...ads[0]!.detail, eventId: 'nm-ads-source' },
        },
        {
          ...ads[0]!,
          id: 'nm-ads-mail',
          detailType: DETAIL_TYPES.directMailRequested,
          detail: { ...ads[0]!.detail, eventId: 'nm-ads-mail' },
        },
        ...scorerOutputs(),
      ],
    },
    programEngagement: {
      bus: 'engagement',
      // Its own cases, and the intent surge and CRM stage the ingestion cases of scorerIngest publish.
      matches: [...programEngagement, ...engagement.filter(isProgramEngagement)],
      nearMisses: [
        // Every other engagement type the ingestion publishes.
        ...engagement.filter(
          (x) => x.detailType === DETAIL_TYPES.engagementRecorded && !isProgramEngagement(x),
        ),
        renamed(programEngagement[0]!, 'nm-pg-source', { source: SOURCES.scorer }),
        intentCaseVariant,
        ...scorerOutputs(),
      ],
    },
    programAccountChanges: {
      bus: 'engagement',
      // Its own cases, and the scorer's score and stage changes other rules' cases put on the bus.
      matches: [...programAccounts, ...scorerOutputs().filter(isAccountChange)],
      nearMisses: [
        ...scorerOutputs().filter((x) => !isAccountChange(x)),
        ...programEngagement.slice(0, 2),
        renamed(programAccounts[0]!, 'nm-pa-source', { source: SOURCES.ingest }),
        renamed(programAccounts[4]!, 'nm-pa-import-source', { source: SOURCES.engine }),
        renamed(programAccounts[2]!, 'nm-pa-case', { detailType: 'Account.Stage_Changed' }),
      ],
    },
    crmTaskCreated: {
      bus: 'engagement',
      // Its own cases, and the scorer's hot-account task other rules' cases put on the bus.
      matches: [...tasks, ...scorerOutputs().filter((x) => x.detailType === DETAIL_TYPES.sdrTaskCreated)],
      nearMisses: [
        renamed(tasks[0]!, 'nm-task-completed', { detailType: DETAIL_TYPES.sdrTaskCompleted }),
        renamed(tasks[0]!, 'nm-task-source', { source: SOURCES.scorer }),
        renamed(tasks[0]!, 'nm-task-case', { detailType: 'SDR.Task.Created' }),
        ...scorerOutputs().filter((x) => x.detailType !== DETAIL_TYPES.sdrTaskCreated),
      ],
    },
    sendingPaused: {
      bus: 'engagement',
      matches: sending,
      nearMisses: [
        {
          ...sending[0]!,
          id: 'nm-resumed',
          detailType: DETAIL_TYPES.sendingResumed,
          detail: { ...sending[0]!.detail, eventId: 'nm-resumed' },
        },
        {
          ...sending[0]!,
          id: 'nm-sending-source',
          source: SOURCES.ingest,
          detail: { ...sending[0]!.detail, eventId: 'nm-sending-source' },
        },
        {
          ...sending[0]!,
          id: 'nm-sending-case',
          detailType: 'Email.Sending_Paused',
          detail: { ...sending[0]!.detail, eventId: 'nm-sending-case' },
        },
      ],
    },
  };
}
