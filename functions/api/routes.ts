/**
 * The route table of the HTTP API (docs/architecture.md "HTTP API"). One table drives the router, the OpenAPI
 * document (functions/api/openapi.ts) and the IAM/none authorisation of each API Gateway route
 * (lib/infra/constructs/api.ts imports `ROUTE_AUTH` from here), so none of them can drift.
 */
import type { Clock } from '../kernel/clock';
import { NotImplemented } from '../kernel/errors';
import { checkLaunchBody, type ControlService, type LaunchService } from '../launch';
import type { SendingReputation } from '../ingest';
import type { ReportService } from '../reports';
import type { AccountsService } from './accounts-service';
import { accountRoutes } from './account-routes';
import { accountImportRoute } from './account-import-route';
import type { AccountImport } from './account-import';
import { catalogRoutes, type CatalogService } from './catalog-routes';
import { pinpointImportRoute, type PinpointConverter } from './pinpoint-route';
import { programRoutes } from './program-routes';
import type { ProgramsService } from '../programs';
import { webhookRoute } from './webhook-route';
import type { WebhookService } from '../webhooks';
import { E400, E404, E409, E413, err } from './responses';
import { prefersHtml, route, type ResponseSpec, type Route } from './router';
import * as S from './schemas';
import type { createTasksService } from './tasks-service';
import { confirmationPage, donePage, errorPage, type createUnsubscribeService } from './unsubscribe-service';

/** POST /events belongs to the ingestion feature (functions/ingest); the API calls it through this port. */
export type EventIngestor = (body: { events: unknown[] }) => Promise<{
  accepted: number;
  rejected: { index: number; errors: { path: string; message: string }[] }[];
}>;

/** The services behind the routes (built from a platform by `apiServices`, functions/api/app.ts). */
export interface ApiServices {
  version: string;
  clock: Clock;
  /**
   * The accounts' reads and contact writes (functions/api/accounts-service.ts). Handed in by local
   * mode and tests; the deployed router goes without (their own function serves the routes,
   * functions/api/account-routes.ts).
   */
  accounts?: AccountsService;
  /**
   * Templates and sequences (functions/api/catalog-routes.ts). Handed in by local mode and tests;
   * the deployed router goes without (their own function serves those routes).
   */
  catalog?: CatalogService;
  /**
   * POST /accounts/import (functions/api/account-import-route.ts). Handed in by local mode and
   * tests; the deployed router goes without (its own function serves the route).
   */
  importAccounts?: AccountImport;
  tasks: ReturnType<typeof createTasksService>;
  unsubscribe: ReturnType<typeof createUnsubscribeService>;
  launch: LaunchService;
  control: ControlService;
  reports: ReportService;
  ingest?: EventIngestor;
  /**
   * Always-on programs (functions/programs). Handed in by local mode and tests (functions/api/app.ts);
   * the deployed router goes without (their own function serves the routes).
   */
  programs?: ProgramsService;
  /** The sender reputation breaker (functions/ingest/reputation.ts). */
  sending: Pick<SendingReputation, 'status' | 'resume'>;
  /**
   * The Pinpoint journey converter (functions/api/pinpoint-import.ts). Handed in by local mode and
   * tests; the deployed router goes without (its own function serves the route).
   */
  importPinpoint?: PinpointConverter;
  /** The provider webhooks (local mode and tests; on AWS their own function serves the route). */
  webhooks?: WebhookService;
}

/** The unsubscribe link's errors: JSON, or an HTML page for a browser. */
const errPage = (description: string): ResponseSpec => ({ ...err(description), html: true });
const LINK_ERRORS = {
  400: errPage('the link is malformed, forged or expired'),
  404: errPage('the contact of the link no longer exists'),
};
/** An HTML answer with the page's own headers. */
const page = (status: number, p: { html: string; headers: Record<string, string> }) => ({
  status,
  raw: p.html,
  contentType: 'text/html; charset=utf-8',
  headers: p.headers,
});

