/**
 * The composition root. `compose(config, features, overrides)` builds the platform from
 * configuration, then each feature asked for from it:
 *
 *   const { engine } = compose(config, { engine: createSequenceEngine });
 *
 * Every Lambda entry (through `composeLambda`, functions/platform/lambda.ts), local mode, the demo,
 * the tests and the benchmarks build their services this way and nowhere else; they differ only in
 * the configuration and in the adapters they override (local mode puts its bus, its executions and
 * local SES behind the same ports; tests put recorders there).
 *
 * A feature asks the platform for what it uses: `platform.port(PUBLISHER)` (an adapter behind one of
 * the ports in `Adapters`, built from configuration on first use, once, or the override given for
 * it) and `platform.repository(EnrollmentRepository)` (one instance per repository class;
 * repositories hold no state). Each port is declared beside its adapter (functions/platform/bus.ts, sfn.ts, ses.ts, sqs.ts, secrets.ts,
 * store/client.ts) and compose imports none of them, so a function's bundle holds the adapters and
 * repositories its features use, and nothing else.
 */
import { systemClock, type Clock } from '../kernel/clock';
import type { LaunchRunner } from '../kernel/execution';
import type { EventPublisher } from './bus';
import { ENV, requireEnv, type EnvKey } from './env';
import type { ProviderSecrets } from './providers/secrets';
import type { SecretSource } from './secrets';
import type { EmailSender } from './ses';
import type { ExecutionStarter, SequenceControl } from './sfn';
import type { StepWaker } from './wake';
import type { Forecaster } from '../kernel/forecast';
import type { TemplateCompiler } from '../kernel/template-compiled';
import type { FifoSender } from './sqs';
import type { DynamoConnection } from './store/client';
import type { Item, TableRef } from './store/table';

/** What a runtime is configured with: Lambda reads it from its environment, local mode from settings. */
export interface RuntimeConfig {
  tableName: string;
  /** Where DynamoDB is (local mode's dynalite); the SDK's defaults on AWS. */
  dynamo?: DynamoConnection;
  busName?: string;
  sequenceStateMachineArn?: string;
  launcherStateMachineArn?: string;
  audienceBucket?: string;
  scorerQueueUrl?: string;
  unsubscribeSecretId?: string;
  sesConfigurationSet?: string;
  senderEmail?: string;
  senderName?: string;
  unsubscribeBaseUrl?: string;
  defaultSdrOwner?: string;
  /** Overrides of the default scoring configuration (validated by the scoring feature). */
  scoring?: unknown;
  /** The ideal-customer profile (validated by the API feature); the default profile when absent. */
  icp?: unknown;
  /** The roles each tier's committee needs (validated by kernel/coverage.ts); defaults when absent. */
  coverage?: unknown;
  /** The sender reputation breaker's thresholds (validated by kernel/reputation.ts); defaults when absent. */
  reputation?: unknown;
  /** The configured ad providers (`config.providers.ads`; validated by functions/kernel/ads-providers.ts). */
  adsProviders?: unknown;
  /** The audience names those providers map, with the member kinds (the router checks ads steps with it). */
  adsAudiences?: unknown;
  /** `config.providers.directMail` (validated by the direct-mail feature). */
  directMailProvider?: unknown;
  /** `config.providers.crm` (validated by the CRM feature); absent: no CRM. */
  crmProvider?: unknown;
  /**
   * The SES account's maximum sending rate (sends per second, `config.ses.maxSendRate`): the email
   * channel paces its sends to it (kernel/send-rate.ts); no pacing when absent.
   */
  sesMaxSendRate?: number;
  /** The launch forecast's Lambda function (functions/platform/forecaster.ts). */
  forecastFunctionName?: string;
  /** The template compiler's Lambda function (functions/platform/template-compiler.ts). */
  templateCompilerFunctionName?: string;
  /** ExecuteStep's wake schedules: their group, the role they run with, their dead-letter queue (platform/wake.ts). */
  wakeScheduleGroup?: string;
  wakeRoleArn?: string;
  wakeDeadLetterArn?: string;
  /** `config.launch.maxUsd`: a launch whose forecast costs more is refused (409) without `confirm`. */
  launchMaxUsd?: number;
  version?: string;
}

