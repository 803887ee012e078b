/**
 * Local mode (docs/architecture.md "Local mode"): the whole product on one machine, no AWS account. This file is only
 * the wiring; every behaviour is the code Lambda runs:
 *
 *   HTTP (node:http, lib/local/http.ts) -> the API router (functions/api/app.ts), bearer token
 *   launch service -> LocalExecutions (ExecutionStarter): the real AccountSequence ASL on the
 *     LocalSfn runner, Tasks -> the sequence engine (executeStep, park), journaled for restarts
 *   engine -> aws-ses-v2-local (SES v2 API, mail viewer), dynalite (persisted), the local bus
 *   bus (RULES patterns) -> scorer queue (FIFO per account, batched) -> scorer -> SequenceControl
 *     (LocalExecutions: SendTaskSuccess / abort)
 *   once per simulated day (RESCORE_AT_UTC) -> the re-score -> scorer queue (stages follow decay)
 *   bus (RULES.adsAudienceChanged) -> audience sync queue (batched) -> the audience sync ->
 *     the provider adapters -> each provider's `baseUrl`, or its in-process test double
 *     (`providerDoubles`; `GET /_local/providers` shows what they received)
 *   bus (RULES.crmTaskCreated) -> CRM task queue -> the CRM task sync -> the CRM's `baseUrl`, or
 *     its in-process double (`crmDouble`); the completion poll every `crmPollMs` (real time)
 *
 * One LocalClock (lib/local/clock.ts: interactive, simulate or scaled; persisted in the data folder)
 * is THE clock: repository, engine, scorer, API, the runner's Wait states and timeouts, the daily
 * re-score. `GET /_local/clock` and `POST /_local/clock/advance` (lib/local/clock-routes.ts) read and
 * skip it; an advance waits, after each timer it runs, until nothing is in flight (`settle`). SES publishes no events locally: `POST /_local/ses-events`
 * (lib/local/ses-events.ts) replays records by hand through the same SES normaliser. `startLocal` is used in process by tests and the benchmark, and by
 * bin/local.ts (`npm start`).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import '../../functions/platform/polyfills';
import { adsSyncFeature, type AdapterFactory } from '../../functions/ads';
import { createApi } from '../../functions/api/app';
import { createRouter, type HttpRequest, type HttpResponse, type Router } from '../../functions/api/router';
import { createSequenceEngine, type SequenceEngine } from '../../functions/engine';
import { RULES } from '../../functions/kernel/events';
import { sesNormaliserFeature } from '../../functions/ingest';
import { compose, type Composed, type Log, type Platform } from '../../functions/platform/compose';
import { inProcessLaunch } from '../../functions/launch';
import { audienceKinds } from '../../functions/kernel/ads-providers';
import { providers } from '../../functions/platform/providers';
import {
  withConfiguredMail,
  type KeyMode,
  type LazyMailProvider,
} from '../../functions/platform/providers/mail';
import { StaticProviderSecrets } from '../../functions/platform/providers/secrets';
import { StaticSecretSource } from '../../functions/platform/secrets';
import { SesEmailSender } from '../../functions/platform/ses';
import type { ExecutionStarter, SequenceControl } from '../../functions/platform/sfn';
import { CampaignRepository } from '../../functions/platform/store/campaigns';
import { CatalogRepository } from '../../functions/platform/store/catalog';
import { EnrollmentRepository } from '../../functions/platform/store/enrollments';
import { ExecutionJournal } from '../../functions/platform/store/journal';
import { enqueuerFeature } from '../../functions/scoring/enqueuer';
import { RESCORE_AT_UTC, rescoreFeature } from '../../functions/scoring/rescore';
import { scorerFeature } from '../../functions/scoring/scorer';
import { LocalBus, type LocalLog } from './bus';
import { startDynalite, type LocalDynamo } from './dynamo';
import { LocalExecutions, type RehydrateResult } from './executions';
import { startHttp, type LocalHttp } from './http';
import { fifoSender, LocalQueue, queueTarget } from './queues';
import { LocalClock } from './clock';
import { nextWorkEnd, workEnded } from './quiet';
import { LOCAL_CLOCK_PATH, localClockRoutes } from './clock-routes';
import { SimulatedDailySchedule } from './schedule';
import { connectSes, startSesLocal, type LocalSes } from './ses';
import { startProviderDoubles } from './doubles';
import type { MailDoubles } from './doubles/mail';
import { localDirectMail } from './mail';
import { localProvidersRoute, type ProviderDoubles } from './providers';
import { importPinpointJourney } from '../../functions/api/pinpoint-import';
import { crmFeature } from '../../functions/crm';
import { createTasksService } from '../../functions/api/tasks-service';
import { inProcessTemplateCompiler } from '../../functions/api/template-compiler';
import { PUBLISHER } from '../../functions/platform/bus';
import { withPorts } from '../../functions/platform/compose';
import type { ProviderSecrets } from '../../functions/platform/providers/secrets';
import { TaskRepository } from '../../functions/platform/store/tasks';
import { startCrmDouble, type CrmDouble } from './doubles';
import { webhooksFeature } from '../../functions/webhooks';
import { programsFeature, triggerBatch } from '../../functions/programs';
import { localSesEventsRoute } from './ses-events';
import { localMailRoutes, RecordingEmailSender, SENT_MAIL_FILE, SentMailStore } from './sent-mail';
import { makeOwnerOnlyDir, type LocalSettings } from './settings';

export const LOCAL_TABLE_NAME = 'abm-local';
/** The configuration set local mode sends with: SES events replayed locally count as published through it. */
export const LOCAL_CONFIGURATION_SET = 'abm-local';

