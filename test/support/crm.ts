/**
 * The CRM bridge against a CRM double (lib/local/doubles/hubspot.ts, salesforce.ts) over dynalite:
 * the real task sync, poll and webhook receivers, composed as the Lambda functions compose them,
 * with the task completion of `POST /tasks/{taskId}/complete` and the ingestion of `POST /events`.
 * Used by the contract tests (test/crm/*.contract.test.ts) and by the CRM bench through
 * `driveCrmTasks`. (No vitest import: bench/ uses it.)
 */
import { crmFeature, CrmMetrics, type CrmFeature } from '../../functions/crm';
import { createTasksService } from '../../functions/api/tasks-service';
import { ingestFeature } from '../../functions/ingest';
import { systemClock } from '../../functions/kernel/clock';
import { sdrTaskCreatedEvent } from '../../functions/kernel/events';
import type { SdrTask } from '../../functions/kernel/model';
import { compose, type Platform } from '../../functions/platform/compose';
import type { RetryPolicy } from '../../functions/platform/providers/http';
import { StaticProviderSecrets } from '../../functions/platform/providers/secrets';
import { RecordingPublisher } from '../../functions/platform/recorders';
import { createStore, Table, type Store } from '../../functions/platform/store';
import { CrmTaskLinkRepository } from '../../functions/platform/store/crm-tasks';
import { webhooksFeature, type WebhookService } from '../../functions/webhooks';
import { startCrmDouble, type CrmDouble } from '../../lib/local/doubles';
import type { FaultRates } from '../../lib/local/doubles/shared';
import { fitProfile } from './accounts';
import { startDynalite, type LocalDynamo } from './dynalite';

export type CrmName = 'hubspot' | 'salesforce';

/** `providers.crm` as README "Connect your CRM" shows it (HubSpot) and its Salesforce twin. */
export const CRM_CONFIG_EXAMPLES = {
  hubspot: {
    provider: 'hubspot',
    secretName: 'abm/hubspot',
    owners: { 'sdr-ana': '12345678' },
    webhookSecretName: 'abm/hubspot-webhook',
    stages: { appointmentscheduled: 'opportunity' },
  },
  salesforce: {
    provider: 'salesforce',
    secretName: 'abm/salesforce',
    baseUrl: 'https://northwind.my.salesforce.com',
    owners: { 'sdr-ana': '005000000000001AAA' },
    webhookSecretName: 'abm/salesforce-webhook',
    stages: { 'Needs Analysis': 'opportunity', 'Closed Won': 'customer' },
  },
};

export const CRM_OWNERS = {
  hubspot: { 'sdr-ana': '12345678' },
  salesforce: { 'sdr-ana': '005000000000001AAA' },
} as const;
export const CRM_STAGES = {
  hubspot: { appointmentscheduled: 'opportunity', closedwon: 'customer' },
  salesforce: { 'Needs Analysis': 'opportunity', 'Closed Won': 'customer' },
} as const;

export interface CrmRig<P extends CrmName = CrmName> {
  provider: P;
  double: CrmDouble<P>;
  platform: Platform;
  store: Store;
  crm: CrmFeature;
  webhooks: WebhookService;
  publisher: RecordingPublisher;
  /** The HTTP client's waits, scaled (a 1 s Retry-After waits `sleepScale` s). */
  sleeps: number[];
  /** Accounts `acct-0000i` with a champion each (`<acct>-champion@<acct>.example`). */
  seedAccounts(count: number): Promise<void>;
  /** An open call task for the champion of account `i % accounts`. */
  seedTask(i: number, accounts: number): Promise<SdrTask>;
  /** One SQS record carrying the task's `sdr.task.created` as EventBridge delivers it. */
  record(task: SdrTask, messageId?: string): { messageId: string; body: string };
  stop(): Promise<void>;
}

export interface CrmRigOptions {
  seed?: number;
  /** Retry policy of the adapter's HTTP client (tests shorten the timeout to meet `hang`). */
  policy?: Partial<RetryPolicy>;
  sleepScale?: number;
}

const DUE = '2026-11-24T15:00:00.000Z';

