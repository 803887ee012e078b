/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies are read loosely in tests */
/**
 * The API wired for tests: the same router Lambda runs, over dynalite, with recording fakes for
 * Step Functions and the bus, a manual clock, and the in-process launch runner.
 */
import { importPinpointJourney } from '../../functions/api/pinpoint-import';
import { createApi, type ApiOptions } from '../../functions/api/app';
import type { EventIngestor } from '../../functions/api/routes';
import type { HttpResponse, Router } from '../../functions/api/router';
import { ManualClock } from '../../functions/kernel/clock';
import type { OutgoingEmail } from '../../functions/platform/ses';
import { inProcessLaunch, type LaunchService } from '../../functions/launch';
import { inProcessTemplateCompiler } from '../../functions/api/template-compiler';
import { RecordingPublisher } from '../../functions/platform/recorders';
import { compose, type Platform } from '../../functions/platform/compose';
import { StaticSecretSource } from '../../functions/platform/secrets';
import { StaticProviderSecrets } from '../../functions/platform/providers/secrets';
import { webhooksFeature, type WebhookProvider, type WebhookReceiver } from '../../functions/webhooks';
import { RecordingSequenceControl, RecordingStarter } from '../../functions/platform/recorders';
import type { Store } from '../../functions/platform/store';
import { Table } from '../../functions/platform/store/table';
import { storeOf } from '../../functions/platform/store-of';
import { fitProfile } from './accounts';
import { startDynalite, type LocalDynamo } from './dynalite';

export const SIGNING_KEY = 'test-unsubscribe-key';

export interface Harness {
  db: LocalDynamo;
  platform: Platform;
  table: Table;
  store: Store;
  clock: ManualClock;
  starter: RecordingStarter;
  control: RecordingSequenceControl;
  publisher: RecordingPublisher;
  launch: LaunchService & { idle(): Promise<void> };
  /** What the email port was asked to send (the template test send); `failWith` makes the next send throw it. */
  mail: { sent: OutgoingEmail[]; failWith?: Error };
  router: Router;
  call(
    method: string,
    path: string,
    options?: {
      body?: unknown;
      raw?: string;
      contentType?: string;
      query?: Record<string, string>;
      headers?: Record<string, string>;
    },
  ): Promise<HttpResponse & { json: any }>;
  stop(): Promise<void>;
}