/** What local mode composes: the platform and every feature, as the Lambda functions compose them. */
export type LocalPlatform = Composed<{
  engine: (p: Platform) => SequenceEngine;
  enqueue: typeof enqueuerFeature;
  scorer: (p: Platform) => ReturnType<typeof scorerFeature>;
  rescorer: (p: Platform) => ReturnType<typeof rescoreFeature>;
  launch: (p: Platform) => ReturnType<typeof inProcessLaunch>;
  ads: (p: Platform) => ReturnType<typeof adsSyncFeature>;
  programs: typeof programsFeature;
  crm: (p: Platform) => ReturnType<typeof crmFeature>;
}>;

export interface StartLocalOptions {
  /** Structured log lines (default: stderr unless `quiet`). */
  log?: LocalLog;
  quiet?: boolean;
  /** One line per HTTP request (default true unless quiet). */
  requestLog?: boolean;
  senderEmail?: string;
  senderName?: string;
  /** Scoring overrides (the same shape as cdk.json's scoring config). */
  scoring?: unknown;
  /** Scorer queues: real ms before a partial batch is delivered (default 200). */
  scorerFlushMs?: number;
  /** How often the simulated clock is saved (real ms, default 1000). */
  clockSaveMs?: number;
  /**
   * Use an aws-ses-v2-local that is already running (its endpoint) instead of starting one: its
   * store then outlives this process (the restart test counts mail across a kill with it).
   */
  sesEndpoint?: string;
  /**
   * The in-process provider test doubles (started by the caller): a provider configured without
   * `baseUrl` is pointed at its double, and `GET /_local/providers` shows what they received.
   */
  providerDoubles?: ProviderDoubles;
  /** Builds the provider adapters (default: functions/ads's). */
  createAdapter?: AdapterFactory;
  /**
   * The print-and-mail doubles (started by the caller, to inject faults or send webhooks): Lob or
   * PostGrid configured without `baseUrl` is pointed at its double; default: local mode starts one.
   */
  mailDoubles?: MailDoubles;
  /** The audience sync queue: real ms before a partial batch is delivered (default 200). */
  adsFlushMs?: number;
  /**
   * The CRM double a CRM configured without `baseUrl` is pointed at (started here unless given;
   * tests inject faults into theirs or send its webhooks).
   */
  crmDouble?: CrmDouble;
  /** The CRM task queue: real ms before a partial batch is delivered (default 200). */
  crmFlushMs?: number;
  /** How often the CRM completion poll runs, real ms (default 60 s; 0: never). */
  crmPollMs?: number;
  /**
   * Whether the engine paces its email to `settings.sesMaxSendRate` (default true, as a deploy
   * with `config.ses.maxSendRate` does); false leaves local SES's limit to throttle unpaced sends.
   */
  pace?: boolean;
}

