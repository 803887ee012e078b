/**
 * The engine wired to local infrastructure: dynalite, aws-ses-v2-local, a RecordingPublisher, and
 * the real AccountSequence ASL run by the local-sfn helper. Shared by the engine tests and the
 * transitions benchmark.
 */
import { ACCOUNT_SEQUENCE_ASL } from '../../statemachines';
import {
  createSequenceEngine,
  runStepTask,
  type EngineConfig,
  type SequenceEngine,
} from '../../functions/engine';
import type { Plan } from '../../functions/kernel/plan';
import { localWaker } from '../../lib/local/executions';
import { executionNameFor, SequenceSnapshot, type ExecutionInput } from '../../functions/kernel/execution';
import type { AccountInput, SequenceInput } from '../../functions/kernel/model';
import { RecordingPublisher } from '../../functions/platform/recorders';
import { compose, type Platform } from '../../functions/platform/compose';
import { inProcessTemplateCompiler } from '../../functions/api/template-compiler';
import { providers, type DirectMailProvider } from '../../functions/platform/providers';
import { StaticSecretSource } from '../../functions/platform/secrets';
import { SesEmailSender, type EmailSender } from '../../functions/platform/ses';
import { type SequenceControl } from '../../functions/platform/sfn';
import { RecordingSequenceControl } from '../../functions/platform/recorders';
import type { Store } from '../../functions/platform/store';
import { Table } from '../../functions/platform/store/table';
import { storeOf } from '../../functions/platform/store-of';
import { committeeMember } from './accounts';
import { startDynalite, type LocalDynamo } from './dynalite';
import {
  createLocalSfn,
  type ExecutionSummary,
  type LocalSfn,
  type TaskHandler,
  type TimePolicy,
} from './local-sfn';
import { startSesLocal, type LocalSes } from './ses-local';

export const ASL_PATH = ACCOUNT_SEQUENCE_ASL;
export const EXECUTE_STEP_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:abm-execute-step';
export const PARK_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:abm-park-execution';
export const UNSUBSCRIBE_KEY = 'test-unsubscribe-key';
/** The harness's default virtual start: Monday 2 March 2026, 10:00 in New York. */
export const START = new Date('2026-03-02T15:00:00Z');

export interface Harness {
  db: LocalDynamo;
  ses: LocalSes;
  platform: Platform;
  store: Store;
  publisher: RecordingPublisher;
  engine: SequenceEngine;
  sfn: LocalSfn;
  /** ExecuteStep's hand-overs: completed at once (SendTaskSuccess), or at a wait's end (a schedule). */
  handOvers: { now: number; scheduled: number };
  stop(): Promise<void>;
}

/** The mail the local SES received for one address. */
export const emailsTo = async (h: Harness, address: string) =>
  (await h.ses.emails()).filter((e) => e.destination.to.includes(address));

/** Why the execution's plan ended (its output's plan.reason). */
export const reasonOf = (summary: { output?: unknown }) =>
  (summary.output as { plan: { reason: string } }).plan.reason;

/** Bounded: an execution parked forever fails the test instead of hanging it. */
export function within(done: Promise<ExecutionSummary>, ms = 8000): Promise<ExecutionSummary> {
  return Promise.race([
    done,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`execution not done in ${ms} ms`)), ms),
    ),
  ]);
}

