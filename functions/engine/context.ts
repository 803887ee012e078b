/**
 * What the engine's parts share: its dependencies (ports and repositories, built from the platform
 * by `engineDeps`), its configuration, and the `Run` of one ExecuteStep invocation (the account,
 * its committee and enrollment as read at the start of the step, the facts conditions are evaluated
 * on, the recent touches, and the events to publish when the step ends).
 */
import * as z from 'zod';
import { MaxSendRate } from '../kernel/send-rate';
import type { Clock } from '../kernel/clock';
import type { BusEvent } from '../kernel/events';
import { ExecutionInput } from '../kernel/execution';
import type { ClosedDay } from '../kernel/holidays';
import type { Account, Contact, Enrollment, Role, SequenceDefinition, Tier, Touch } from '../kernel/model';
import { Plan } from '../kernel/plan';
import type { CompiledTemplate, TemplateCompiler } from '../kernel/template-compiled';
import type { EmailTemplate } from '../kernel/templates';
import { PUBLISHER, type EventPublisher } from '../platform/bus';
import { withPorts, type Platform } from '../platform/compose';
import { HolidayCalendars } from '../platform/holidays';
import { parseDirectMailSettings, type DirectMailSettings } from '../kernel/direct-mail-providers';
import { providers, type Providers } from '../platform/providers';
import { withConfiguredMail } from '../platform/providers/mail';
import { UNSUBSCRIBE_KEY, type SecretSource } from '../platform/secrets';
import { EMAIL, type EmailSender } from '../platform/ses';
import { SEQUENCE_CONTROL, type SequenceControl } from '../platform/sfn';
import { STEP_WAKER, type StepWaker } from '../platform/wake';
import { TEMPLATE_COMPILER } from '../platform/template-compiler';
import { AccountUpdater } from '../platform/store/accounts';
import { CampaignRepository } from '../platform/store/campaigns';
import { CatalogReader } from '../platform/store/catalog';
import { EnrollmentRepository } from '../platform/store/enrollments';
import { SendingReputationRepository } from '../platform/store/reputation';
import { SendRateRepository } from '../platform/store/send-rate';
import { ScoreReader } from '../platform/store/scores';
import { TaskCreator } from '../platform/store/tasks';
import { TouchRepository } from '../platform/store/touches';
import { TABLE } from '../platform/store/client';
import type { TableRef } from '../platform/store/table';
import type { AccountFacts } from '../kernel/conditions';
import type { FactsReader } from './facts';
import type { Sla } from './domain/sdr';
import type { ContinuationLimits } from './continuation';

/** What ExecuteStep receives: the execution input plus the current plan (absent at the start). */
export const EngineState = ExecutionInput.extend({ plan: Plan.optional() }).loose();
export type EngineState = z.infer<typeof EngineState>;

export interface EngineConfig {
  senderEmail: string;
  senderName?: string;
  /** e.g. https://abm.example.com/unsubscribe; the token goes in `?t=`. */
  unsubscribeBaseUrl: string;
  /** How long an unsubscribe link stays valid. Default 365 days. */
  unsubscribeTokenTtlDays?: number;
  /** Owner of SDR tasks for accounts without `ownerSdr`. Default "unassigned". */
  defaultSdrOwner?: string;
  sdrSla?: Partial<Record<Tier, Sla>>;
  talkingPoints?: Partial<Record<Role, string[]>>;
  /** Touch steps executed in one invocation before handing back (`run`). Default 5. */
  maxTouchStepsPerInvocation?: number;
  /** A planned time this close to now counts as now. Default 1 s. */
  toleranceMs?: number;
  /**
   * When an execution continues as new (engine/continuation.ts): after `maxInvocations` ExecuteStep
   * invocations (default 800, under the 25,000 history events of one execution) or `maxAgeMs`
   * (default 360 days, under its one-year maximum). Small values are for tests.
   */
  continueAsNew?: Partial<ContinuationLimits>;
  /**
   * The SES account's sends per second (`config.ses.maxSendRate`): each email takes a ticket of
   * the rate's slots before it is handed over, and one not yet its turn is deferred to its slot
   * (functions/kernel/send-rate.ts). No pacing when absent.
   */
  maxSendRate?: number;
  /**
   * The direct-mail provider's configuration (`config.providers.directMail`): its pieces and their
   * prices. The default provider (no pieces) when absent.
   */
  directMail?: DirectMailSettings;
}