export interface Log {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

export const silentLog: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** The adapters behind the features' ports, by the name an override gives them. */
export interface Adapters {
  table: TableRef;
  publisher: EventPublisher;
  control: SequenceControl;
  starter: ExecutionStarter;
  /** Completes ExecuteStep's callback task, now or at a wait's end (platform/wake.ts). */
  waker: StepWaker;
  launcher: LaunchRunner;
  email: EmailSender;
  unsubscribeKey: SecretSource;
  fifo: FifoSender;
  /** The providers' credentials by secret name (Secrets Manager; local mode: the ABM_SECRETS file). */
  providerSecrets: ProviderSecrets;
  /** The launch forecast (its own Lambda function; local mode and tests: the engine's, in process). */
  forecaster: Forecaster;
  /**
   * Compiles a template saved without its compiled form (its own Lambda function: the engine carries
   * no template parser; local mode and tests: the catalog's, in process).
   */
  templateCompiler: TemplateCompiler;
}

/** A port: the name of its adapter, and how the platform builds the AWS one from configuration. */
export interface Port<K extends keyof Adapters> {
  readonly name: K;
  build(config: RuntimeConfig): Adapters[K];
}

/**
 * Declares a port. Declaring one builds nothing (its adapter is built on first use), so each
 * declaration carries the `@__PURE__` annotation: a bundle then drops the ports it never asks for,
 * with their adapter classes (esbuild keeps any top-level call it cannot prove pure).
 */
export function port<K extends keyof Adapters>(
  name: K,
  build: (config: RuntimeConfig) => Adapters[K],
): Port<K> {
  return { name, build };
}

/** A port whose adapter is built from one configuration value it cannot do without. */
export function configuredPort<K extends keyof Adapters>(
  name: K,
  key: EnvKey & keyof RuntimeConfig,
  build: (value: string) => Adapters[K],
): Port<K> {
  return port(name, (config) => build(needConfig(config, name, key)));
}

/** A repository class of the store layer: built from its table port and the platform's clock. */
export interface RepositoryClass<R> {
  new (
    table: TableRef,
    options: { now: () => Date; onInvalidItem?: (item: Item, error: unknown) => void },
  ): R;
  readonly tablePort: Port<'table'>;
}

export interface Platform {
  readonly config: RuntimeConfig;
  readonly clock: Clock;
  readonly log: Log;
  /** The adapter behind a port: the override given for it, else built from configuration, once. */
  port<K extends keyof Adapters>(port: Port<K>): Adapters[K];
  /** The repository of that class over the platform's table, built once. */
  repository<R>(repositoryClass: RepositoryClass<R>): R;
}

export type Feature<T> = (platform: Platform) => T;
export type Composed<F extends Record<string, Feature<unknown>>> = Platform & {
  readonly [K in keyof F]: ReturnType<F[K]>;
};

export interface Overrides extends Partial<Adapters> {
  clock?: Clock;
  log?: Log;
}

/** Thrown when an adapter is built without the configuration it needs. */
export class MissingConfigError extends Error {
  constructor(adapter: string, key: EnvKey) {
    super(`${adapter} needs config.${key} (environment variable ${ENV[key]})`);
    this.name = 'MissingConfigError';
  }
}

/** A configuration value an adapter cannot be built without. */
export function needConfig(
  config: RuntimeConfig,
  adapter: string,
  key: EnvKey & keyof RuntimeConfig,
): string {
  const value = config[key];
  if (typeof value !== 'string' || value === '') throw new MissingConfigError(adapter, key);
  return value;
}

export function compose<F extends Record<string, Feature<unknown>>>(
  config: RuntimeConfig,
  features: F = {} as F,
  overrides: Overrides = {},
): Composed<F> {
  const { clock = systemClock, log = silentLog, ...adapters } = overrides;
  const built = new Map<keyof Adapters, unknown>(Object.entries(adapters) as [keyof Adapters, unknown][]);
  const repositories = new Map<RepositoryClass<unknown>, unknown>();
  const platform: Platform = {
    config,
    clock,
    log,
    port<K extends keyof Adapters>(p: Port<K>): Adapters[K] {
      if (!built.has(p.name)) built.set(p.name, p.build(config));
      return built.get(p.name) as Adapters[K];
    },
    repository<R>(repositoryClass: RepositoryClass<R>): R {
      if (!repositories.has(repositoryClass)) {
        repositories.set(
          repositoryClass,
          new repositoryClass(platform.port(repositoryClass.tablePort), {
            now: () => clock.now(),
            onInvalidItem: (item, error) =>
              log.warn('invalid item in the table', { pk: item.pk, sk: item.sk, error: String(error) }),
          }),
        );
      }
      return repositories.get(repositoryClass) as R;
    },
  };
  const composed = platform as Composed<F> & Record<string, unknown>;
  for (const [name, feature] of Object.entries(features)) {
    Object.defineProperty(composed, name, { value: feature(platform), enumerable: true });
  }
  return composed;
}

/** The runtime configuration from a Lambda function's environment; `required` must be set. */
export function environmentConfig(
  required: readonly EnvKey[],
  source: NodeJS.ProcessEnv = process.env,
): RuntimeConfig {
  requireEnv(
    required.map((key) => ENV[key]),
    source,
  );
  const read = (key: EnvKey) => {
    const value = source[ENV[key]];
    return value === undefined || value.trim() === '' ? undefined : value;
  };
  const json = (key: EnvKey) => {
    const value = read(key);
    if (value === undefined) return undefined;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      throw new Error(`environment variable ${ENV[key]} is not valid JSON`);
    }
  };
  return {
    tableName: read('tableName') ?? '',
    busName: read('busName'),
    sequenceStateMachineArn: read('sequenceStateMachineArn'),
    launcherStateMachineArn: read('launcherStateMachineArn'),
    audienceBucket: read('audienceBucket'),
    scorerQueueUrl: read('scorerQueueUrl'),
    unsubscribeSecretId: read('unsubscribeSecretId'),
    sesConfigurationSet: read('sesConfigurationSet'),
    senderEmail: read('senderEmail'),
    senderName: read('senderName'),
    unsubscribeBaseUrl: read('unsubscribeBaseUrl'),
    defaultSdrOwner: read('defaultSdrOwner'),
    scoring: json('scoringConfig'),
    icp: json('icp'),
    coverage: json('coverage'),
    reputation: json('reputation'),
    adsProviders: json('adsProviders'),
    adsAudiences: json('adsAudiences'),
    directMailProvider: json('directMailProvider'),
    crmProvider: json('crmProvider'),
    sesMaxSendRate: positiveNumber(ENV.sesMaxSendRate, read('sesMaxSendRate')),
    forecastFunctionName: read('forecastFunctionName'),
    templateCompilerFunctionName: read('templateCompilerFunctionName'),
    wakeScheduleGroup: read('wakeScheduleGroup'),
    wakeRoleArn: read('wakeRoleArn'),
    wakeDeadLetterArn: read('wakeDeadLetterArn'),
    launchMaxUsd: positiveNumber(ENV.launchMaxUsd, read('launchMaxUsd')),
    version: read('version'),
  };
}

/** A positive number from an environment variable (absent: undefined; anything else: an error naming it). */
function positiveNumber(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`environment variable ${name} is not a positive number`);
  return n;
}

type PortsOf<P extends Record<string, Port<keyof Adapters>>> = { [K in keyof P]: Adapters[P[K]['name']] };

/**
 * A feature's dependencies: `rest` as given, and each named port's adapter read from the platform
 * when first used (not when the feature is built), so a feature built for one use builds only the
 * adapters that use needs.
 */
export function withPorts<P extends Record<string, Port<keyof Adapters>>, R extends object>(
  platform: Platform,
  ports: P,
  rest: R,
): R & PortsOf<P> {
  const out = { ...rest } as R & PortsOf<P>;
  for (const [key, p] of Object.entries(ports))
    Object.defineProperty(out, key, { enumerable: true, get: () => platform.port(p) });
  return out;
}