export interface HarnessOptions {
  time?: TimePolicy;
  config?: Partial<EngineConfig>;
  /** Wraps the ExecuteStep handler (to inject faults or change the world between steps). */
  wrapExecute?: (inner: TaskHandler) => TaskHandler;
  /** Wraps the ParkExecution handler (to interleave other work with parking). */
  wrapPark?: (inner: TaskHandler) => TaskHandler;
  email?: (ses: LocalSes) => EmailSender;
  /** The Step Functions control the engine's lifecycle stops executions with. */
  control?: SequenceControl;
  /** Replaces the platform's direct-mail provider (a print-and-mail adapter against its double). */
  directMail?: DirectMailProvider;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const db = await startDynalite();
  const ses = await startSesLocal();
  const publisher = new RecordingPublisher();
  // The engine and the repository read the runner's clock (each execution's virtual time).
  const holder: { sfn?: LocalSfn } = {};
  const clock = { now: () => holder.sfn!.clock.now() };
  const platform = compose(
    {
      tableName: db.tableName,
      senderEmail: 'campaigns@example.com',
      senderName: 'Example',
      unsubscribeBaseUrl: 'https://abm.example.com/unsubscribe',
    },
    {},
    {
      clock,
      table: new Table(db.client, db.tableName),
      publisher,
      email: options.email ? options.email(ses) : new SesEmailSender(ses.client, 'abm-test'),
      unsubscribeKey: new StaticSecretSource(UNSUBSCRIBE_KEY),
      control: options.control ?? new RecordingSequenceControl(),
      // The seeded templates are stored as an older version stored them: without a compiled form.
      templateCompiler: inProcessTemplateCompiler((): Platform => platform),
    },
  );
  const engine = createSequenceEngine(platform, {
    config: options.config,
    ...(options.directMail
      ? { providers: { audiences: providers(platform).audiences, directMail: options.directMail } }
      : {}),
  });
  const execute: TaskHandler = (input) => engine.executeStep(input);
  const park: TaskHandler = (input) => engine.park(input);
  // The ExecuteStep function as on AWS (engine/hand-over.ts), with the runner as the scheduler: the
  // wrappers see the state, as a plain ExecuteStep task's handler did.
  const waker = localWaker(() => holder.sfn!);
  const handOvers = { now: 0, scheduled: 0 };
  const stepTask =
    (inner: TaskHandler): TaskHandler =>
    async (event, ctx) => {
      const step = async (state: unknown) => (await inner(state, ctx)) as Plan;
      const { plan, handedOver } = await runStepTask(event, step, waker, () => ctx.now());
      if (handedOver?.at === 'now') handOvers.now++;
      else if (handedOver) handOvers.scheduled++;
      return plan;
    };
  holder.sfn = createLocalSfn({
    definitionPath: ASL_PATH,
    substitutions: { ExecuteStepFunctionArn: EXECUTE_STEP_ARN, ParkExecutionFunctionArn: PARK_ARN },
    tasks: {
      [EXECUTE_STEP_ARN]: stepTask(options.wrapExecute ? options.wrapExecute(execute) : execute),
      [PARK_ARN]: options.wrapPark ? options.wrapPark(park) : park,
    },
    time: options.time ?? { mode: 'skip', start: START },
  });
  return {
    db,
    ses,
    platform,
    store: storeOf(platform),
    publisher,
    engine,
    sfn: holder.sfn,
    handOvers,
    async stop() {
      await ses.stop();
      await db.stop();
    },
  };
}

/** startHarness with the templates the test sequences send (seedTemplates). */
export async function startSeededHarness(options: HarnessOptions = {}): Promise<Harness> {
  const h = await startHarness(options);
  await seedTemplates(h.store);
  return h;
}

/** Runs `test` on a seeded harness of its own, stopped after it (for faults injected per test). */
export async function withHarness(
  options: HarnessOptions,
  test: (h: Harness) => Promise<void>,
): Promise<void> {
  const h = await startHarness(options);
  try {
    await seedTemplates(h.store);
    await test(h);
  } finally {
    await h.stop();
  }
}

