/**
 * The domain model. These zod schemas are the one source of the domain's types
 * (DESIGN 2.2 to 2.4 and 2.6.1): every type below is inferred from a schema.
 * Pure TypeScript: no AWS imports, no I/O.
 */
import * as z from 'zod';
import { parseDuration } from './duration';

// ---------------------------------------------------------------------------
// Enumerations
// ---------------------------------------------------------------------------

export const ROLES = [
  'economic_buyer',
  'technical_evaluator',
  'champion',
  'end_user',
  'blocker',
  'influencer',
] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

export const STAGES = ['target', 'engaged', 'mqa', 'opportunity', 'customer', 'disqualified'] as const;
export const Stage = z.enum(STAGES);
export type Stage = z.infer<typeof Stage>;

export const Tier = z.union([z.literal(1), z.literal(2), z.literal(3)], {
  error: 'tier is 1 (1:1 strategic), 2 (1:few clusters) or 3 (1:many programmatic)',
});
export type Tier = z.infer<typeof Tier>;

export const CHANNELS = ['email', 'ads', 'sdr_task', 'direct_mail'] as const;
export const Channel = z.enum(CHANNELS);
export type Channel = z.infer<typeof Channel>;

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export const Weekday = z.enum(WEEKDAYS);
export type Weekday = z.infer<typeof Weekday>;

export const ENGAGEMENT_TYPES = [
  'email.sent',
  'email.delivered',
  'email.opened',
  'email.clicked',
  'email.replied',
  'email.bounced',
  'email.complained',
  'email.rejected',
  'web.visit',
  'ad.clicked',
  'intent.surge',
  'meeting.booked',
  'sdr.call_logged',
  'direct_mail.delivered',
  'crm.stage_changed',
] as const;
export const EngagementType = z.enum(ENGAGEMENT_TYPES);
export type EngagementType = z.infer<typeof EngagementType>;

export const SDR_OUTCOMES = [
  'connected',
  'voicemail',
  'no_answer',
  'meeting_booked',
  'not_interested',
  'bad_number',
] as const;
export const SdrOutcome = z.enum(SDR_OUTCOMES);
export type SdrOutcome = z.infer<typeof SdrOutcome>;

// ---------------------------------------------------------------------------
// Primitives
// ---------------------------------------------------------------------------

/** Identifiers travel in URLs, DynamoDB keys and Step Functions execution names. */
export const Id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'use letters, digits, ".", "_" or "-" (max 64)');

export const IsoTimestamp = z.iso.datetime({ offset: true });

/** An ISO 8601 duration such as P3D, PT4H or P1W, never negative. */
export const IsoDuration = z.string().superRefine((value, ctx) => {
  const parsed = parseDuration(value);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.error });
});

/** An IANA time zone the runtime knows (Intl, so no date library is needed to validate one). */
export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return tz.length > 0;
  } catch {
    return false;
  }
}

export const TimeZone = z
  .string()
  .refine(isValidTimeZone, { message: 'not an IANA time zone (e.g. Europe/Berlin)' });

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use HH:MM (24-hour)');

export const Email = z.string().trim().toLowerCase().pipe(z.email());

// ---------------------------------------------------------------------------
// Accounts and contacts
// ---------------------------------------------------------------------------

export const Consent = z.object({
  email: z.boolean().default(false),
  ads: z.boolean().default(false),
  directMail: z.boolean().default(false),
});
export type Consent = z.infer<typeof Consent>;

export const PostalAddress = z.object({
  line1: z.string().min(1),
  line2: z.string().optional(),
  city: z.string().min(1),
  region: z.string().optional(),
  postalCode: z.string().min(1),
  country: z.string().length(2, 'ISO 3166-1 alpha-2 country code'),
});
export type PostalAddress = z.infer<typeof PostalAddress>;