export interface LocalRuntime {
  url: string;
  sesUrl: string;
  token: string;
  dataDir: string;
  version: string;
  /** THE clock (its mode, its rate: simulated ms per real ms). */
  clock: LocalClock;
  /** The composed platform (repositories, adapters) and the features local mode runs. */
  platform: LocalPlatform;
  bus: LocalBus;
  /** The scorer's two queues: buffer (standard) -> enqueuer -> scorer (FIFO) -> scorer. */
  queues: { buffer: LocalQueue; scorer: LocalQueue; ads: LocalQueue; programs: LocalQueue; crm: LocalQueue };
  /** The CRM double local mode points the configured CRM at (none when it has its own `baseUrl`). */
  crmDouble?: CrmDouble;
  /** The daily re-score on the simulated clock (the stack's EventBridge schedule on AWS). */
  rescoreSchedule: SimulatedDailySchedule;
  executions: LocalExecutions;
  dynamo: LocalDynamo;
  ses: LocalSes;
  /** The mail sent, kept in the data folder (lib/local/sent-mail.ts). */
  sentMail: SentMailStore;
  /** The sent-mail viewer's address (with the token: open it in a browser). */
  mailViewerUrl: string;
  /** The web console (console/dist, served without a token; it asks for the token once). */
  consoleUrl: string;
  http: LocalHttp;
  /** What the start re-hydrated from the data folder. */
  rehydrated: RehydrateResult;
  /** Resolves when the re-checks of re-hydrated awaits are done. */
  settled: Promise<void>;
  stop(): Promise<void>;
}

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** The unsubscribe HMAC key: generated once and kept in the data folder, like the token. */
export function loadOrCreateSecret(file: string): string {
  if (existsSync(file)) {
    const value = readFileSync(file, 'utf8').trim();
    if (value) return value;
  }
  const value = randomBytes(32).toString('base64url');
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  return value;
}

const stderrLog: LocalLog = (message, data) =>
  process.stderr.write(`[abm] ${message}${data ? ` ${JSON.stringify(data)}` : ''}\n`);

