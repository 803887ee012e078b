/**
 * Request and response schemas of the HTTP API (docs/architecture.md "HTTP API"). The route table
 * (functions/api/routes.ts) validates every request against these and the OpenAPI document is
 * generated from the same objects, so the contract and the code cannot drift.
 * Pure TypeScript: no AWS imports.
 */
import * as z from 'zod';
import {
  AccountInput,
  CampaignStatus,
  Channel,
  ContactInput,
  EnrollmentStatus,
  EngagementEventInput,
  EngagementType,
  FitResult,
  Id,
  IsoTimestamp,
  Role,
  SdrOutcome,
  SdrTaskStatus,
  Stage,
  Tier,
  TouchStatus,
} from '../kernel/model';
import { ErrorBody, ErrorDetail } from '../kernel/errors';
import { LaunchForecast } from '../launch';
import { Program, ProgramInput } from '../kernel/model';
import { CampaignReport as CampaignReportSchema } from '../reports';
import { SendingDomain, SendingDomainView } from '../kernel/reputation';

import { Paging, QueryTier } from './schema-common';

export { listView, Ok, Paging } from './schema-common';
export * from './catalog-schemas';

// ---------------------------------------------------------------------------
// Accounts and import
// ---------------------------------------------------------------------------

/** An import row: like AccountInput, but the account id may be left out to upsert by domain. */
export const ImportAccount = AccountInput.extend({ accountId: Id.optional() }).meta({ id: 'ImportAccount' });
export type ImportAccount = z.infer<typeof ImportAccount>;

/** Rows are validated one by one (good rows land), so the envelope only checks the array. */
export const ImportJsonBody = z.object({ accounts: z.array(z.unknown()).min(1).max(20_000) });
export const ImportJsonBodyDoc = z.object({ accounts: z.array(ImportAccount).min(1).max(20_000) }).meta({
  id: 'ImportRequest',
  description:
    'JSON import. Alternatively send text/csv: one row per contact, account columns repeated (accountId,name,domain,industry,employees,annualRevenueUsd,region,tier,cluster,ownerSdr,contactId,contactName,email,title,role,timeZone,phone; optional techStack separated by ";"). Row numbers are 1-based array indexes for JSON and file line numbers (header = line 1) for CSV. A bad row is listed in rejected and the others land; a row without accountId joins the account with its domain (docs/api.md "Import rows").',
});

export const ImportRejection = z.object({
  row: z.number().int().positive(),
  accountId: z.string().optional(),
  errors: z.array(ErrorDetail),
});
export const ImportResult = z
  .object({
    imported: z.number().int().nonnegative(),
    updated: z.number().int().nonnegative(),
    contacts: z.number().int().nonnegative(),
    rejected: z.array(ImportRejection),
  })
  .meta({ id: 'ImportResult' });
export type ImportResult = z.infer<typeof ImportResult>;

export const AccountIdParams = z.object({ accountId: Id });
export const ContactParams = z.object({ accountId: Id, contactId: Id });
export const ContactIdParams = z.object({ contactId: Id });

export const AccountListQuery = Paging.extend({
  tier: QueryTier.optional(),
  stage: Stage.optional(),
  cluster: z.string().min(1).max(100).optional(),
  /** The account's SDR (`ownerSdr`). */
  owner: Id.optional(),
  /** Part of the name or the domain, any case. */
  q: z.string().trim().min(1).max(100).optional(),
  /** The score decayed to now, at least / at most (an account never scored counts as 0). */
  minScore: z.coerce.number().min(0).max(1_000_000).optional(),
  maxScore: z.coerce.number().min(0).max(1_000_000).optional(),
  /** score: highest first; fit: best first; name: A to Z. Without: tier, then account id. */
  sort: z.enum(['score', 'fit', 'name']).optional(),
});
export type AccountListQuery = z.output<typeof AccountListQuery>;

export const ContactView = ContactInput.extend({
  accountId: Id,
  unsubscribedAt: IsoTimestamp.optional(),
  updatedAt: IsoTimestamp.optional(),
}).meta({ id: 'Contact' });

export const AccountSummary = z
  .object({
    accountId: Id,
    name: z.string(),
    domain: z.string(),
    tier: Tier,
    stage: Stage,
    cluster: z.string().nullable().optional(),
    ownerSdr: z.string().optional(),
    suppressed: z.boolean(),
    fit: FitResult.optional(),
  })
  .meta({ id: 'AccountSummary' });