export const ContactInput = z.object({
  contactId: Id,
  name: z.string().min(1).max(200),
  email: Email.optional(),
  title: z.string().max(200).optional(),
  role: Role,
  timeZone: TimeZone.default('UTC'),
  phone: z
    .string()
    .regex(/^\+[1-9]\d{6,14}$/, 'E.164 phone number, e.g. +13125550100')
    .optional(),
  consent: Consent.default({ email: false, ads: false, directMail: false }),
  postalAddress: PostalAddress.optional(),
});
export type ContactInput = z.input<typeof ContactInput>;

export const Contact = ContactInput.extend({
  accountId: Id,
  /** Set when the person unsubscribed (one-click or otherwise): no more email, ever. */
  unsubscribedAt: IsoTimestamp.optional(),
  updatedAt: IsoTimestamp.optional(),
});
export type Contact = z.infer<typeof Contact>;

export const FitResult = z.object({
  score: z.number().min(0).max(100),
  suggestedTier: Tier,
  fits: z.array(z.string()),
  misses: z.array(z.string()),
  /** One line, e.g. "fits: logistics, 5,000+ employees; misses: no data warehouse". */
  summary: z.string(),
});
export type FitResult = z.infer<typeof FitResult>;

export const AccountInput = z.object({
  accountId: Id,
  name: z.string().min(1).max(200),
  domain: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/, 'a domain name such as northwind.example'),
  industry: z.string().trim().toLowerCase().min(1).optional(),
  employees: z.number().int().nonnegative().optional(),
  annualRevenueUsd: z.number().nonnegative().optional(),
  region: z.string().min(1).optional(),
  techStack: z.array(z.string().trim().toLowerCase().min(1)).default([]),
  tier: Tier.optional(),
  cluster: z.string().min(1).nullable().optional(),
  ownerSdr: Id.optional(),
  /** Direct-mail spend allowed for this account across all sequences, in cents. */
  directMailBudgetCents: z.number().int().nonnegative().optional(),
  contacts: z.array(ContactInput).default([]),
});
export type AccountInput = z.input<typeof AccountInput>;

export const Account = AccountInput.omit({ contacts: true }).extend({
  tier: Tier,
  stage: Stage.default('target'),
  fit: FitResult.optional(),
  /** No sequence may touch a suppressed account. */
  suppressed: z.boolean().default(false),
  directMailSpentCents: z.number().int().nonnegative().default(0),
  createdAt: IsoTimestamp,
  updatedAt: IsoTimestamp,
  /** Optimistic-concurrency version, incremented by every write. */
  version: z.number().int().nonnegative().default(0),
});
export type Account = z.infer<typeof Account>;

// ---------------------------------------------------------------------------
// Sequences (DESIGN 2.2)
// ---------------------------------------------------------------------------

/** A condition on the account at the time it is evaluated. All given parts must hold. */
export const Condition = z
  .object({
    minScore: z.number().optional(),
    maxScore: z.number().optional(),
    stages: z.array(Stage).min(1).optional(),
    notStages: z.array(Stage).min(1).optional(),
    minEngagedContacts: z.number().int().positive().optional(),
    minEngagedRoles: z.number().int().positive().optional(),
    /** An engagement event of one of these types arrived since the step started. */
    events: z.array(EngagementType).min(1).optional(),
  })
  .strict();
export type Condition = z.infer<typeof Condition>;

/** Which committee members a touch reaches: a list of roles, or everyone. */
export type Audience = 'all' | Role[];
export const Audience = z
  .union([z.literal('all'), z.array(z.string()).min(1)])
  .superRefine((value, ctx) => {
    if (value === 'all') return;
    value.forEach((role, i) => {
      if (!(ROLES as readonly string[]).includes(role)) {
        ctx.addIssue({
          code: 'custom',
          path: [i],
          message: `unknown role "${role}"; roles are ${ROLES.join(', ')}`,
        });
      }
    });
  })
  .transform((value) => value as Audience);

const stepBase = {
  id: Id,
  /** Explicit successor; by default the next step in the list. */
  next: Id.optional(),
  if: Condition.optional(),
};