export async function startLocal(
  settings: LocalSettings,
  options: StartLocalOptions = {},
): Promise<LocalRuntime> {
  const log: LocalLog = options.log ?? (options.quiet ? () => undefined : stderrLog);
  const dataDir = settings.dataDir;
  makeOwnerOnlyDir(dataDir);
  const adsProviders = settings.adsProviders ?? [];
  const served = adsProviders.filter((p) => p.baseUrl === undefined).map((p) => p.provider);
  // A provider without `baseUrl` is served by its in-process test double: started here unless the
  // caller brings its own (tests inject faults into theirs), and stopped with local mode.
  const ownDoubles =
    served.length > 0 && !options.providerDoubles
      ? await startProviderDoubles({ providers: served })
      : undefined;
  options = ownDoubles ? { ...options, providerDoubles: ownDoubles } : options;
  // Direct mail: Lob or PostGrid without baseUrl is served by its double (lib/local/mail.ts).
  const mail = await localDirectMail(
    settings.directMail,
    settings.providerSecrets ?? new StaticProviderSecrets({}),
    options.mailDoubles,
  );
  // The CRM likewise: without `baseUrl`, its double, with the credentials the double accepts.
  const crmConfigured = settings.crmProvider;
  const crmServed = crmConfigured !== undefined && crmConfigured.baseUrl === undefined;
  const ownCrmDouble =
    crmServed && !options.crmDouble ? await startCrmDouble(crmConfigured.provider) : undefined;
  const crmDouble = crmServed ? (options.crmDouble ?? ownCrmDouble) : undefined;
  const crmProvider =
    crmDouble && crmConfigured ? { ...crmConfigured, baseUrl: crmDouble.baseUrl } : crmConfigured;
  const providerSecrets: ProviderSecrets =
    crmDouble && crmConfigured
      ? withDoubleSecrets(crmDouble.secretsFor(crmConfigured), mail.secrets)
      : mail.secrets;
  const version = readVersion();

  const clockFile = path.join(dataDir, 'clock.json');
  const clock = LocalClock.resume(clockFile, settings.clock);
  clock.save(clockFile);
  const unsubscribeKey = loadOrCreateSecret(path.join(dataDir, 'unsubscribe-key'));
  const sentMail = new SentMailStore(path.join(dataDir, SENT_MAIL_FILE));

  // Stores first: the HTTP server's port decides the unsubscribe links, so the router is set once
  // everything is wired (the server answers 503 until then).
  const dynamo = await startDynalite({ path: path.join(dataDir, 'dynamo'), tableName: LOCAL_TABLE_NAME });
  let ses: LocalSes | undefined;
  let http: LocalHttp | undefined;
  try {
    // SES's sending rate is emulated by the SES this process starts (an external one is unlimited).
    ses = options.sesEndpoint
      ? connectSes(options.sesEndpoint)
      : await startSesLocal({
          port: settings.sesPort,
          host: settings.host,
          maxSendRate: settings.sesMaxSendRate,
          clock,
        });
    const holder: { router?: Router; local?: Router } = {};
    // Requests in flight, but for the clock's own (an advance waits for the others).
    let requests = 0;
    const counted = async (req: HttpRequest, router: Router): Promise<HttpResponse> => {
      if (req.path.startsWith(LOCAL_CLOCK_PATH)) return router.handleHttp(req);
      requests++;
      try {
        return await router.handleHttp(req);
      } finally {
        requests--;
        workEnded();
      }
    };
    const gate: Router = {
      routes: [],
      handleHttp: async (req: HttpRequest): Promise<HttpResponse> =>
        holder.router && holder.local
          ? counted(req, req.path.startsWith('/_local/') ? holder.local : holder.router)
          : {
              status: 503,
              headers: { 'content-type': 'application/json; charset=utf-8', 'retry-after': '1' },
              body: JSON.stringify({
                error: { code: 'unavailable', message: 'local mode is starting', details: [] },
              }),
            },
    };
    const requestLog = options.requestLog ?? !options.quiet;
    http = await startHttp(gate, {
      host: settings.host,
      port: settings.port,
      log: requestLog ? (line) => log(line) : undefined,
    });

    const localLog: Log = { info: log, warn: log, error: log };
    // In simulate mode the queues deliver when the clock settles (an advance), not on real time.
    const autoFlush = clock.mode !== 'simulate';
    const buffer = new LocalQueue({
      name: 'buffer queue',
      batchSize: 1000,
      flushMs: options.scorerFlushMs,
      autoFlush,
      log,
    });
    const scorerQueue = new LocalQueue({ name: 'scorer queue', batchSize: 10, flushMs: 0, autoFlush, log });
    // The stack's audience sync queue (batches of up to 100, a batching window, partial failures).
    const adsQueue = new LocalQueue({
      name: 'audience sync queue',
      batchSize: 100,
      flushMs: options.adsFlushMs ?? 200,
      log,
    });
    // The stack's program trigger queue (batches of 10).
    const programsQueue = new LocalQueue({
      name: 'program trigger queue',
      batchSize: 10,
      flushMs: 0,
      autoFlush,
      log,
    });
    // The stack's CRM task queue (batches of up to 10, partial failures).
    const crmQueue = new LocalQueue({
      name: 'CRM task queue',
      batchSize: 10,
      flushMs: options.crmFlushMs ?? 200,
      log,
    });
    const bus = new LocalBus(
      [
        queueTarget('scorerIngest', RULES.scorerIngest as never, buffer),
        queueTarget('programEngagement', RULES.programEngagement as never, programsQueue),
        queueTarget('programAccountChanges', RULES.programAccountChanges as never, programsQueue),
        queueTarget('adsAudienceChanged', RULES.adsAudienceChanged as never, adsQueue),
        queueTarget('crmTaskCreated', RULES.crmTaskCreated as never, crmQueue),
        // The stack sends these to its alarm topic; local mode's alarm is a log line.
        {
          rule: 'sendingPaused',
          pattern: RULES.sendingPaused as never,
          deliver: (events) => {
            for (const e of events) log('ALARM: email sending paused (abm sending resume DOMAIN)', e.detail);
          },
        },
      ],
      { log },
    );

    // The executions are the platform's Step Functions (starter and control); they need the engine,
    // which needs the platform: the ports delegate to them once they exist.
    const exec: { current?: LocalExecutions } = {};
    const stepFunctions: ExecutionStarter & SequenceControl = {
      start: (input) => exec.current!.start(input),
      resume: (token, output) => exec.current!.resume(token, output),
      stop: (name, reason) => exec.current!.stop(name, reason),
    };
    const platform: LocalPlatform = compose(
      {
        tableName: dynamo.tableName,
        dynamo: dynamo.connection,
        senderEmail: options.senderEmail ?? 'campaigns@abm.local',
        senderName: options.senderName ?? 'ABM (local)',
        unsubscribeBaseUrl: `${http.url}/unsubscribe`,
        sesConfigurationSet: LOCAL_CONFIGURATION_SET,
        scoring: options.scoring,
        reputation: settings.reputation,
        coverage: settings.coverage,
        adsProviders,
        adsAudiences: audienceKinds(adsProviders),
        crmProvider,
        directMailProvider: mail.settings,
        sesMaxSendRate: options.pace === false ? undefined : settings.sesMaxSendRate,
        launchMaxUsd: settings.launchMaxUsd,
        version,
      },
      {
        engine: (p) => createSequenceEngine(p),
        enqueue: enqueuerFeature,
        scorer: (p) => scorerFeature(p),
        rescorer: (p) => rescoreFeature(p),
        launch: (p) =>
          inProcessLaunch(p, {
            batchSize: 100,
            concurrency: 4,
            awaitCompletion: false,
            onError: (err) => log('launch failed', { error: String(err) }),
          }),
        programs: programsFeature,
        ads: (p) =>
          adsSyncFeature(p, {
            createAdapter: options.createAdapter,
            doubles: options.providerDoubles,
          }),
        crm: (p) =>
          crmFeature(p, {
            completeTask: createTasksService(
              withPorts(p, { publisher: PUBLISHER }, { tasks: p.repository(TaskRepository), clock: p.clock }),
            ).complete,
          }),
      },
      {
        clock,
        log: localLog,
        publisher: bus,
        starter: stepFunctions,
        control: stepFunctions,
        email: new RecordingEmailSender(
          new SesEmailSender(ses.client, LOCAL_CONFIGURATION_SET),
          sentMail,
          clock,
        ),
        unsubscribeKey: new StaticSecretSource(unsubscribeKey),
        fifo: fifoSender(scorerQueue),
        providerSecrets,
        // A template stored without its compiled form (saved by an older version) is compiled in process.
        templateCompiler: inProcessTemplateCompiler((): Platform => platform),
      },
    );
    // Say at start whether the print-and-mail key is a test key (nothing is mailed) or a live one.
    const mailMode = await reportMailMode(platform, log);
    buffer.consume((records) => platform.enqueue(records));
    scorerQueue.consume((records) => platform.scorer.handleBatch(records));
    adsQueue.consume((records) => platform.ads.handleBatch(records));
    programsQueue.consume((records) => triggerBatch(platform.programs, records, log));
    crmQueue.consume(async (records) =>
      platform.crm ? platform.crm.handleBatch(records) : { batchItemFailures: [] },
    );
    const crmPollMs = options.crmPollMs ?? 60_000;
    const crmPollTimer =
      platform.crm && crmPollMs > 0
        ? setInterval(() => {
            platform.crm?.poll().catch((err: unknown) => log('CRM poll failed', { error: String(err) }));
          }, crmPollMs)
        : undefined;
    crmPollTimer?.unref();

    const executions = new LocalExecutions({
      journal: platform.repository(ExecutionJournal),
      campaigns: platform.repository(CampaignRepository),
      enrollments: platform.repository(EnrollmentRepository),
      catalog: platform.repository(CatalogRepository),
      engine: platform.engine,
      clock,
      log,
    });
    exec.current = executions;
    const router = createApi(platform, {
      launch: platform.launch,
      router: { bearerToken: settings.apiToken },
      importPinpoint: importPinpointJourney,
      webhooks: (paths) => webhooksFeature(platform, paths),
    });
    const normalise = sesNormaliserFeature(platform);
    holder.local = createRouter(
      [
        localSesEventsRoute({ configurationSet: LOCAL_CONFIGURATION_SET, normalise, now: () => clock.now() }),
        localProvidersRoute({
          snapshot: async () => {
            const others = withCrmDouble(options.providerDoubles, crmDouble);
            return {
              providers: [
                ...(others ? (await others.snapshot()).providers : []),
                ...(mail.doubles?.snapshot().providers.map((p) => ({ ...p, mode: mailMode })) ?? []),
              ],
            };
          },
        }),
        ...localClockRoutes(clock),
        ...localMailRoutes(sentMail, settings.apiToken),
      ],
      { bearerToken: settings.apiToken },
    );

    // Re-hydrate what was in flight, then open the API.
    const rehydrated = await executions.rehydrate();
    if (rehydrated.restarted.length > 0 || rehydrated.skipped.length > 0)
      log('re-hydrated executions', {
        restarted: rehydrated.restarted.length,
        awaiting: rehydrated.awaiting.length,
        skipped: rehydrated.skipped,
      });
    const settled = recheckAwaits(rehydrated, executions, platform.scorer, log);
    holder.router = router;
    const rescoreSchedule = new SimulatedDailySchedule(
      're-score',
      clock,
      RESCORE_AT_UTC,
      () => platform.rescorer.rescore(),
      log,
    ).start();
    clock.onSettle(() =>
      settle({
        idle: async () => {
          await platform.launch.idle();
          await settled;
        },
        busy: () => requests > 0 || executions.busy > 0 || rescoreSchedule.busy,
        queues: [buffer, scorerQueue, programsQueue],
      }),
    );

    const saveTimer = setInterval(() => {
      try {
        clock.save(clockFile);
      } catch (err) {
        log('could not save the clock', { error: String(err) });
      }
    }, options.clockSaveMs ?? 1000);
    saveTimer.unref();

    let stopping: Promise<void> | undefined;
    const localHttp = http;
    const localSes = ses;
    return {
      url: http.url,
      sesUrl: ses.endpoint,
      token: settings.apiToken,
      dataDir,
      version,
      clock,
      platform,
      bus,
      queues: { buffer, scorer: scorerQueue, ads: adsQueue, programs: programsQueue, crm: crmQueue },
      ...(crmDouble ? { crmDouble } : {}),
      rescoreSchedule,
      executions,
      dynamo,
      ses,
      sentMail,
      mailViewerUrl: `${http.url}/_local/mail/view?token=${encodeURIComponent(settings.apiToken)}`,
      consoleUrl: `${http.url}/console/`,
      http,
      rehydrated,
      settled,
      stop: () =>
        (stopping ??= (async () => {
          holder.router = undefined;
          clock.stop();
          await rescoreSchedule.stop();
          await localHttp.close();
          await Promise.race([platform.launch.idle(), new Promise((r) => setTimeout(r, 5_000).unref())]);
          // Engagement already accepted is scored while executions can still be resumed.
          await drainScoring({ buffer, scorer: scorerQueue }, 5_000);
          await executions.shutdown();
          await drainScoring({ buffer, scorer: scorerQueue }, 2_000, true);
          await adsQueue.drain({ timeoutMs: 2_000, close: true });
          await programsQueue.drain({ timeoutMs: 2_000, close: true });
          clearInterval(crmPollTimer);
          await crmQueue.drain({ timeoutMs: 2_000, close: true });
          clearInterval(saveTimer);
          clock.save(clockFile);
          await localSes.stop();
          await dynamo.stop();
          await ownDoubles?.close();
          await ownCrmDouble?.close();
          if (mail.own) await mail.doubles?.close();
        })()),
    };
  } catch (err) {
    await http?.close().catch(() => undefined);
    await ses?.stop().catch(() => undefined);
    await dynamo.stop().catch(() => undefined);
    await ownDoubles?.close().catch(() => undefined);
    await ownCrmDouble?.close().catch(() => undefined);
    if (mail.own) await mail.doubles?.close().catch(() => undefined);
    throw err;
  }
}