export async function startCrmRig<P extends CrmName>(
  provider: P,
  opts: CrmRigOptions = {},
): Promise<CrmRig<P>> {
  const db: LocalDynamo = await startDynalite();
  const double = await startCrmDouble(provider, { seed: opts.seed });
  const table = new Table(db.client, db.tableName);
  const store = createStore(table);
  const names = { secretName: `abm/${provider}`, webhookSecretName: `abm/${provider}-webhook` };
  const settings = {
    provider,
    ...names,
    baseUrl: double.baseUrl,
    owners: CRM_OWNERS[provider],
    stages: CRM_STAGES[provider],
  };
  const publisher = new RecordingPublisher();
  const platform = compose(
    { tableName: db.tableName, crmProvider: settings },
    {},
    {
      table,
      publisher,
      clock: systemClock,
      providerSecrets: new StaticProviderSecrets(double.secretsFor(names)),
    },
  );
  const tasks = createTasksService({ tasks: store.tasks, publisher, clock: systemClock });
  const sleeps: number[] = [];
  const scale = opts.sleepScale ?? 0;
  const crm = crmFeature(
    platform,
    { completeTask: tasks.complete },
    {
      metrics: new CrmMetrics(),
      http: {
        sleep: (ms) => {
          sleeps.push(ms);
          return scale > 0 ? new Promise((r) => setTimeout(r, ms * scale)) : Promise.resolve();
        },
        policy: { timeoutMs: 2_000, ...opts.policy },
      },
    },
  )!;
  const webhooks = webhooksFeature(platform, {
    ingest: ingestFeature(platform),
    completeTask: tasks.complete,
  });
  const accountId = (i: number) => `acct-${String(i).padStart(5, '0')}`;
  return {
    provider,
    double,
    platform,
    store,
    crm,
    webhooks,
    publisher,
    sleeps,
    async seedAccounts(count) {
      for (let i = 0; i < count; i++) {
        const id = accountId(i);
        await store.accounts.upsert({ ...fitProfile(id, `Account ${i}`), tier: 1 } as never);
        await store.accounts.putContacts(id, [
          {
            accountId: id,
            contactId: `${id}-champion`,
            name: 'Dana Cole',
            email: `champion@${id}.example`,
            role: 'champion',
            consent: { email: true, ads: false, directMail: false },
          },
        ] as never);
      }
    },
    async seedTask(i, accounts) {
      const id = accountId(i % accounts);
      const task: SdrTask = {
        taskId: `task-${String(i).padStart(6, '0')}`,
        accountId: id,
        contactId: `${id}-champion`,
        owner: 'sdr-ana',
        type: 'call',
        status: 'open',
        priority: 1,
        dueAt: DUE,
        reason: 'Visited pricing three times this week',
        context: {
          contact: { name: 'Dana Cole', role: 'champion', timeZone: 'Europe/Oslo', localTime: '16:00' },
          talkingPoints: ['Ask about the Q1 rollout', 'Mention the ROI booklet'],
          recentEngagement: ['web.visit /pricing'],
          lastTouches: [],
        },
        createdAt: '2026-11-24T09:00:00.000Z',
      };
      await store.tasks.create(task);
      return task;
    },
    record(task, messageId = `m-${task.taskId}`) {
      const e = sdrTaskCreatedEvent(task);
      return {
        messageId,
        body: JSON.stringify({ 'detail-type': e.detailType, source: e.source, detail: e.detail }),
      };
    },
    async stop() {
      await double.close();
      await db.stop();
    },
  };
}