export async function startHarness(
  options: {
    inlineLimit?: number;
    ingest?: EventIngestor;
    maxBodyBytes?: number;
    bearerToken?: string;
    /** Overrides of the scoring configuration (the shape of cdk.json's). */
    scoring?: unknown;
    /** The audience names the configured ad providers map (functions/kernel/ads-providers.ts). */
    adsAudiences?: unknown;
    /** The webhook receivers to serve (functions/webhooks); the configured ones when omitted. */
    webhookReceivers?: (platform: Platform) => ReadonlyMap<WebhookProvider, WebhookReceiver>;
    /** The providers' secrets by name (local mode's ABM_SECRETS file). */
    providerSecrets?: Record<string, unknown>;
    /** cdk.json's `config.coverage` (functions/kernel/coverage.ts). */
    coverage?: unknown;
    /** `config.launch.maxUsd`: launches forecast to cost more are refused without `confirm`. */
    launchMaxUsd?: number;
    /** `config.providers.directMail` (its webhook receiver is then served). */
    directMailProvider?: unknown;
    /** `config.senderEmail` (the template test send's From). */
    senderEmail?: string;
  } = {},
): Promise<Harness> {
  const db = await startDynalite();
  const mail: Harness['mail'] = { sent: [] };
  const table = new Table(db.client, db.tableName);
  const clock = new ManualClock('2026-11-23T09:00:00Z');
  const starter = new RecordingStarter();
  const control = new RecordingSequenceControl();
  const publisher = new RecordingPublisher();
  const platform = compose(
    {
      tableName: db.tableName,
      version: '9.9.9',
      scoring: options.scoring,
      adsAudiences: options.adsAudiences,
      coverage: options.coverage,
      launchMaxUsd: options.launchMaxUsd,
      directMailProvider: options.directMailProvider,
      senderEmail: options.senderEmail,
      unsubscribeBaseUrl: 'https://abm.example/unsubscribe',
    },
    {
      launch: (p) =>
        inProcessLaunch(p, { batchSize: 50, concurrency: 4 }, { inlineLimit: options.inlineLimit ?? 100 }),
    },
    {
      table,
      clock,
      starter,
      control,
      publisher,
      unsubscribeKey: new StaticSecretSource(SIGNING_KEY),
      providerSecrets: new StaticProviderSecrets(options.providerSecrets ?? {}),
      templateCompiler: inProcessTemplateCompiler((): Platform => platform),
      email: {
        async send(email: OutgoingEmail) {
          if (mail.failWith) {
            const err = mail.failWith;
            mail.failWith = undefined;
            throw err;
          }
          mail.sent.push(email);
          return { messageId: `test-message-${mail.sent.length}` };
        },
      },
    },
  );
  const api: ApiOptions = {
    launch: platform.launch,
    ingest: options.ingest,
    importPinpoint: importPinpointJourney,
    webhooks: (paths) => webhooksFeature(platform, paths, options.webhookReceivers?.(platform)),
    router: {
      validateResponses: true,
      maxBodyBytes: options.maxBodyBytes,
      bearerToken: options.bearerToken,
      onUnexpected: (err) => console.error('UNEXPECTED', err),
    },
  };
  const router = createApi(platform, api);
  return {
    db,
    platform,
    table,
    store: storeOf(platform),
    clock,
    starter,
    control,
    publisher,
    launch: platform.launch,
    mail,
    router,
    async call(method, path, o = {}) {
      const headers: Record<string, string> = { ...o.headers };
      let body: string | undefined;
      if (o.raw !== undefined) {
        body = o.raw;
        headers['content-type'] = o.contentType ?? 'text/csv';
      } else if (o.body !== undefined) {
        body = JSON.stringify(o.body);
        headers['content-type'] = o.contentType ?? 'application/json';
      }
      const res = await router.handleHttp({ method, path, query: o.query, headers, body });
      let json: unknown;
      try {
        json = res.body ? JSON.parse(res.body) : undefined;
      } catch {
        json = undefined;
      }
      return { ...res, json };
    },
    stop: () => db.stop(),
  };
}

export function account(i: number, extra: Record<string, unknown> = {}) {
  const id = `acct-${String(i).padStart(5, '0')}`;
  return {
    ...fitProfile(id, `Account ${i}`),
    tier: 1,
    contacts: [
      {
        contactId: `${id}-eb`,
        name: 'Eve Buyer',
        email: `eve@${id}.example`,
        role: 'economic_buyer',
        consent: { email: true },
      },
      {
        contactId: `${id}-ch`,
        name: 'Cam Champion',
        email: `cam@${id}.example`,
        role: 'champion',
        consent: { email: true },
      },
    ],
    ...extra,
  };
}

export const TEMPLATE = {
  subject: 'A note for {{account.name}}',
  html: '<p>Hi {{contact.name}}</p>',
  text: 'Hi {{contact.name}}',
  byRole: { economic_buyer: { subject: 'Payback for {{account.name}}' } },
};

export const SEQUENCE = {
  name: 'Tier 1 strategic',
  steps: [
    { id: 'intro', channel: 'email', after: 'P0D', to: ['economic_buyer', 'champion'], template: 'intro' },
    { id: 'call-1', channel: 'sdr_task', after: 'P3D', to: ['champion'], taskType: 'call' },
  ],
};

/** Every error answer has the one shape. */
export function expectErrorShape(res: { status: number; json: any }, status: number, code?: string) {
  if (res.status !== status)
    throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.json)}`);
  const e = res.json?.error;
  if (!e || typeof e.code !== 'string' || typeof e.message !== 'string' || !Array.isArray(e.details)) {
    throw new Error(`not the error shape: ${JSON.stringify(res.json)}`);
  }
  if (code && e.code !== code) throw new Error(`expected code ${code}, got ${e.code}`);
  return e as { code: string; message: string; details: { path: string; message: string }[] };
}