export interface EngineDeps {
  /** The table itself, for the operations that are functions (only their users bundle them). */
  table: TableRef;
  accounts: AccountUpdater;
  enrollments: EnrollmentRepository;
  campaigns: CampaignRepository;
  touches: TouchRepository;
  tasks: TaskCreator;
  catalog: CatalogReader;
  scores: ScoreReader;
  publisher: EventPublisher;
  clock: Clock;
  email: EmailSender;
  unsubscribeKey: SecretSource;
  /** Compiles a template stored without its compiled form (functions/engine/channels/email.ts). */
  templateCompiler: TemplateCompiler;
  providers: Providers;
  config: EngineConfig;
  /** Stops executions from outside (the scorer's exit stages, the operator's stop). */
  control: SequenceControl;
  /** Completes ExecuteStep's callback task, at once or at a wait's end (engine/hand-over.ts). */
  waker: StepWaker;
  /** The sender reputation breaker of each sending domain (functions/engine/channels/email.ts). */
  reputation: SendingReputationRepository;
  /** The tickets of email pacing's slots (functions/engine/channels/email.ts). */
  sendRate: SendRateRepository;
  /** Public-holiday calendars, loaded when a send window asks for holidays (platform/holidays.ts). */
  holidays: HolidayCalendars;
  /** Conditions' facts; by default the scorer's state read as the scorer reads it (engine/facts.ts). */
  facts?: FactsReader;
  log: (message: string, data?: Record<string, unknown>) => void;
}

/** The engine's dependencies from a platform; adapters are read when first used. */
export function engineDeps(platform: Platform): EngineDeps {
  const { config } = platform;
  const ports = {
    publisher: PUBLISHER,
    email: EMAIL,
    unsubscribeKey: UNSUBSCRIBE_KEY,
    control: SEQUENCE_CONTROL,
    waker: STEP_WAKER,
    templateCompiler: TEMPLATE_COMPILER,
  };
  return withPorts(platform, ports, {
    table: platform.port(TABLE),
    accounts: platform.repository(AccountUpdater),
    enrollments: platform.repository(EnrollmentRepository),
    campaigns: platform.repository(CampaignRepository),
    touches: platform.repository(TouchRepository),
    tasks: platform.repository(TaskCreator),
    catalog: platform.repository(CatalogReader),
    scores: platform.repository(ScoreReader),
    reputation: platform.repository(SendingReputationRepository),
    sendRate: platform.repository(SendRateRepository),
    holidays: new HolidayCalendars(),
    clock: platform.clock,
    providers: withConfiguredMail(platform, providers(platform)),
    config: {
      senderEmail: config.senderEmail ?? '',
      senderName: config.senderName,
      unsubscribeBaseUrl: config.unsubscribeBaseUrl ?? '',
      defaultSdrOwner: config.defaultSdrOwner,
      maxSendRate: config.sesMaxSendRate === undefined ? undefined : MaxSendRate.parse(config.sesMaxSendRate),
      directMail: parseDirectMailSettings(config.directMailProvider),
    },
    log: (message: string, data?: Record<string, unknown>) => platform.log.info(message, data),
  });
}

/** One ExecuteStep invocation's view of the account. */
export interface Run {
  input: EngineState;
  /** This invocation's id: the fence on the touches it claims (engine/ledger.ts). */
  attempt: string;
  seq: SequenceDefinition;
  now: Date;
  account: Account;
  contacts: Contact[];
  enrollment: Enrollment;
  facts: AccountFacts;
  /** The account's recent touches, newest first (frequency caps, continuity in templates). */
  recent: Touch[];
  /** Published when the invocation ends, whatever its outcome. */
  events: BusEvent[];
  /** The email templates read in this invocation, with their compiled forms (null: none usable). */
  templates: Map<string, { template: EmailTemplate; compiled: CompiledTemplate } | null>;
  /** A contact's closed days under the send window (holidays, closed dates); none when absent. */
  closedDay?: (contact: Contact) => ClosedDay | undefined;
}

/** A contact of a step still to reach, and when (another send window, deferred by a cap). */
export interface Remaining {
  contactId: string;
  at: Date;
}

export { iso, maxDate } from './time';