/** The CRM's tasks, by this product's task id (the final state the provider holds). */
export function crmTasksByTaskId(rig: CrmRig): Map<string, number> {
  const out = new Map<string, number>();
  const records =
    rig.provider === 'hubspot' ? rig.double.records.ofType('tasks') : rig.double.records.ofType('Task');
  for (const r of records) {
    const key = String(r.properties.abm_task_id ?? r.properties.Abm_Task_Id__c);
    out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
}

/**
 * Delivers the records as the sync's queue does: batches of `batchSize`, `concurrency` batches at
 * a time, a failed message redelivered (up to `maxReceives`, then it is in the dead-letter queue).
 */
export async function deliverUntilDone(
  rig: CrmRig,
  records: { messageId: string; body: string }[],
  opts: { batchSize?: number; concurrency?: number; maxReceives?: number } = {},
): Promise<{ deadLettered: string[]; deliveries: number }> {
  const batchSize = opts.batchSize ?? 10;
  let pending = records;
  const receives = new Map<string, number>();
  const dead: string[] = [];
  let deliveries = 0;
  while (pending.length > 0) {
    const batches: (typeof records)[] = [];
    for (let i = 0; i < pending.length; i += batchSize) batches.push(pending.slice(i, i + batchSize));
    const failed: typeof records = [];
    const byId = new Map(pending.map((r) => [r.messageId, r]));
    const queue = [...batches];
    await Promise.all(
      Array.from({ length: opts.concurrency ?? 5 }, async () => {
        for (let b = queue.shift(); b; b = queue.shift()) {
          deliveries += b.length;
          const { batchItemFailures } = await rig.crm.handleBatch(b);
          for (const f of batchItemFailures) failed.push(byId.get(f.itemIdentifier)!);
        }
      }),
    );
    pending = [];
    for (const r of failed) {
      const n = (receives.get(r.messageId) ?? 1) + 1;
      receives.set(r.messageId, n);
      if (n > (opts.maxReceives ?? 5)) dead.push(r.messageId);
      else pending.push(r);
    }
  }
  return { deadLettered: dead, deliveries };
}

export interface CrmTasksResult {
  provider: CrmName;
  tasks: number;
  /** SDR tasks the CRM holds more than once (judged by the double's final state). */
  duplicates: number;
  /** SDR tasks the CRM does not hold, or not linked in the store. */
  lost: number;
  /** Every request the double received (retries included). */
  requests: number;
  seconds: number;
  deadLettered: number;
}

/**
 * The CRM half of `npm run bench -- crm`: `count` SDR tasks through the real sync into a CRM double
 * injecting faults, judged by what the double holds at the end.
 */
export async function driveCrmTasks(opts: {
  count: number;
  faults?: { rate429?: number; rate500?: number; rateHang?: number };
  provider?: CrmName;
  accounts?: number;
  seed?: number;
  sleepScale?: number;
}): Promise<CrmTasksResult> {
  const provider = opts.provider ?? 'hubspot';
  const rig = await startCrmRig(provider, { seed: opts.seed ?? 7, sleepScale: opts.sleepScale ?? 0.01 });
  try {
    const accounts = opts.accounts ?? Math.max(1, Math.ceil(opts.count / 10));
    await rig.seedAccounts(accounts);
    const tasks: SdrTask[] = [];
    for (let i = 0; i < opts.count; i++) tasks.push(await rig.seedTask(i, accounts));
    const rates: FaultRates = {
      throttle: opts.faults?.rate429 ?? 0,
      error: opts.faults?.rate500 ?? 0,
      hang: opts.faults?.rateHang ?? 0,
    };
    rig.double.faults.retryAfterSeconds = 1;
    rig.double.faults.rate(provider, rates, opts.seed ?? 7);
    const before = rig.double.details.length;
    const started = performance.now();
    const { deadLettered } = await deliverUntilDone(
      rig,
      tasks.map((t) => rig.record(t)),
    );
    const seconds = (performance.now() - started) / 1000;
    const held = crmTasksByTaskId(rig);
    let duplicates = 0;
    let lost = 0;
    for (const t of tasks) {
      const n = held.get(t.taskId) ?? 0;
      if (n > 1) duplicates += n - 1;
      const link = await rig.platform.repository(CrmTaskLinkRepository).get(t.taskId);
      if (n === 0 || !link?.crmId) lost++;
    }
    return {
      provider,
      tasks: tasks.length,
      duplicates,
      lost,
      requests: rig.double.details.length - before,
      seconds: Math.round(seconds * 1000) / 1000,
      deadLettered: deadLettered.length,
    };
  } finally {
    await rig.stop();
  }
}
