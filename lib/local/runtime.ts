/**
 * Local mode (DESIGN 2.7): the whole product on one machine, no AWS account. This file is only
 * the wiring; every behaviour is the code Lambda runs:
 *
 *   HTTP (node:http, lib/local/http.ts) -> the API router (functions/api/app.ts), bearer token
 *   launch service -> LocalExecutions (ExecutionStarter): the real AccountSequence ASL on the
 *     LocalSfn runner, Tasks -> the sequence engine (executeStep, park), journaled for restarts
 *   engine -> aws-ses-v2-local (SES v2 API, mail viewer), dynalite (persisted), the local bus
 *   bus (RULES patterns) -> scorer queue (FIFO per account, batched) -> scorer -> SequenceControl
 *     (LocalExecutions: SendTaskSuccess / abort)
 *
 * One ScaledClock (persisted in the data folder) is THE clock: repository, engine, scorer, API and
 * the runner's Wait states. `startLocal` is used in process by tests and the benchmark, and by
 * bin/local.ts (`npm start`).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import '../../functions/platform/polyfills';
import { AccountRepository } from '../../functions/platform/store/repository';
import { Table } from '../../functions/platform/store/table';
import { EventBridgeAudienceProvider } from '../../functions/platform/providers/audience';
import { EventBridgeDirectMailProvider } from '../../functions/platform/providers/direct-mail';
import { StaticSecretSource } from '../../functions/platform/secrets';
import { SesEmailSender } from '../../functions/platform/ses';
import { ingestorFrom } from '../../functions/api/adapters';
import { createApi } from '../../functions/api/app';
import type { HttpRequest, HttpResponse, Router } from '../../functions/api/router';
import { RULES } from '../../functions/kernel/events';
import {
  conditionHolds,
  engagementAt,
  evaluationTime,
  scoringConfig,
  type ResolvedScoringConfig,
} from '../../functions/scoring/domain';
import { createSequenceEngine } from '../../functions/engine/sequence-engine';
import { createIngest } from '../../functions/ingest/ingest';
import { RepositoryAccountResolver } from '../../functions/ingest/resolver';
import { DynamoUnresolvedStore } from '../../functions/platform/store/unresolved';
import { createLaunchService } from '../../functions/launch/launch-service';
import { InProcessLaunchRunner } from '../../functions/launch/runners';
import { createScorer, resumeOutput } from '../../functions/scoring/scorer';
import { DynamoScorerStore } from '../../functions/platform/store/scores';
import { LocalBus, ScorerQueue, type LocalLog } from './bus';
import { startDynalite, type LocalDynamo } from './dynamo';
import { LocalExecutions, type RehydrateResult } from './executions';
import { startHttp, type LocalHttp } from './http';
import { ScaledClock } from './scaled-clock';
import { startSesLocal, type LocalSes, type StoredEmail } from './ses';
import type { LocalSettings } from './settings';

export const LOCAL_TABLE_NAME = 'abm-local';

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
  /** Scorer queue: real ms between flushes (default 200). */
  scorerFlushMs?: number;
  /** How often the simulated clock is saved (real ms, default 1000). */
  clockSaveMs?: number;
  /**
   * Use an aws-ses-v2-local that is already running (its endpoint) instead of starting one: its
   * store then outlives this process (the restart test counts mail across a kill with it).
   */
  sesEndpoint?: string;
}