/** Builds the print-and-mail adapter now (its log line says test or live key); its mode. */
async function reportMailMode(platform: Platform, log: LocalLog): Promise<KeyMode | undefined> {
  const provider = withConfiguredMail(platform, providers(platform)).directMail;
  if (!('ready' in provider)) return undefined;
  try {
    return (await (provider as LazyMailProvider).ready()).mode;
  } catch (err) {
    log('direct mail provider not ready (its secret?)', { error: String(err) });
    return undefined;
  }
}

/**
 * Resolves when nothing is in flight: no request, execution step, launch, re-score or queue
 * message. Queues are flushed here once everything else is quiet (not on their real-time timer), so
 * each batch holds what the quiet work left, whatever the machine's speed; the check is repeated
 * a macrotask later so that work started by a continuation is seen.
 */
/** How long the settle waits for an end it was not told of before it looks again. */
const SETTLE_FALLBACK_MS = 50;

async function settle(work: {
  idle: () => Promise<void>;
  busy: () => boolean;
  queues: readonly LocalQueue[];
}): Promise<void> {
  for (let calm = 0; calm < 2;) {
    await work.idle();
    await new Promise((resolve) => setImmediate(resolve));
    if (work.busy()) {
      calm = 0;
      // Woken when a request, a task, an execution's state or the re-score ends (lib/local/quiet.ts).
      await nextWorkEnd(SETTLE_FALLBACK_MS);
      continue;
    }
    const queue = work.queues.find((q) => q.busy);
    if (queue) {
      calm = 0;
      await queue.flush();
      continue;
    }
    calm++;
  }
}

