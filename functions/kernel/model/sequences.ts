/**
 * The domain model, one file per aggregate (kernel/model.ts re-exports them all). These zod schemas
 * are the one source of the domain's types: every type is inferred from a schema. Pure: no AWS
 * imports, no I/O.
 */
import * as z from 'zod';
import { ADS_TARGETS, Condition, Id, ROLES, Stage, STAGES, type Role } from './basics';
import { HHMM, IsoDuration, Weekday, WEEKDAYS } from './fields';
import { HolidayCountry, LocalDate } from '../holidays';

/** A year of shutdown days at most. */
const CLOSED_DATES_MAX = 366;
/** Countries one window may follow. */
const HOLIDAY_COUNTRIES_MAX = 50;
import {
  BRANCH_CASES_MAX,
  decimal,
  ID_MAX,
  LABEL_MAX,
  NAME_MAX,
  SEQUENCE_STEPS_MAX,
  SPLIT_VARIANTS_MAX,
  SPLIT_WEIGHT_MAX,
  TEXT_MAX,
} from './limits';

// ---------------------------------------------------------------------------
// Sequences
// ---------------------------------------------------------------------------

/** Which committee members a touch reaches: a list of roles, or everyone. */
export type Audience = 'all' | Role[];
export const Audience = z
  .union([z.literal('all'), z.array(z.string().max(ID_MAX)).min(1).max(ROLES.length)])
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
    /**
     * Who joins (or leaves) the audience: the committee's contacts, the account as a company
     * (account-level targeting: LinkedIn company lists), or both.
     */
    target: z.enum(ADS_TARGETS).default('contacts'),
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
    onTimeout: z.string().max(ID_MAX).default('next'),
  })
  .strict();

export const BranchStep = z
  .object({
    ...stepBase,
    type: z.literal('branch'),
    cases: z
      .array(z.object({ if: Condition, goto: Id }).strict())
      .min(1)
      .max(BRANCH_CASES_MAX),
    /** Where to go when no case holds: "next", "exit", or a step id. */
    default: z.string().max(ID_MAX).default('next'),
  })
  .strict();

export const SplitStep = z
  .object({
    ...stepBase,
    type: z.literal('split'),
    variants: z
      .array(
        z
          .object({
            name: z.string().min(1).max(LABEL_MAX),
            weight: decimal(0, SPLIT_WEIGHT_MAX).refine((w) => w > 0, 'must be positive'),
            goto: Id,
          })
          .strict(),
      )
      .min(2)
      .max(SPLIT_VARIANTS_MAX),
  })
  .strict();

export const ExitStep = z
  .object({ ...stepBase, type: z.literal('exit'), reason: z.string().max(TEXT_MAX).optional() })
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
    days: z.array(Weekday).min(1).max(WEEKDAYS.length).default(['mon', 'tue', 'wed', 'thu', 'fri']),
    start: HHMM.default('09:00'),
    end: HHMM.default('17:00'),
    /** Dates the window stays shut (`YYYY-MM-DD`, in each contact's zone): a company shutdown. */
    closedDates: z.array(LocalDate).max(CLOSED_DATES_MAX).optional(),
    /**
     * Public holidays that shut the window (functions/kernel/holidays.ts): these countries' for
     * every contact, or `"contact"`: each contact's own country (its postal address, else its time
     * zone's country; none known, no holidays).
     */
    holidays: z
      .union([z.array(HolidayCountry).min(1).max(HOLIDAY_COUNTRIES_MAX), z.literal('contact')])
      .optional(),
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
    name: z.string().min(1).max(NAME_MAX),
    description: z.string().max(TEXT_MAX).optional(),
    /** An account in an exclusive sequence is not enrolled in another one. */
    exclusive: z.boolean().default(false),
    exitWhen: z
      .object({
        stages: z.array(Stage).max(STAGES.length).default(['opportunity', 'customer', 'disqualified']),
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
    steps: z.array(Step).min(1).max(SEQUENCE_STEPS_MAX),
  })
  .strict();
export type SequenceInput = z.input<typeof SequenceInput>;
export type SequenceDefinition = z.infer<typeof SequenceInput>;

/** A saved, immutable version of a sequence. */
export type Sequence = SequenceDefinition & { version: number; createdAt: string };