/** A row of GET /accounts: the summary with the score's trend and the committee's coverage. */
export const AccountRow = AccountSummary.extend({
  /** The score decayed to now and to 7 days ago (null: never scored), and now minus then. */
  score: z.object({
    now: z.number().nullable(),
    weekAgo: z.number().nullable(),
    change: z.number().nullable(),
  }),
  coverage: z.object({
    /** Roles with at least one contact. */
    mapped: z.array(Role),
    /** Roles with a contact a touch was sent to (among the account's latest 50 touches). */
    reached: z.array(Role),
    /** Roles with an engaged contact (the scorer's last evaluation). */
    engaged: z.array(Role),
    /** The roles this tier needs (`config.coverage.requiredRoles`) and those with no contact. */
    required: z.array(Role),
    missing: z.array(Role),
  }),
}).meta({ id: 'AccountRow' });

export const AccountList = z
  .object({ items: z.array(AccountRow), cursor: z.string().nullable() })
  .meta({ id: 'AccountList' });
export type AccountList = z.infer<typeof AccountList>;

const Progress = z.object({ value: z.number(), threshold: z.number(), met: z.boolean() });

/** Why (not) MQA: each MQA threshold against the account's engagement now (functions/scoring/domain/readout.ts). */
export const MqaProgress = z
  .object({
    asOf: z.string(),
    met: z.boolean(),
    score: Progress,
    engagedContacts: Progress,
    engagedRoles: Progress.extend({ roles: z.array(Role) }),
    keptAtScore: z.number(),
    engagingTypes: z.array(EngagementType),
    engagedWindow: z.string(),
  })
  .meta({ id: 'MqaProgress' });

export const AccountView = AccountSummary.extend({
  industry: z.string().optional(),
  employees: z.number().optional(),
  annualRevenueUsd: z.number().optional(),
  region: z.string().optional(),
  techStack: z.array(z.string()),
  /** The score decayed to `asOf` (now); null before any engagement. */
  score: z
    .object({
      value: z.number(),
      asOf: z.string(),
      contributors: z.array(z.record(z.string(), z.unknown())).default([]),
    })
    .nullable(),
  mqaProgress: MqaProgress,
  /**
   * The score over time: one point per scorer fold (the score then, undecayed), oldest first, at
   * most 60; with the MQA score threshold to draw beside it.
   */
  scoreHistory: z.object({
    points: z.array(z.object({ at: z.string(), value: z.number() })),
    mqaThreshold: z.number(),
  }),
  /** The committee against the roles this tier needs (`config.coverage.requiredRoles`). */
  coverage: z
    .object({
      required: z.array(Role),
      byRole: z.record(Role, z.number().int().nonnegative()),
      missing: z.array(Role),
    })
    .meta({ id: 'Coverage' }),
  contacts: z.array(ContactView),
  enrollments: z.array(
    z.object({
      campaignId: z.string(),
      sequenceId: z.string(),
      status: EnrollmentStatus,
      stepId: z.string().optional(),
    }),
  ),
  touches: z.array(
    z.object({
      stepId: z.string(),
      channel: Channel,
      contactId: z.string(),
      status: TouchStatus,
      reason: z.string().optional(),
      at: z.string(),
    }),
  ),
  createdAt: z.string(),
  updatedAt: z.string(),
}).meta({ id: 'Account' });
export type AccountView = z.infer<typeof AccountView>;

export const TimelineQuery = Paging;
export const TimelineEntry = z
  .object({
    /** When it happened (UTC). */
    at: z.string(),
    kind: z.enum(['touch', 'engagement', 'stage_change', 'task_created', 'task_completed']),
    /** One line for a person. */
    summary: z.string(),
    channel: Channel.optional(),
    status: z.string().optional(),
    reason: z.string().optional(),
    campaignId: z.string().optional(),
    stepId: z.string().optional(),
    contactId: z.string().optional(),
    role: Role.optional(),
    /** An engagement's type and weight (undecayed). */
    type: EngagementType.optional(),
    weight: z.number().optional(),
    stage: Stage.optional(),
    taskId: z.string().optional(),
    outcome: SdrOutcome.optional(),
    notes: z.string().optional(),
  })
  .meta({ id: 'TimelineEntry' });