/** Engagement accepted so far reaches the scorer: the buffer, then the scorer queue, until both are empty. */
async function drainScoring(
  queues: { buffer: LocalQueue; scorer: LocalQueue },
  timeoutMs: number,
  close = false,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  do {
    await queues.buffer.drain({ timeoutMs: Math.max(0, deadline - Date.now()) });
    await queues.scorer.drain({ timeoutMs: Math.max(0, deadline - Date.now()) });
  } while ((queues.buffer.size > 0 || queues.scorer.size > 0) && Date.now() < deadline);
  if (close) {
    await queues.buffer.drain({ timeoutMs: 0, close: true });
    await queues.scorer.drain({ timeoutMs: 0, close: true });
  }
}

/**
 * An execution re-hydrated while parked on await_engagement parks again on a new token. If its
 * condition came to hold while the process was down, no new event would resume it: once it has
 * parked, the scorer checks it (scoring/scorer.ts, resumeIfSatisfied).
 */
async function recheckAwaits(
  rehydrated: RehydrateResult,
  executions: LocalExecutions,
  scorer: LocalPlatform['scorer'],
  log: LocalLog,
): Promise<void> {
  for (const a of rehydrated.awaiting) {
    try {
      await executions.sfn.waitForParked({ execution: a.executionName, state: 'AwaitEngagement' }, 10_000);
      if (await scorer.resumeIfSatisfied(a.accountId, a.campaignId))
        log('resumed a re-hydrated wait whose condition holds', { execution: a.executionName });
    } catch (err) {
      log('could not re-check a re-hydrated wait', { execution: a.executionName, error: String(err) });
    }
  }
}

/** The CRM double's credentials under the configured secret names, else the configured secrets. */
function withDoubleSecrets(values: Record<string, unknown>, base: ProviderSecrets): ProviderSecrets {
  const own = new StaticProviderSecrets(values);
  return {
    get: (name) => (Object.prototype.hasOwnProperty.call(values, name) ? own.get(name) : base.get(name)),
  };
}

/** `GET /_local/providers` over the ad doubles and the CRM double. */
function withCrmDouble(
  ads: ProviderDoubles | undefined,
  crm: CrmDouble | undefined,
): ProviderDoubles | undefined {
  if (!crm) return ads;
  return {
    baseUrlFor: (provider) => ads!.baseUrlFor(provider),
    snapshot: async () => ({ providers: [...((await ads?.snapshot())?.providers ?? []), crm.snapshot()] }),
  };
}