export function buildRoutes(deps: ApiServices): Route[] {
  const { tasks, unsubscribe, control, reports } = deps;

  const controlRoutes = (['pause', 'resume', 'stop'] as const).flatMap((action) => [
    route({
      method: 'POST',
      path: `/campaigns/{campaignId}/${action}`,
      operationId: `${action}Campaign`,
      summary: `${action[0].toUpperCase()}${action.slice(1)} every enrollment of a campaign`,
      tags: ['campaigns'],
      auth: 'iam',
      params: S.CampaignIdParams,
      responses: { 200: { description: 'done', schema: S.ControlResult }, ...E400, ...E404, ...E409 },
      handler: async ({ params }) => ({
        status: 200,
        body: await control.campaign(params.campaignId, action),
      }),
    }),
    route({
      method: 'POST',
      path: `/campaigns/{campaignId}/enrollments/{accountId}/${action}`,
      operationId: `${action}Enrollment`,
      summary: `${action[0].toUpperCase()}${action.slice(1)} one account's enrollment`,
      tags: ['campaigns'],
      auth: 'iam',
      params: S.EnrollmentParams,
      responses: { 200: { description: 'done', schema: S.ControlResult }, ...E400, ...E404, ...E409 },
      handler: async ({ params }) => ({
        status: 200,
        body: await control.enrollment(params.campaignId, params.accountId, action),
      }),
    }),
  ]);

  return [
    route({
      method: 'GET',
      path: '/health',
      operationId: 'getHealth',
      summary: 'Liveness and version',
      tags: ['health'],
      auth: 'none',
      responses: { 200: { description: 'alive', schema: S.Health } },
      handler: async () => ({
        status: 200,
        body: { status: 'ok', version: deps.version, time: deps.clock.now().toISOString() },
      }),
    }),
    accountImportRoute(deps.importAccounts),
    ...accountRoutes(deps.accounts),
    ...catalogRoutes(deps.catalog),
    pinpointImportRoute(deps.importPinpoint),
    webhookRoute(deps.webhooks),
    route({
      method: 'POST',
      path: '/campaigns',
      operationId: 'launchCampaign',
      summary: 'Launch a sequence over an audience (idempotent on campaignId; dryRun changes nothing)',
      tags: ['campaigns'],
      auth: 'iam',
      body: S.LaunchBody,
      responses: {
        200: { description: 'dry run: what would happen', schema: S.LaunchResult },
        202: { description: 'accepted: enrolled inline, or handed to the launcher', schema: S.LaunchResult },
        ...E400,
        ...E404,
        409: {
          description:
            'conflicts with the current state; `over_budget`: the forecast costs more than config.launch.maxUsd (the forecast is in the body; send confirm: true to launch anyway)',
          schema: S.LaunchConflict,
        },
      },
      handler: async ({ body }) => {
        checkLaunchBody(body);
        const result = await deps.launch.launch(body);
        return { status: result.dryRun ? 200 : 202, body: result };
      },
    }),
    route({
      method: 'GET',
      path: '/campaigns',
      operationId: 'listCampaigns',
      summary: 'Campaigns newest first (filter status, sequence), with enrolled, held out and progress',
      tags: ['campaigns'],
      auth: 'iam',
      query: S.CampaignListQuery,
      responses: { 200: { description: 'a page', schema: S.CampaignList }, ...E400 },
      handler: async ({ query }) => ({ status: 200, body: await reports.list(query) }),
    }),
    route({
      method: 'GET',
      path: '/campaigns/{campaignId}',
      operationId: 'getCampaign',
      summary: 'Campaign progress per step and channel',
      tags: ['campaigns'],
      auth: 'iam',
      params: S.CampaignIdParams,
      responses: { 200: { description: 'progress', schema: S.CampaignView }, ...E400, ...E404 },
      handler: async ({ params }) => ({ status: 200, body: await reports.progress(params.campaignId) }),
    }),
    ...controlRoutes,
    route({
      method: 'GET',
      path: '/tasks',
      operationId: 'listTasks',
      summary:
        "An SDR's queue by priority then due time, or without owner every open task by due time; overdue, who to call, talking points",
      tags: ['tasks'],
      auth: 'iam',
      query: S.TaskListQuery,
      responses: { 200: { description: 'a page', schema: S.TaskList }, ...E400 },
      handler: async ({ query }) => ({ status: 200, body: await tasks.list(query) }),
    }),
    route({
      method: 'POST',
      path: '/tasks/{taskId}/complete',
      operationId: 'completeTask',
      summary: 'Complete a task with an outcome; the outcome becomes an engagement event',
      tags: ['tasks'],
      auth: 'iam',
      params: S.TaskIdParams,
      body: S.TaskCompleteBody,
      responses: { 200: { description: 'completed', schema: S.TaskView }, ...E400, ...E404, ...E409 },
      handler: async ({ params, body }) => ({ status: 200, body: await tasks.complete(params.taskId, body) }),
    }),
    route({
      method: 'POST',
      path: '/events',
      operationId: 'ingestEvents',
      summary: 'Ingest engagement (web visit, intent, CRM stage, meeting)',
      tags: ['events'],
      auth: 'iam',
      body: S.EventsBody,
      bodyDoc: S.EventsBodyDoc,
      responses: {
        202: { description: 'accepted', schema: S.EventsResult },
        ...E400,
        ...E413,
        501: err('ingestion is not wired in this deployment'),
      },
      handler: async ({ body }) => {
        if (!deps.ingest) throw new NotImplemented('event ingestion is not wired');
        return { status: 202, body: await deps.ingest({ events: body.events }) };
      },
    }),
    route({
      method: 'GET',
      path: '/unsubscribe',
      operationId: 'unsubscribePage',
      summary:
        'What the unsubscribe link does (public; a GET never unsubscribes): a browser gets a confirmation page with a one-click form, an API client JSON',
      tags: ['unsubscribe'],
      auth: 'none',
      query: S.UnsubscribeQuery,
      errorPage,
      responses: {
        200: {
          description: 'JSON for an API client; text/html (a confirmation page) for a browser',
          schema: S.UnsubscribeStatus,
          html: true,
        },
        ...LINK_ERRORS,
      },
      handler: async ({ query, headers }) => {
        const status = await unsubscribe.status(query.t);
        if (prefersHtml(headers.accept)) return page(200, confirmationPage(query.t, status.unsubscribed));
        return { status: 200, body: status };
      },
    }),
    route({
      method: 'POST',
      path: '/unsubscribe',
      operationId: 'unsubscribe',
      summary: 'One-click unsubscribe (RFC 8058; public, signed token)',
      tags: ['unsubscribe'],
      auth: 'none',
      query: S.UnsubscribeQuery,
      // RFC 8058 posts `List-Unsubscribe=One-Click` as a form; the token is in the URL, the body is ignored.
      ignoresBody: true,
      errorPage,
      responses: {
        200: {
          description: 'unsubscribed: JSON, or text/html (a page saying so) for a browser',
          schema: S.UnsubscribeResult,
          html: true,
        },
        ...LINK_ERRORS,
      },
      handler: async ({ query, headers }) => {
        const result = await unsubscribe.unsubscribe(query.t);
        return prefersHtml(headers.accept) ? page(200, donePage()) : { status: 200, body: result };
      },
    }),
    route({
      method: 'GET',
      path: '/sending-domains/{domain}',
      operationId: 'getSendingDomain',
      summary:
        "A sending domain's reputation breaker: paused or active, its window's bounce and complaint rates",
      tags: ['sending'],
      auth: 'iam',
      params: S.SendingDomainParams,
      responses: { 200: { description: 'the domain', schema: S.SendingDomainStatus }, ...E400 },
      handler: async ({ params }) => ({ status: 200, body: await deps.sending.status(params.domain) }),
    }),
    route({
      method: 'POST',
      path: '/sending-domains/{domain}/resume',
      operationId: 'resumeSendingDomain',
      summary: 'Resume email from a domain the reputation breaker paused (its window starts afresh)',
      tags: ['sending'],
      auth: 'iam',
      params: S.SendingDomainParams,
      responses: {
        200: { description: 'resumed', schema: S.SendingDomainStatus },
        ...E400,
        409: err('the domain is not paused'),
      },
      handler: async ({ params }) => ({ status: 200, body: await deps.sending.resume(params.domain) }),
    }),
    route({
      method: 'GET',
      path: '/reports/campaigns/{campaignId}',
      operationId: 'getCampaignReport',
      summary: 'Committee coverage, per-step funnel, MQA, lift against the holdout',
      tags: ['reports'],
      auth: 'iam',
      params: S.CampaignIdParams,
      responses: { 200: { description: 'the report', schema: S.CampaignReport }, ...E400, ...E404 },
      handler: async ({ params }) => ({ status: 200, body: await reports.report(params.campaignId) }),
    }),
    ...programRoutes(deps.programs, reports),
  ];
}
