/**
 * The ABM stack: composes the constructs. Functions come from the registry in `lib/functions.ts`
 * and are wired (environment, grants) from what each spec declares.
 */
import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { version as packageVersion } from '../package.json';
import type { AppConfig } from './config';
import { AccountStore } from './constructs/account-store';
import { BaseFunction } from './constructs/base-function';
import { EngagementBus } from './constructs/event-bus';
import { FUNCTIONS, type FunctionSpec, type WiredEnvVar } from './functions';

export interface AbmStackProps extends StackProps {
  readonly config: AppConfig;
  /** The functions to create; defaults to the registry. Tests pass their own to exercise the wiring. */
  readonly functions?: readonly FunctionSpec[];
  /** Reported by GET /health; defaults to package.json's version. */
  readonly version?: string;
}

export class AbmStack extends Stack {
  public readonly store: AccountStore;
  public readonly events: EngagementBus;
  /** Keyed by `FunctionSpec.name`. */
  public readonly functions: ReadonlyMap<string, BaseFunction>;

  constructor(scope: Construct, id: string, props: AbmStackProps) {
    super(scope, id, props);
    const { config } = props;
    const isDev = config.stage === 'dev';

    this.store = new AccountStore(this, 'AccountStore', { retain: !isDev });
    this.events = new EngagementBus(this, 'Events', {
      archiveRetention: config.eventArchiveDays ? Duration.days(config.eventArchiveDays) : undefined,
    });

    const envValues: Record<WiredEnvVar, string> = {
      TABLE_NAME: this.store.table.tableName,
      BUS_NAME: this.events.bus.eventBusName,
      ABM_VERSION: props.version ?? packageVersion,
      STAGE: config.stage,
    };

    const functions = new Map<string, BaseFunction>();
    for (const spec of props.functions ?? FUNCTIONS) {
      if (functions.has(spec.name)) throw new Error(`Duplicate function name in registry: ${spec.name}`);
      const fn = new BaseFunction(this, spec.name, {
        entry: spec.entry,
        description: spec.description,
        serviceName: `abm-${spec.name}`,
        logRetention: config.logRetentionDays as RetentionDays,
        removalPolicy: isDev ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
        memorySize: spec.memorySize,
        timeout: spec.timeoutSeconds ? Duration.seconds(spec.timeoutSeconds) : undefined,
        environment: Object.fromEntries(spec.environment.map((name) => [name, envValues[name]])),
      });
      if (spec.table === 'read') this.store.table.grantReadData(fn.function);
      if (spec.table === 'readWrite') this.store.table.grantReadWriteData(fn.function);
      if (spec.bus === 'put') this.events.bus.grantPutEventsTo(fn.function);
      functions.set(spec.name, fn);
    }
    this.functions = functions;
  }
}
