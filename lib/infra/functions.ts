/**
 * The one registry of Lambda entry points. Every construct creates its functions from these
 * entries (through the stack's `FunctionFactory`, which builds a `BaseFunction`), and
 * `bench/bundles.ts` bundles exactly these, so the benchmark cannot drift from what deploys;
 * `test/infra/stack.test.ts` checks that the stack deploys each entry once and nothing else.
 */
import * as path from 'node:path';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';

const FUNCTIONS_DIR = path.join(__dirname, '..', '..', 'functions');

export interface LambdaEntry {
  /** Absolute path of the handler module (exports `handler`). */
  readonly entry: string;
  readonly description: string;
  /**
   * Packages installed beside the bundle rather than bundled (`NodejsFunction` `nodeModules`): the
   * ones in `ON_DEMAND_MODULES` the function imports, only when needed.
   */
  readonly installedModules?: readonly string[];
}

/**
 * Large packages a function imports only when a feature asks for them (`import()` at first use),
 * kept out of every bundle (lib/infra/constructs/base-function.ts) and installed beside the bundles
 * of the functions that use them: the public-holiday calendars (functions/platform/holidays.ts,
 * about 1.5 MB of rules and code) and the time-zone-to-country table.
 */
export const ON_DEMAND_MODULES = ['date-holidays', 'countries-and-timezones'] as const;

const lambda = (file: string, description: string, installedModules?: readonly string[]): LambdaEntry => ({
  ...(installedModules ? { installedModules } : {}),
  entry: path.join(FUNCTIONS_DIR, file),
  description,
});

export const LAMBDAS = {
  health: lambda('api/handlers/get-health.ts', 'GET /health: liveness, version and clock'),
  httpApi: lambda(
    'api/handlers/http-api.ts',
    'HTTP API: every route but the accounts, the catalog, the programs and the imports (router with zod at the edge)',
  ),
  accountsApi: lambda(
    'api/handlers/accounts-api.ts',
    'HTTP API: the accounts (list, view, timeline, contacts, erasure)',
  ),
  programsApi: lambda(
    'api/handlers/programs-api.ts',
    'HTTP API: /programs and their reports (always-on programs: define, pause, resume)',
  ),
  catalogApi: lambda(
    'api/handlers/catalog-api.ts',
    'HTTP API: templates and sequences (saving a template compiles it with Handlebars)',
  ),
  importAccounts: lambda(
    'api/handlers/import-accounts.ts',
    'HTTP API: POST /accounts/import (JSON or CSV rows; upserts accounts and contacts)',
  ),
  importPinpoint: lambda(
    'api/handlers/import-pinpoint.ts',
    'HTTP API: POST /sequences/import/pinpoint (converts a Pinpoint journey; nothing stored)',
  ),
  receiveWebhook: lambda(
    'api/handlers/receive-webhook.ts',
    'HTTP API: POST /webhooks/{provider} (public; each request verified by its provider signature)',
  ),
  executeStep: lambda(
    'engine/handlers/execute-step.ts',
    'AccountSequence: executes the current step of one account and plans the next',
    // A send window's holidays (functions/platform/holidays.ts).
    ON_DEMAND_MODULES,
  ),
  compileTemplate: lambda(
    'api/handlers/compile-template.ts',
    'Templates: compiles a template stored without its compiled form (ExecuteStep invokes it: the engine carries no template parser)',
  ),
  forecastLaunch: lambda(
    'engine/handlers/forecast-launch.ts',
    'Launch forecast: touches, caps, finish, cost and quotas of a launch with no engagement (the router invokes it)',
    // The send window's holidays, as the step loads them (functions/platform/holidays.ts).
    ON_DEMAND_MODULES,
  ),
  parkExecution: lambda(
    'engine/handlers/park-execution.ts',
    'AccountSequence: stores a task token on the enrollment (await engagement, pause)',
  ),
  enrollBatch: lambda(
    'launch/handlers/enroll-batch.ts',
    'Launcher item processor: enrolls a batch of accounts (conditional put + StartExecution each)',
  ),
  finalizeLaunch: lambda(
    'launch/handlers/finalize-launch.ts',
    'Launcher last step: counts the campaign enrollments, marks it running',
  ),
  enqueueEngagement: lambda(
    'scoring/handlers/enqueue-engagement.ts',
    'Groups engagement events per account into the scorer FIFO queue',
  ),
  scoreEngagement: lambda(
    'scoring/handlers/score-engagement.ts',
    'Folds engagement per account into score and stage; steers running sequences',
  ),
  rescoreAccounts: lambda(
    'scoring/handlers/rescore-accounts.ts',
    'Daily: re-scores the accounts whose score decayed below their stage (stages follow decay)',
  ),
  programTriggers: lambda(
    'programs/handlers/program-triggers.ts',
    'Program trigger queue: intent surges, stage and score changes, imports -> always-on program entries',
  ),
  syncAudiences: lambda(
    'ads/handlers/sync-audiences.ts',
    'Ad audiences: applies ads.audience.changed to LinkedIn, Google and Meta lists (membership ledger)',
  ),
  syncCrmTasks: lambda(
    'crm/handlers/sync-crm-tasks.ts',
    'CRM: creates each SDR task (sdr.task.created) in HubSpot or Salesforce, once per task',
  ),
  pollCrmTasks: lambda(
    'api/handlers/poll-crm-tasks.ts',
    'CRM: brings tasks completed in the CRM back as their outcomes (scheduled, bounded)',
  ),
  normaliseSesEvent: lambda(
    'ingest/handlers/normalise-ses-event.ts',
    'SES email events -> engagement.recorded; suppresses hard bounces and complaints',
  ),
} as const satisfies Record<string, LambdaEntry>;

export type LambdaName = keyof typeof LAMBDAS;

/** What a construct asks the stack for: an entry from `LAMBDAS`, its environment and sizing. */
export interface FunctionRequest extends LambdaEntry {
  readonly environment: Readonly<Record<string, string>>;
  /** MB; default 256. */
  readonly memorySize?: number;
  /** Seconds; default 10. */
  readonly timeoutSeconds?: number;
  /** Reserved concurrent executions; none by default. */
  readonly reservedConcurrency?: number;
}

/**
 * Builds a function for a construct. The stack passes one that makes a `BaseFunction` with the
 * stage's log retention and removal policy, so constructs never repeat runtime, architecture,
 * tracing or bundling settings.
 */
export type FunctionFactory = (scope: Construct, id: string, request: FunctionRequest) => IFunction;