const touchBase = {
  ...stepBase,
  type: z.literal('touch').default('touch'),
  after: IsoDuration.default('P0D'),
  to: Audience.default('all'),
};

export const EmailStep = z.object({ ...touchBase, channel: z.literal('email'), template: Id }).strict();
export const AdsStep = z
  .object({
    ...touchBase,
    channel: z.literal('ads'),
    audience: Id,
    action: z.enum(['add', 'remove']).default('add'),
  })
  .strict();
export const SdrTaskStep = z
  .object({
    ...touchBase,
    channel: z.literal('sdr_task'),
    taskType: z.enum(['call', 'linkedin', 'email']).default('call'),
    priority: z.number().int().min(1).max(3).optional(),
  })
  .strict();
export const DirectMailStep = z
  .object({
    ...touchBase,
    channel: z.literal('direct_mail'),
    piece: Id,
    /** This step's budget for one account, in cents. Required: no unbounded spend. */
    maxCostCents: z
      .number({
        error: (iss) =>
          iss.input === undefined
            ? 'a direct-mail step needs a budget: maxCostCents (cents per account)'
            : undefined,
      })
      .int()
      .positive(),
    /** Cost of one piece; defaults to the whole step budget (one piece). */
    costCents: z.number().int().positive().optional(),
  })
  .strict();

export const TouchStep = z.discriminatedUnion('channel', [EmailStep, AdsStep, SdrTaskStep, DirectMailStep]);
export type TouchStep = z.infer<typeof TouchStep>;

export const AwaitEngagementStep = z
  .object({
    ...stepBase,
    type: z.literal('await_engagement'),
    timeout: IsoDuration,
    until: Condition,
    /** Where to go when the timeout passes: "next", "exit", or a step id. */
    onTimeout: z.string().default('next'),
  })
  .strict();

export const BranchStep = z
  .object({
    ...stepBase,
    type: z.literal('branch'),
    cases: z.array(z.object({ if: Condition, goto: Id }).strict()).min(1),
    /** Where to go when no case holds: "next", "exit", or a step id. */
    default: z.string().default('next'),
  })
  .strict();

export const SplitStep = z
  .object({
    ...stepBase,
    type: z.literal('split'),
    variants: z
      .array(z.object({ name: z.string().min(1), weight: z.number().positive(), goto: Id }).strict())
      .min(2),
  })
  .strict();

export const ExitStep = z
  .object({ ...stepBase, type: z.literal('exit'), reason: z.string().optional() })
  .strict();

/** Steps with a channel are touches; the others name their `type`. */
export const Step = z.preprocess(
  (raw) =>
    raw && typeof raw === 'object' && 'channel' in raw && !('type' in raw) ? { ...raw, type: 'touch' } : raw,
  z.discriminatedUnion('type', [TouchStep, AwaitEngagementStep, BranchStep, SplitStep, ExitStep]),
);
export type Step = z.infer<typeof Step>;
export type EmailStep = z.infer<typeof EmailStep>;
export type AdsStep = z.infer<typeof AdsStep>;
export type SdrTaskStep = z.infer<typeof SdrTaskStep>;
export type DirectMailStep = z.infer<typeof DirectMailStep>;
export type AwaitEngagementStep = z.infer<typeof AwaitEngagementStep>;
export type BranchStep = z.infer<typeof BranchStep>;
export type SplitStep = z.infer<typeof SplitStep>;
export type ExitStep = z.infer<typeof ExitStep>;

export const SendWindow = z
  .object({
    days: z.array(Weekday).min(1).default(['mon', 'tue', 'wed', 'thu', 'fri']),
    start: HHMM.default('09:00'),
    end: HHMM.default('17:00'),
  })
  .refine((w) => w.start < w.end, { message: 'start must be before end', path: ['end'] });
export type SendWindow = z.infer<typeof SendWindow>;

