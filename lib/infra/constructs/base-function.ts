/**
 * The base function: fixes runtime, architecture, tracing, logging and bundling once, so every
 * handler deploys the same way. Each function gets its own role whose only standing permissions are
 * writing to its own log group and X-Ray; everything else arrives through `grant*` calls.
 */
import * as path from 'node:path';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ON_DEMAND_MODULES, type FunctionFactory } from '../functions';

/** Repository root, built from `__dirname` so synth works from any working directory. */
export const PROJECT_ROOT = path.join(__dirname, '..', '..', '..');

/** The Lambda runtime every function uses (the newest Node.js the CDK library offers). */
export const FUNCTION_RUNTIME = Runtime.NODEJS_24_X; // tested: .ci/run runs the suite on Node 24 too

/**
 * esbuild settings for every Lambda bundle, in esbuild's own option names. `BaseFunction` maps them
 * onto `NodejsFunction` bundling options and `bench/bundles.ts` passes them to esbuild unchanged,
 * so the benchmark measures exactly what deploys.
 */
export const ESBUILD_SETTINGS = {
  bundle: true,
  platform: 'node',
  minify: true,
  sourcemap: true,
  // The maps keep the sources' paths and positions (stack traces name the TypeScript line) but not
  // their text: with --enable-source-maps Node parses the map when the bundle loads, and the text
  // made it 3.5 times larger and init about 25 ms slower (`npm run bench -- bundles`).
  sourcesContent: false,
  // Lowest Node the bundles must run on; the runtime above is at least this new.
  target: 'node22',
  format: 'cjs',
  // ESM builds first so esbuild can tree-shake the Powertools and middy packages.
  mainFields: ['module', 'main'],
  // AWS SDK v3 ships in the Node.js Lambda runtime; keeping it out shrinks bundles and cold starts.
  // source-map: Handlebars' compiler loads it in a try/catch for debugging output only, and does
  // without it (26 KB minified).
  // ON_DEMAND_MODULES: imported at first use, installed beside the bundles that use them.
  external: ['@aws-sdk/*', 'source-map', ...ON_DEMAND_MODULES],
} as const;

export interface BaseFunctionProps {
  /** Absolute path of the handler module (see `lib/infra/functions.ts`). */
  readonly entry: string;
  readonly description: string;
  /** `POWERTOOLS_SERVICE_NAME`. */
  readonly serviceName: string;
  readonly logRetention: RetentionDays;
  /** Applied to the log group; RETAIN outside dev. */
  readonly removalPolicy: RemovalPolicy;
  /** Extra environment variables (merged over the Powertools defaults). */
  readonly environment?: Readonly<Record<string, string>>;
  /** @default 256 */
  readonly memorySize?: number;
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /** Reserved concurrent executions; none by default. */
  readonly reservedConcurrency?: number;
  /** Packages installed beside the bundle (`ON_DEMAND_MODULES` the function imports on demand). */
  readonly installedModules?: readonly string[];
}

export class BaseFunction extends Construct {
  public readonly function: NodejsFunction;
  public readonly role: Role;
  public readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: BaseFunctionProps) {
    super(scope, id);

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });

    // Own role instead of AWSLambdaBasicExecutionRole: that managed policy lets the function write
    // to every log group in the account; this one can write only to its own.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${Stack.of(this).stackName}/${id}`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      runtime: FUNCTION_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(10),
      reservedConcurrentExecutions: props.reservedConcurrency,
      tracing: Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      environment: {
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: 'abm',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        // The bundles ship source maps; this makes stack traces point at the TypeScript.
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        minify: ESBUILD_SETTINGS.minify,
        sourceMap: ESBUILD_SETTINGS.sourcemap,
        sourcesContent: ESBUILD_SETTINGS.sourcesContent,
        target: ESBUILD_SETTINGS.target,
        format: { cjs: OutputFormat.CJS, esm: OutputFormat.ESM }[ESBUILD_SETTINGS.format],
        mainFields: [...ESBUILD_SETTINGS.mainFields],
        externalModules: [...ESBUILD_SETTINGS.external],
        ...(props.installedModules ? { nodeModules: [...props.installedModules] } : {}),
      },
    });

    // Active tracing makes CDK add xray:PutTraceSegments/PutTelemetryRecords on "*" to this role.
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray PutTraceSegments and PutTelemetryRecords do not support resource-level permissions; AWS requires Resource "*" for them (added by Tracing.ACTIVE).',
    });
  }
}

/** The stack's `FunctionFactory`: every construct's functions become `BaseFunction`s of the stage. */
export function baseFunctionFactory(options: {
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}): FunctionFactory {
  return (scope, id, request) =>
    new BaseFunction(scope, id, {
      entry: request.entry,
      description: request.description,
      serviceName: `abm-${id}`,
      logRetention: options.logRetention,
      removalPolicy: options.removalPolicy,
      environment: request.environment,
      memorySize: request.memorySize,
      timeout: request.timeoutSeconds ? Duration.seconds(request.timeoutSeconds) : undefined,
      reservedConcurrency: request.reservedConcurrency,
      installedModules: request.installedModules,
    }).function;
}
