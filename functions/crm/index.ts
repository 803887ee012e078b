/**
 * The CRM feature's published port (docs/architecture.md "CRM"; README "Connect your CRM"): SDR
 * tasks created in the CRM (the task sync, from `sdr.task.created`), tasks completed there coming
 * back as outcomes (the CRM's webhook, and a bounded scheduled poll), and the CRM's stage changes
 * as `crm.stage_changed` (the webhook receivers, registered in functions/webhooks/receivers.ts).
 *
 * `crmFeature(platform, paths)` builds it from `config.crmProvider` (`providers.crm`, validated
 * again here), the table (tasks, accounts, the task links) and the provider secrets port. The
 * adapter is built once, on first use; a failed build is not kept.
 */
import { CrmProviderSettings } from '../kernel/crm-provider';
import type { SdrOutcome } from '../kernel/model';
import type { Platform } from '../platform/compose';
import { PROVIDER_SECRETS } from '../platform/providers/secrets';
import type { HttpDeps } from '../platform/providers/http';
import { AccountRepository } from '../platform/store/accounts';
import { CrmTaskLinkRepository } from '../platform/store/crm-tasks';
import { TaskRepository } from '../platform/store/tasks';
import type { ReceiverFactory } from '../webhooks';
import { createCrmAdapter } from './adapters';
import type { HubSpotAdapter } from './adapters/hubspot';
import { CrmMetrics } from './metrics';
import { createCrmPoll } from './poll';
import type { CrmAdapter } from './port';
import { hubspotReceiver, salesforceReceiver } from './receivers';
import { createCrmTaskSync } from './sync';

/** The configured CRM, or undefined when none is. */
export function crmSettings(platform: Platform): CrmProviderSettings | undefined {
  const raw = platform.config.crmProvider;
  return raw === undefined || raw === null ? undefined : CrmProviderSettings.parse(raw);
}

export interface CrmOptions {
  metrics?: CrmMetrics;
  /** Injected for tests and the bench (sleep, randomness, retry policy). */
  http?: Omit<HttpDeps, 'onRequest'>;
}

/** The adapter of the configured CRM, built once on first use, counting requests and throttles. */
function lazyAdapter(
  platform: Platform,
  settings: CrmProviderSettings,
  metrics: CrmMetrics,
  http: CrmOptions['http'],
) {
  let adapter: Promise<CrmAdapter> | undefined;
  return (): Promise<CrmAdapter> =>
    (adapter ??= platform
      .port(PROVIDER_SECRETS)
      .get(settings.secretName)
      .then((secret) =>
        createCrmAdapter(settings, secret, {
          ...http,
          onRequest: (m) => {
            metrics.count(settings.provider, 'requests');
            if (m.throttled) metrics.count(settings.provider, 'throttles');
          },
        }),
      )
      .catch((err: unknown) => {
        adapter = undefined;
        throw err;
      }));
}

export function crmFeature(
  platform: Platform,
  paths: {
    completeTask: (taskId: string, body: { outcome: SdrOutcome; notes?: string }) => Promise<unknown>;
  },
  options: CrmOptions = {},
) {
  const settings = crmSettings(platform);
  if (!settings) return undefined;
  const metrics = options.metrics ?? new CrmMetrics();
  const adapter = lazyAdapter(platform, settings, metrics, options.http);
  const links = platform.repository(CrmTaskLinkRepository);
  const common = { metrics, clock: platform.clock, log: platform.log };
  const sync = createCrmTaskSync({
    settings,
    adapter,
    tasks: platform.repository(TaskRepository),
    accounts: platform.repository(AccountRepository),
    links,
    ...common,
  });
  const poll = createCrmPoll({
    provider: settings.provider,
    adapter,
    links,
    completeTask: paths.completeTask,
    ...common,
  });
  return { settings, metrics, ...sync, ...poll };
}
export type CrmFeature = NonNullable<ReturnType<typeof crmFeature>>;

/** The webhook receivers of the configured CRM (functions/webhooks/receivers.ts registers them). */
export const crmReceiverFactories: Record<'hubspot' | 'salesforce', ReceiverFactory> = {
  hubspot: (platform) => {
    const settings = crmSettings(platform);
    if (settings?.provider !== 'hubspot') return undefined;
    const adapter = lazyAdapter(platform, settings, new CrmMetrics(), undefined);
    return hubspotReceiver(settings, {
      adapter: () => adapter() as Promise<HubSpotAdapter>,
      links: platform.repository(CrmTaskLinkRepository),
    });
  },
  salesforce: (platform) => {
    const settings = crmSettings(platform);
    if (settings?.provider !== 'salesforce') return undefined;
    return salesforceReceiver(settings, { links: platform.repository(CrmTaskLinkRepository) });
  },
};

export { CRM_METRICS, CrmMetrics, type CrmMetricName } from './metrics';
export { CrmError, type CrmAdapter, type CrmCompletion, type CrmTaskRequest } from './port';
export { createCrmAdapter } from './adapters';
export { hubspotSignatureV3, CRM_WEBHOOK_WINDOW_MS } from './receivers';
export { HUBSPOT_TASK_ID_PROPERTY } from './adapters/hubspot';
export { SALESFORCE_API_VERSION, SALESFORCE_TASK_ID_FIELD } from './adapters/salesforce';