export const FrequencyCap = z
  .object({
    /** Touches to one person across all channels and sequences inside `window`. */
    perContact: z.number().int().positive().default(3),
    /** Touches to one account (all its contacts) inside `window`; unset means no account cap. */
    perAccount: z.number().int().positive().optional(),
    window: IsoDuration.default('P7D'),
    /** What a capped touch does: wait until the cap allows it, or skip it. */
    onCapped: z.enum(['defer', 'skip']).default('skip'),
  })
  .strict();
export type FrequencyCap = z.infer<typeof FrequencyCap>;

export const SequenceInput = z
  .object({
    id: Id,
    name: z.string().min(1).max(200),
    description: z.string().optional(),
    /** An account in an exclusive sequence is not enrolled in another one. */
    exclusive: z.boolean().default(false),
    exitWhen: z
      .object({
        stages: z.array(Stage).default(['opportunity', 'customer', 'disqualified']),
        /** End when every contact of the committee is unsubscribed. */
        allUnsubscribed: z.boolean().default(true),
      })
      .strict()
      .default({ stages: ['opportunity', 'customer', 'disqualified'], allUnsubscribed: true }),
    sendWindow: SendWindow.default({
      days: ['mon', 'tue', 'wed', 'thu', 'fri'],
      start: '09:00',
      end: '17:00',
    }),
    frequencyCap: FrequencyCap.default({ perContact: 3, window: 'P7D', onCapped: 'skip' }),
    steps: z.array(Step).min(1),
  })
  .strict();
export type SequenceInput = z.input<typeof SequenceInput>;
export type SequenceDefinition = z.infer<typeof SequenceInput>;

/** A saved, immutable version of a sequence. */
export type Sequence = SequenceDefinition & { version: number; createdAt: string };

// ---------------------------------------------------------------------------
// Campaigns, enrollments, touches, SDR tasks
// ---------------------------------------------------------------------------

export const CampaignAudience = z
  .object({
    tier: Tier.optional(),
    cluster: z.string().min(1).optional(),
    accountIds: z.array(Id).min(1).optional(),
  })
  .strict()
  .refine((a) => a.tier !== undefined || a.cluster !== undefined || a.accountIds !== undefined, {
    message: 'name a tier, a cluster or accountIds',
  });
export type CampaignAudience = z.infer<typeof CampaignAudience>;

export const CAMPAIGN_STATUSES = ['launching', 'running', 'paused', 'stopped', 'completed'] as const;
export const CampaignStatus = z.enum(CAMPAIGN_STATUSES);

export const Campaign = z.object({
  campaignId: Id,
  name: z.string().min(1),
  sequenceId: Id,
  version: z.number().int().positive(),
  audience: CampaignAudience,
  holdoutPercent: z.number().min(0).max(100).default(0),
  status: CampaignStatus,
  enrolled: z.number().int().nonnegative().default(0),
  heldOut: z.number().int().nonnegative().default(0),
  createdAt: IsoTimestamp,
  updatedAt: IsoTimestamp,
});
export type Campaign = z.infer<typeof Campaign>;

export const ENROLLMENT_STATUSES = [
  'running',
  'waiting', // parked in await_engagement
  'paused',
  'held_out',
  'completed',
  'exited',
  'stopped',
  'failed',
] as const;
export const EnrollmentStatus = z.enum(ENROLLMENT_STATUSES);
export type EnrollmentStatus = z.infer<typeof EnrollmentStatus>;

/** The statuses of an enrollment whose execution is still going (it may be touched, paused, stopped). */
export const ACTIVE_ENROLLMENT: ReadonlySet<string> = new Set<EnrollmentStatus>([
  'running',
  'waiting',
  'paused',
]);