export const NextStep = z
  .object({
    campaignId: Id,
    sequenceId: Id,
    enrollmentStatus: EnrollmentStatus,
    /** The step the execution is at. */
    stepId: z.string().nullable(),
    /** When it runs, when known (a step deferred to a time; a wait between steps is the state machine's): UTC. */
    at: z.string().nullable(),
    /** An await: what it waits for and since when. */
    waitingFor: z.object({ stepId: z.string(), since: z.string() }).optional(),
    /** Whom it reaches, with `at` in each one's own zone. */
    contacts: z.array(
      z.object({
        contactId: z.string(),
        name: z.string(),
        timeZone: z.string(),
        localTime: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'NextStep' });
export const Timeline = z
  .object({
    accountId: Id,
    items: z.array(TimelineEntry),
    cursor: z.string().nullable(),
    /** The next scheduled step of each active enrollment (first page only; [] on later pages). */
    next: z.array(NextStep),
  })
  .meta({ id: 'Timeline' });
export type Timeline = z.infer<typeof Timeline>;

export const ContactPutBody = ContactInput.omit({ contactId: true })
  .extend({ contactId: Id.optional() })
  .strict()
  .meta({ id: 'ContactPut' });

export const ContactErased = z
  .object({ contactId: Id, erased: z.number().int().nonnegative(), accounts: z.array(Id) })
  .meta({ id: 'ContactErased' });

/** Converted by functions/api/pinpoint-import.ts (with field paths), so the route accepts any object here. */
export const PinpointImportBody = z.record(z.string(), z.unknown());
/**
 * The journey in the API document: its outline, with AWS's Journey resource named for the rest
 * rather than repeated (the whole schema is the converter's, functions/api/pinpoint-journey.ts,
 * which only the import's own function bundles: the router that serves this document stays
 * within its bundle budget).
 */
const JourneyOutline = z
  .looseObject({
    Name: z.string(),
    StartActivity: z.string(),
    Activities: z.record(z.string(), z.looseObject({})),
  })
  .meta({
    description:
      'Every field as the Pinpoint API reference documents it: https://docs.aws.amazon.com/pinpoint/latest/apireference/apps-application-id-journeys-journey-id.html',
  });
export const PinpointImportBodyDoc = z
  .union([z.object({ JourneyResponse: JourneyOutline }), JourneyOutline])
  .meta({
    id: 'PinpointJourney',
    description:
      'An Amazon Pinpoint journey as `aws pinpoint get-journey` prints it (with its `JourneyResponse` wrapper) or the bare JourneyResponse object (docs/api.md "Importing a Pinpoint journey").',
  });
export const PinpointImportResult = z
  .object({
    sequence: z.record(z.string(), z.unknown()),
    unconverted: z.array(z.object({ path: z.string(), reason: z.string() })),
  })
  .meta({
    id: 'PinpointImport',
    description:
      'The converted sequence (not saved: PUT /sequences/{id} saves it) and what was not converted, each with its path in the journey.',
  });

// ---------------------------------------------------------------------------
// Campaigns
// ---------------------------------------------------------------------------

export { LaunchBody, LaunchForecast, LaunchResult, SKIP_REASONS, SkipReason } from '../launch';

/** A launch's 409: a conflict, or `over_budget` with the forecast that exceeded `config.launch.maxUsd`. */
export const LaunchConflict = ErrorBody.extend({ forecast: LaunchForecast.optional() }).meta({
  id: 'LaunchConflict',
});

export const CampaignIdParams = z.object({ campaignId: Id });
export const CampaignListQuery = Paging.extend({
  status: CampaignStatus.optional(),
  sequenceId: Id.optional(),
});
export const EnrollmentParams = z.object({ campaignId: Id, accountId: Id });
export const ControlResult = z
  .object({
    campaignId: Id,
    action: z.enum(['pause', 'resume', 'stop']),
    status: CampaignStatus.optional(),
    changed: z.number().int().nonnegative(),
    unchanged: z.number().int().nonnegative(),
    enrollments: z.array(z.object({ accountId: Id, status: EnrollmentStatus })).optional(),
  })
  .meta({ id: 'ControlResult' });

// ---------------------------------------------------------------------------
// SDR tasks
// ---------------------------------------------------------------------------

export const TaskListQuery = Paging.extend({
  /** Without an owner: every owner's tasks, by due time. */
  owner: z.string().min(1).max(128).optional(),
  /** `done` is `completed`. */
  status: z
    .enum([...SdrTaskStatus.options, 'done'])
    .default('open')
    .transform((s) => (s === 'done' ? 'completed' : s) as z.infer<typeof SdrTaskStatus>),
  /** Only the tasks due before now. */
  overdue: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true'),
});
export const TaskView = z
  .object({
    taskId: z.string(),
    accountId: Id,
    contactId: z.string().optional(),
    owner: z.string(),
    type: z.string(),
    status: SdrTaskStatus,
    priority: z.number().int(),
    dueAt: z.string(),
    reason: z.string(),
    context: z.record(z.string(), z.unknown()),
    outcome: SdrOutcome.optional(),
    notes: z.string().optional(),
    completedAt: z.string().optional(),
    /** Open and due before now (the queue's time). */
    overdue: z.boolean().optional(),
    /** The account's name (a link: `GET /accounts/{accountId}`). */
    accountName: z.string().optional(),
    /** Who to call: the task's contact, with the time it is where they are now. */
    call: z
      .object({
        name: z.string(),
        role: Role,
        phone: z.string().optional(),
        timeZone: z.string(),
        /** Now in the contact's zone, `YYYY-MM-DD HH:mm` (the zone's own offset). */
        localTime: z.string(),
      })
      .optional(),
  })
  .meta({ id: 'SdrTask' });
export const TaskList = z
  .object({ items: z.array(TaskView), cursor: z.string().nullable() })
  .meta({ id: 'SdrTaskList' });
export const TaskIdParams = z.object({ taskId: z.string().min(1).max(256) });
export const TaskCompleteBody = z
  .object({ outcome: SdrOutcome, notes: z.string().max(4000).optional() })
  .strict()
  .meta({ id: 'TaskComplete' });

// ---------------------------------------------------------------------------
// Events, unsubscribe, reports
// ---------------------------------------------------------------------------

export const EventsBody = z.object({ events: z.array(z.unknown()).min(1).max(500) });
export const EventsBodyDoc = z
  .object({ events: z.array(EngagementEventInput).min(1).max(500) })
  .meta({ id: 'EventsRequest' });
export const EventsResult = z
  .object({
    accepted: z.number().int().nonnegative(),
    rejected: z.array(z.object({ index: z.number().int(), errors: z.array(ErrorDetail) }).passthrough()),
    /** Valid events whose account could not be resolved: kept for replay, not scored. */
    unresolved: z
      .array(z.object({ index: z.number().int(), eventId: z.string(), reason: z.string() }))
      .optional(),
  })
  .meta({ id: 'EventsResult' });

export const UnsubscribeQuery = z.object({ t: z.string().min(10).max(2048) });
export const UnsubscribeResult = z
  .object({ unsubscribed: z.literal(true), accountId: Id, contactId: z.string() })
  .meta({ id: 'UnsubscribeResult' });
export const UnsubscribeStatus = z
  .object({
    accountId: Id,
    contactId: z.string(),
    /** True when the contact is unsubscribed already. */
    unsubscribed: z.boolean(),
    /** Until when the link works. */
    expiresAt: IsoTimestamp,
  })
  .meta({ id: 'UnsubscribeStatus' });

export { CampaignList, CampaignReport, CampaignView } from '../reports';

/** A sending domain in a path (`/sending-domains/{domain}`), e.g. example.com. */
export const SendingDomainParams = z.object({ domain: SendingDomain });
export const SendingDomainStatus = SendingDomainView.meta({ id: 'SendingDomain' });

export const Health = z
  .object({
    status: z.literal('ok'),
    version: z.string(),
    /** The server's clock: simulated time in local mode (ABM_TIME_SCALE), wall-clock time on AWS. */
    time: z.iso.datetime({ offset: true }),
  })
  .meta({ id: 'Health' });

export { Role };

// ---------------------------------------------------------------------------
// Programs (always-on, trigger-driven enrollment)
// ---------------------------------------------------------------------------

/** A program id: the id of its campaign is `program-<id>`, an id too, so 8 characters shorter. */
export const ProgramIdParams = z.object({
  programId: Id.refine((id) => id.length <= 56, {
    message: 'at most 56 characters (its campaign is program-<id>)',
  }),
});
export const ProgramPutBody = ProgramInput.meta({ id: 'ProgramPut' });
export const ProgramView = Program.meta({ id: 'Program' });
export const ProgramList = z.object({ items: z.array(ProgramView) }).meta({ id: 'ProgramList' });
export const ProgramReport = z
  .object({ program: ProgramView, report: CampaignReportSchema })
  .meta({ id: 'ProgramReport' });