export interface LocalRuntime {
  url: string;
  sesUrl: string;
  token: string;
  dataDir: string;
  timeScale: number;
  version: string;
  clock: ScaledClock;
  table: Table;
  repo: AccountRepository;
  bus: LocalBus;
  scorerQueue: ScorerQueue;
  executions: LocalExecutions;
  dynamo: LocalDynamo;
  ses: LocalSes;
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

/** An aws-ses-v2-local started elsewhere: the same interface, nothing to stop but the client. */
function externalSes(endpoint: string): LocalSes {
  const base = endpoint.replace(/\/+$/, '');
  const client = new SESv2Client({
    endpoint: base,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return {
    endpoint: base,
    client,
    async emails() {
      const res = await fetch(`${base}/store`);
      if (!res.ok) throw new Error(`GET /store: ${res.status}`);
      return ((await res.json()) as { emails: StoredEmail[] }).emails;
    },
    async clear() {
      const res = await fetch(`${base}/clear-store`, { method: 'POST' });
      if (!res.ok) throw new Error(`POST /clear-store: ${res.status}`);
    },
    async stop() {
      client.destroy();
    },
  };
}

const stderrLog: LocalLog = (message, data) =>
  process.stderr.write(`[abm] ${message}${data ? ` ${JSON.stringify(data)}` : ''}\n`);

export async function startLocal(
  settings: LocalSettings,
  options: StartLocalOptions = {},
): Promise<LocalRuntime> {
  const log: LocalLog = options.log ?? (options.quiet ? () => undefined : stderrLog);
  const dataDir = settings.dataDir;
  mkdirSync(dataDir, { recursive: true });
  const version = readVersion();

  const clockFile = path.join(dataDir, 'clock.json');
  const clock = ScaledClock.resume(clockFile, settings.timeScale);
  clock.save(clockFile);
  const unsubscribeKey = loadOrCreateSecret(path.join(dataDir, 'unsubscribe-key'));

  // Stores first: the HTTP server's port decides the unsubscribe links, so the router is set once
  // everything is wired (the server answers 503 until then).
  const dynamo = await startDynalite({ path: path.join(dataDir, 'dynamo'), tableName: LOCAL_TABLE_NAME });
  let ses: LocalSes | undefined;
  let http: LocalHttp | undefined;
  try {
    ses = options.sesEndpoint
      ? externalSes(options.sesEndpoint)
      : await startSesLocal({ port: settings.sesPort, host: settings.host });
    const holder: { router?: Router } = {};
    const gate: Router = {
      routes: [],
      handleHttp: async (req: HttpRequest): Promise<HttpResponse> =>
        holder.router
          ? holder.router.handleHttp(req)
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

    const table = new Table(dynamo.client, dynamo.tableName);
    const repo = new AccountRepository(table, { now: () => clock.now() });

    // The bus and its scorer target. The scorer's SequenceControl is the executions (set below).
    const holderExec: { executions?: LocalExecutions } = {};
    const control = {
      resume: (token: string, output: unknown) => holderExec.executions!.resume(token, output),
      stop: (name: string, reason: string) => holderExec.executions!.stop(name, reason),
    };
    const config: ResolvedScoringConfig = scoringConfig(options.scoring ?? {});
    const store = new DynamoScorerStore(table, repo, (item, error) =>
      log('invalid item in account partition', { pk: item.pk, sk: item.sk, error: String(error) }),
    );
    const busRef: { bus?: LocalBus } = {};
    const publisher = {
      publish: (events: Parameters<LocalBus['publish']>[0]) => busRef.bus!.publish(events),
    };
    // The ad-audience provider of the engine, the scorer's exit-stage stops and the API's stops.
    const audiences = new EventBridgeAudienceProvider(publisher);
    const scorer = createScorer({
      store,
      publisher,
      control,
      audienceExit: { repo, audiences },
      clock,
      config,
      logger: {
        warn: (message, extra) => log(`scorer: ${message}`, extra),
        error: (message, extra) => log(`scorer: ${message}`, extra),
      },
    });
    const scorerQueue = new ScorerQueue(scorer, { flushMs: options.scorerFlushMs, log });
    const bus = new LocalBus([scorerQueue.target('scorerIngest', RULES.scorerIngest as never)], { log });
    busRef.bus = bus;

    const engine = createSequenceEngine({
      repo,
      publisher: bus,
      clock,
      email: new SesEmailSender(ses.client),
      unsubscribeKey: new StaticSecretSource(unsubscribeKey),
      audiences,
      directMail: new EventBridgeDirectMailProvider(bus),
      config: {
        senderEmail: options.senderEmail ?? 'campaigns@abm.local',
        senderName: options.senderName ?? 'ABM (local)',
        unsubscribeBaseUrl: `${http.url}/unsubscribe`,
      },
      log: (message, data) => log(`engine: ${message}`, data),
    });
    const executions = new LocalExecutions({
      table,
      repo,
      engine,
      clock,
      timeScale: settings.timeScale,
      log,
    });
    holderExec.executions = executions;

    const runnerRef: { runner?: InProcessLaunchRunner } = {};
    const launch = createLaunchService({
      repo,
      table,
      clock,
      starter: executions,
      runner: { start: (plan) => runnerRef.runner!.start(plan) },
    });
    const runner = new InProcessLaunchRunner(launch, {
      batchSize: 100,
      concurrency: 4,
      awaitCompletion: false,
      onError: (err) => log('launch failed', { error: String(err) }),
    });
    runnerRef.runner = runner;

    const router = createApi(
      {
        repo,
        table,
        clock,
        publisher: bus,
        launch,
        control: executions,
        audiences,
        unsubscribeKey: async () => unsubscribeKey,
        version,
        ingest: {
          ingest: (events) =>
            ingestorFrom(
              createIngest({
                resolver: new RepositoryAccountResolver(repo),
                publisher: bus,
                unresolved: new DynamoUnresolvedStore(table),
                clock,
                suppress: async (email, reason) => {
                  await repo.addSuppression(email, { reason, source: 'api' });
                },
              }),
            ).ingest(events),
        },
      },
      {
        bearerToken: settings.apiToken,
        onUnexpected: (err, requestId, req) =>
          log('unexpected error', { requestId, path: req.path, error: String((err as Error)?.stack ?? err) }),
      },
    );

    // Re-hydrate what was in flight, then open the API.
    const rehydrated = await executions.rehydrate();
    if (rehydrated.restarted.length > 0 || rehydrated.skipped.length > 0)
      log('re-hydrated executions', {
        restarted: rehydrated.restarted.length,
        awaiting: rehydrated.awaiting.length,
        skipped: rehydrated.skipped,
      });
    const settled = recheckAwaits(rehydrated, { executions, repo, store, clock, config, log });
    holder.router = router;

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
      timeScale: settings.timeScale,
      version,
      clock,
      table,
      repo,
      bus,
      scorerQueue,
      executions,
      dynamo,
      ses,
      http,
      rehydrated,
      settled,
      stop: () =>
        (stopping ??= (async () => {
          holder.router = undefined;
          await localHttp.close();
          await Promise.race([runner.idle(), new Promise((r) => setTimeout(r, 5_000).unref())]);
          // Engagement already accepted is scored while executions can still be resumed.
          await scorerQueue.drain({ timeoutMs: 5_000 });
          await executions.shutdown();
          await scorerQueue.drain({ timeoutMs: 2_000, close: true });
          clearInterval(saveTimer);
          clock.save(clockFile);
          await localSes.stop();
          await dynamo.stop();
        })()),
    };
  } catch (err) {
    await http?.close().catch(() => undefined);
    await ses?.stop().catch(() => undefined);
    await dynamo.stop().catch(() => undefined);
    throw err;
  }
}

/**
 * An execution re-hydrated while parked on await_engagement parks again on a new token. If its
 * condition came to hold while the process was down (or between the scorer's write and the
 * resume), no new event would resume it: check once, as the scorer does, and resume.
 */
async function recheckAwaits(
  rehydrated: RehydrateResult,
  deps: {
    executions: LocalExecutions;
    repo: AccountRepository;
    store: DynamoScorerStore;
    clock: ScaledClock;
    config: ResolvedScoringConfig;
    log: LocalLog;
  },
): Promise<void> {
  for (const a of rehydrated.awaiting) {
    try {
      await deps.executions.sfn.waitForParked(
        { execution: a.executionName, state: 'AwaitEngagement' },
        10_000,
      );
      const enrollment = await deps.repo.getEnrollment(a.accountId, a.campaignId);
      if (enrollment?.status !== 'waiting' || !enrollment.taskToken) continue;
      const state = (await deps.store.load(a.accountId)).score?.state;
      if (!state) continue;
      const engagement = engagementAt(state, evaluationTime(state, deps.clock.now().getTime()), deps.config);
      const since = enrollment.waitingFor?.since ? Date.parse(enrollment.waitingFor.since) : undefined;
      if (conditionHolds(enrollment.waitingFor?.until, state, state.stage, engagement, since)) {
        await deps.executions.resume(enrollment.taskToken, resumeOutput(state, engagement, enrollment));
        deps.log('resumed a re-hydrated wait whose condition holds', { execution: a.executionName });
      }
    } catch (err) {
      deps.log('could not re-check a re-hydrated wait', { execution: a.executionName, error: String(err) });
    }
  }
}