export const Enrollment = z.object({
  accountId: Id,
  campaignId: Id,
  sequenceId: Id,
  sequenceVersion: z.number().int().positive(),
  exclusive: z.boolean().default(false),
  executionName: z.string().min(1).max(80),
  status: EnrollmentStatus,
  /** The step the execution is at (the cursor). */
  stepId: z.string().optional(),
  /** Task token of a parked await_engagement or pause. */
  taskToken: z.string().optional(),
  /** What the parked token waits for. */
  waitingFor: z.object({ stepId: z.string(), until: Condition.optional(), since: IsoTimestamp }).optional(),
  variant: z.string().optional(),
  reason: z.string().optional(),
  startedAt: IsoTimestamp,
  updatedAt: IsoTimestamp,
  finishedAt: IsoTimestamp.optional(),
  version: z.number().int().nonnegative().default(0),
});
export type Enrollment = z.infer<typeof Enrollment>;

export const TOUCH_STATUSES = ['pending', 'sent', 'skipped', 'deferred', 'failed'] as const;
export const TouchStatus = z.enum(TOUCH_STATUSES);

export const Touch = z.object({
  /** `${executionName}#${stepId}#${contactId}`: one item per step per contact. */
  touchId: z.string().min(1),
  accountId: Id,
  campaignId: Id,
  executionName: z.string(),
  stepId: z.string(),
  channel: Channel,
  contactId: z.string(),
  role: Role.optional(),
  status: TouchStatus,
  reason: z.string().optional(),
  at: IsoTimestamp,
  /** Provider reference: SES message id, task id, mail order id. */
  ref: z.string().optional(),
  /** Short description of what was said, for the next touch's context. */
  summary: z.string().optional(),
});
export type Touch = z.infer<typeof Touch>;

export const SDR_TASK_STATUSES = ['open', 'completed', 'cancelled'] as const;
export const SdrTaskStatus = z.enum(SDR_TASK_STATUSES);

export const SdrTask = z.object({
  taskId: z.string().min(1),
  accountId: Id,
  contactId: z.string().optional(),
  owner: z.string().min(1),
  type: z.enum(['call', 'linkedin', 'email', 'hot_account']),
  status: SdrTaskStatus,
  /** 1 is the most urgent. */
  priority: z.number().int().min(1).max(3),
  dueAt: IsoTimestamp,
  reason: z.string(),
  context: z.object({
    contact: z
      .object({
        name: z.string(),
        role: Role,
        phone: z.string().optional(),
        timeZone: z.string(),
        localTime: z.string(),
      })
      .optional(),
    score: z.number().optional(),
    stage: Stage.optional(),
    talkingPoints: z.array(z.string()),
    recentEngagement: z.array(z.string()),
    lastTouches: z.array(z.string()).default([]),
  }),
  campaignId: z.string().optional(),
  stepId: z.string().optional(),
  outcome: SdrOutcome.optional(),
  notes: z.string().max(4000).optional(),
  createdAt: IsoTimestamp,
  completedAt: IsoTimestamp.optional(),
});
export type SdrTask = z.infer<typeof SdrTask>;

// ---------------------------------------------------------------------------
// Engagement (DESIGN 2.4, 2.6.1)
// ---------------------------------------------------------------------------

export const EngagementEventInput = z
  .object({
    eventId: z.string().min(1).max(128),
    type: EngagementType,
    occurredAt: IsoTimestamp,
    accountId: Id.optional(),
    contactId: z.string().optional(),
    contactEmail: Email.optional(),
    domain: z.string().trim().toLowerCase().optional(),
    properties: z.record(z.string(), z.unknown()).default({}),
  })
  .refine((e) => e.accountId || e.contactEmail || e.domain, {
    message: 'name the account: accountId, contactEmail or domain',
  });
export type EngagementEventInput = z.input<typeof EngagementEventInput>;

/** An engagement event once its account (and contact, where known) is resolved. */
export const EngagementEvent = z.object({
  eventId: z.string().min(1),
  type: EngagementType,
  occurredAt: IsoTimestamp,
  accountId: Id,
  contactId: z.string().optional(),
  role: Role.optional(),
  properties: z.record(z.string(), z.unknown()).default({}),
});
export type EngagementEvent = z.infer<typeof EngagementEvent>;