/** A committee of three with distinct roles in one time zone. */
export function committeeAccount(
  accountId: string,
  overrides: Partial<AccountInput> = {},
  timeZone = 'America/New_York',
) {
  const consent = { email: true, ads: true, directMail: true };
  const address = { line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' };
  return {
    accountId,
    name: `Account ${accountId}`,
    domain: `${accountId}.example`,
    industry: 'logistics',
    tier: 1 as const,
    ownerSdr: 'sdr-ana',
    directMailBudgetCents: 20_000,
    ...overrides,
    contacts: [
      {
        ...committeeMember(accountId, 'economic_buyer'),
        timeZone,
        consent,
        postalAddress: address,
        phone: '+13125550100',
      },
      { ...committeeMember(accountId, 'champion'), timeZone, consent, phone: '+13125550101' },
      { ...committeeMember(accountId, 'technical_evaluator'), timeZone, consent },
    ],
  };
}

export async function seedAccount(store: Store, account: ReturnType<typeof committeeAccount>): Promise<void> {
  const { contacts, ...profile } = account;
  await store.accounts.upsert({ techStack: [], ...profile } as never);
  await store.accounts.putContacts(
    account.accountId,
    contacts.map((c) => ({ ...c, accountId: account.accountId })),
  );
}

export async function seedTemplates(store: Store): Promise<void> {
  const { catalog } = store;
  await catalog.putTemplate('intro', {
    subject: 'A note for {{account.name}}',
    html: '<p>Hi {{contact.firstName}}, about {{account.industry}} at {{account.name}}.</p><p><a href="{{unsubscribeUrl}}">unsubscribe</a></p>',
    text: 'Hi {{contact.firstName}}, about {{account.industry}} at {{account.name}}. Unsubscribe: {{unsubscribeUrl}}',
    byRole: { economic_buyer: { subject: 'Payback for {{account.name}}' } },
    byAccount: {},
  });
  await catalog.putTemplate('tech', {
    subject: 'Architecture notes for {{account.name}}',
    html: '<p>Hi {{contact.firstName}}, here is how it integrates.</p>',
    text: 'Hi {{contact.firstName}}, here is how it integrates.',
  });
  await catalog.putTemplate('follow', {
    subject: 'Following up, {{contact.firstName}}',
    html: '<p>Following up on {{lastTouch.summary}}</p>',
    text: 'Following up on {{lastTouch.summary}}',
  });
}

export function snapshot(definition: SequenceInput, version = 1) {
  return SequenceSnapshot.parse({ ...definition, version });
}

/** Creates the enrollment (as the launcher does) and returns the execution input. */
export async function enroll(
  store: Store,
  accountId: string,
  campaignId: string,
  sequence: ReturnType<typeof snapshot>,
  at: Date,
): Promise<ExecutionInput> {
  const executionName = executionNameFor(campaignId, accountId);
  await store.enrollments.create({
    accountId,
    campaignId,
    sequenceId: sequence.id,
    sequenceVersion: sequence.version,
    exclusive: sequence.exclusive,
    executionName,
    status: 'running',
    startedAt: at.toISOString(),
    updatedAt: at.toISOString(),
  });
  return { accountId, campaignId, executionName, sequence, enrolledAt: at.toISOString() };
}

/** The six opening touches of a tier-1 sequence: email, ads, email, SDR call, email, direct mail. */
export const TIER1_OPENING: SequenceInput['steps'] = [
  { id: 'intro', channel: 'email', after: 'P0D', to: ['economic_buyer', 'champion'], template: 'intro' },
  { id: 'ads', channel: 'ads', after: 'P0D', audience: 'tier1-committee', to: 'all' },
  { id: 'tech', channel: 'email', after: 'P1D', to: ['technical_evaluator'], template: 'tech' },
  { id: 'call-1', channel: 'sdr_task', after: 'P2D', to: ['champion'], taskType: 'call' },
  { id: 'follow', channel: 'email', after: 'P2D', to: ['economic_buyer', 'champion'], template: 'follow' },
  {
    id: 'gift',
    channel: 'direct_mail',
    after: 'P1D',
    to: ['economic_buyer'],
    piece: 'roi-booklet',
    maxCostCents: 5000,
  },
];

/** A tier-1 sequence in the style of docs/architecture.md: 10 steps over email, ads, SDR, direct mail, with a split. */
export const TIER1_SEQUENCE: SequenceInput = {
  id: 'tier1-strategic',
  name: 'Tier 1 strategic (1:1)',
  steps: [
    ...TIER1_OPENING,
    {
      id: 'ab',
      type: 'split',
      variants: [
        { name: 'a', weight: 1, goto: 'email-a' },
        { name: 'b', weight: 1, goto: 'email-b' },
      ],
    },
    { id: 'email-a', channel: 'email', after: 'P3D', to: 'all', template: 'follow', next: 'call-2' },
    { id: 'email-b', channel: 'email', after: 'P3D', to: 'all', template: 'intro', next: 'call-2' },
    { id: 'call-2', channel: 'sdr_task', after: 'P2D', to: ['economic_buyer'], taskType: 'call' },
  ],
} as SequenceInput;

/** intro email -> await_engagement (P7D, minScore 40) -> SDR task, or on timeout a nudge email. */
export const awaiting: SequenceInput = {
  id: 'awaiting',
  name: 'Await',
  steps: [
    { id: 'intro', channel: 'email', to: ['economic_buyer'], template: 'intro' },
    { id: 'wait-1', type: 'await_engagement', timeout: 'P7D', until: { minScore: 40 }, onTimeout: 'nudge' },
    { id: 'engaged', channel: 'sdr_task', to: ['economic_buyer'], taskType: 'call', next: 'end' },
    { id: 'nudge', channel: 'email', to: ['economic_buyer'], template: 'follow' },
    { id: 'end', type: 'exit', reason: 'sequence_end' },
  ],
} as SequenceInput;

/** Seeds a committee account and enrolls it in `campaignId` at START: the execution input, not started. */
export async function seedAndEnroll(
  h: Harness,
  accountId: string,
  campaignId: string,
  sequence: SequenceInput,
) {
  await seedAccount(h.store, committeeAccount(accountId));
  return enroll(h.store, accountId, campaignId, snapshot(sequence), START);
}

/** Seeds a committee account, enrolls it in `campaignId` and starts its execution at START. */
export async function startEnrolled(
  h: Harness,
  accountId: string,
  campaignId: string,
  sequence: SequenceInput,
) {
  const input = await seedAndEnroll(h, accountId, campaignId, sequence);
  const exec = h.sfn.start(input, { name: input.executionName });
  return { input, exec };
}

/** Starts `awaiting` for a fresh committee account and waits until it parks on its await. */
export async function startAwaiting(h: Harness, accountId: string, campaignId: string) {
  const { input, exec } = await startEnrolled(h, accountId, campaignId, awaiting);
  const parked = await h.sfn.waitForParked({ execution: input.executionName, state: 'AwaitEngagement' });
  return { input, exec, parked };
}

/**
 * An email sender over the harness's SES that answers the first send with SES's
 * ThrottlingException ("Maximum sending rate exceeded", not accepted) and sends the rest.
 */
export function throttledOnce(ses: LocalSes): EmailSender {
  const real = new SesEmailSender(ses.client);
  let calls = 0;
  return {
    send: async (mail) => {
      if (calls++ === 0)
        throw Object.assign(new Error('Maximum sending rate exceeded.'), {
          name: 'ThrottlingException',
          $metadata: { httpStatusCode: 400 },
        });
      return real.send(mail);
    },
  };
}

/** One email step (`only`, template `intro`) to the economic buyer. */
export const ONE_EMAIL_TO_EB = {
  id: 'once',
  name: 'Once',
  steps: [{ id: 'only', channel: 'email', to: ['economic_buyer'], template: 'intro' }],
} as SequenceInput;

/**
 * Crashes the ExecuteStep invocation that reaches `hang()` (while it is armed): that invocation
 * never goes on, and the task fails with `Lambda.Unknown`.
 */
export function crashes(times = 1) {
  let left = times;
  let crashNow: (() => void) | undefined;
  return {
    async hang(): Promise<void> {
      if (left <= 0 || !crashNow) return;
      left--;
      crashNow();
      await new Promise(() => undefined); // this invocation is dead
    },
    wrap:
      (inner: TaskHandler): TaskHandler =>
      (input, ctx) =>
        Promise.race([
          inner(input, ctx),
          new Promise<never>((_, reject) => {
            crashNow = () =>
              reject(
                Object.assign(new Error('Task timed out after 50.00 seconds'), { name: 'Lambda.Unknown' }),
              );
          }),
        ]),
    get crashed() {
      return times - left;
    },
  };
}
