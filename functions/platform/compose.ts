/**
 * The composition root. `compose(config, features, overrides)` builds the platform (clock, table,
 * repositories, bus, Step Functions, SES, SQS, secrets, log) from configuration, then each feature
 * asked for from it:
 *
 *   const { engine } = compose(config, { engine: createSequenceEngine });
 *
 * Every Lambda entry (through `composeLambda`, functions/platform/lambda.ts), local mode, the demo,
 * the tests and the benchmarks build their services this way and nowhere else; they differ only in
 * the configuration and in the adapters they override (local mode puts its bus, its executions and
 * local SES behind the same ports; tests put recorders there).
 *
 * Adapters are built on first use and repositories on first request, so a function wires only what
 * it uses, and its bundle holds only the features it names (compose imports no feature).
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { systemClock, type Clock } from '../kernel/clock';
import type { LaunchRunner } from '../kernel/execution';
import { EventBridgePublisher, type EventPublisher } from './bus';
import { ENV, requireEnv, type EnvKey } from './env';
import { SecretsManagerSecretSource, type SecretSource } from './secrets';
import { SesEmailSender, type EmailSender } from './ses';
import {
  SfnSequenceControl,
  StepFunctionsLaunchRunner,
  StepFunctionsStarter,
  type ExecutionStarter,
  type SequenceControl,
} from './sfn';
import { SqsFifoSender, type FifoSender } from './sqs';
import { openTable, type DynamoConnection } from './store';
import type { Item, Table } from './store/table';

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
  version?: string;
}

export interface Log {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

export const silentLog: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** The adapters behind the features' ports; each can be overridden. */
export interface Adapters {
  clock: Clock;
  table: Table;
  publisher: EventPublisher;
  control: SequenceControl;
  starter: ExecutionStarter;
  launcher: LaunchRunner;
  email: EmailSender;
  unsubscribeKey: SecretSource;
  fifo: FifoSender;
  log: Log;
}

/** A repository class of the store layer: built from the table and the platform's clock. */
export type RepositoryClass<R> = new (
  table: Table,
  options: { now: () => Date; onInvalidItem?: (item: Item, error: unknown) => void },
) => R;

export interface Platform extends Adapters {
  readonly config: RuntimeConfig;
  /** The repository of that class over the platform's table, built once. */
  repository<R>(repositoryClass: RepositoryClass<R>): R;
}

export type Feature<T> = (platform: Platform) => T;
export type Composed<F extends Record<string, Feature<unknown>>> = Platform & {
  readonly [K in keyof F]: ReturnType<F[K]>;
};

/** Thrown when an adapter is used without the configuration it needs. */
export class MissingConfigError extends Error {
  constructor(adapter: string, key: EnvKey) {
    super(`${adapter} needs config.${key} (environment variable ${ENV[key]})`);
    this.name = 'MissingConfigError';
  }
}

export function compose<F extends Record<string, Feature<unknown>>>(
  config: RuntimeConfig,
  features: F = {} as F,
  overrides: Partial<Adapters> = {},
): Composed<F> {
  const need = (adapter: string, key: EnvKey & keyof RuntimeConfig): string => {
    const value = config[key];
    if (typeof value !== 'string' || value === '') throw new MissingConfigError(adapter, key);
    return value;
  };
  const clients = lazyRecord({
    sfn: () => new SFNClient({}),
    s3: () => new S3Client({}),
  });
  const build: { [K in keyof Adapters]: () => Adapters[K] } = {
    clock: () => systemClock,
    log: () => silentLog,
    table: () => openTable(config.tableName, config.dynamo).table,
    publisher: () => new EventBridgePublisher(new EventBridgeClient({}), need('publisher', 'busName')),
    control: () => new SfnSequenceControl(clients.sfn, need('sequence control', 'sequenceStateMachineArn')),
    starter: () =>
      new StepFunctionsStarter(clients.sfn, need('execution starter', 'sequenceStateMachineArn')),
    launcher: () =>
      new StepFunctionsLaunchRunner({
        s3: clients.s3,
        sfn: clients.sfn,
        bucket: need('launcher', 'audienceBucket'),
        launcherArn: need('launcher', 'launcherStateMachineArn'),
      }),
    email: () => new SesEmailSender(new SESv2Client({}), config.sesConfigurationSet),
    unsubscribeKey: () =>
      new SecretsManagerSecretSource(
        new SecretsManagerClient({}),
        need('unsubscribe key', 'unsubscribeSecretId'),
      ),
    fifo: () => new SqsFifoSender(new SQSClient({}), need('scorer queue', 'scorerQueueUrl')),
  };
  const adapters = lazyRecord(
    Object.fromEntries(
      Object.entries(build).map(([key, make]) => {
        const given = overrides[key as keyof Adapters];
        return [key, given === undefined ? make : () => given];
      }),
    ) as { [K in keyof Adapters]: () => Adapters[K] },
  );
  const repositories = new Map<RepositoryClass<unknown>, unknown>();
  const platform = Object.create(adapters) as Platform & Record<string, unknown>;
  Object.defineProperty(platform, 'config', { value: config, enumerable: true });
  platform.repository = <R>(repositoryClass: RepositoryClass<R>): R => {
    if (!repositories.has(repositoryClass)) {
      repositories.set(
        repositoryClass,
        new repositoryClass(platform.table, {
          now: () => platform.clock.now(),
          onInvalidItem: (item, error) =>
            platform.log.warn('invalid item in the table', {
              pk: item.pk,
              sk: item.sk,
              error: String(error),
            }),
        }),
      );
    }
    return repositories.get(repositoryClass) as R;
  };
  for (const [name, feature] of Object.entries(features)) {
    Object.defineProperty(platform, name, { value: feature(platform), enumerable: true });
  }
  return platform as Composed<F>;
}

/** An object whose properties are built on first read, once. */
function lazyRecord<T extends Record<string, unknown>>(builders: { [K in keyof T]: () => T[K] }): T {
  const out = {} as T;
  for (const key of Object.keys(builders) as (keyof T)[]) {
    let built = false;
    let value: T[typeof key];
    Object.defineProperty(out, key, {
      enumerable: true,
      get: () => {
        if (!built) {
          value = builders[key]();
          built = true;
        }
        return value;
      },
    });
  }
  return out;
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
    version: read('version'),
  };
}
