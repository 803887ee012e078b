/**
 * The HTTP API (docs/architecture.md "HTTP API"): API Gateway HTTP API with the router Lambda behind every route
 * but the catalog's (templates and sequences) and the two imports (accounts, Pinpoint), which have functions of their own
 * (each route names its function: `servedBy`). Routes come from the route table itself (functions/api/manifest.ts), so a route
 * cannot exist in code without existing here, with its authorisation: IAM (SigV4) on every route
 * but GET /health and GET/POST /unsubscribe (public: health checks, and RFC 8058 one-click
 * unsubscribe which mail providers call without credentials). A JWT authorizer can replace IAM.
 * With the web console on AWS, `addConsoleApi` adds a second HTTP API over the same functions
 * behind the console's JWT authorizer (a route has one authorizer; the CLI keeps this one).
 */
import { CfnOutput, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  CfnStage,
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpRoute,
  HttpRouteKey,
  type IHttpRouteAuthorizer,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer, HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { routeManifest } from '../../../functions/api/manifest';
import type { Icp } from '../../../functions/api/domain/fit';
import type { CampaignLauncher, FunctionFactory } from './launcher';
import { DEFAULT_PUBLIC_THROTTLE, DEFAULT_THROTTLE, type ThrottleSettings } from '../config';

export type { FunctionFactory, FunctionRequest } from '../functions';
import { LAMBDAS } from '../functions';
import { ENV } from '../../../functions/platform/env';
import type { AudienceKinds } from '../../../functions/kernel/ads-providers';
import type { ReputationConfig } from '../../../functions/kernel/reputation';
import type { CoverageConfig } from '../../../functions/kernel/coverage';
import { grantSecretsByName } from './secret-grants';

export type ApiAuthConfig =
  'iam' | { readonly jwt: { readonly issuer: string; readonly audience: readonly string[] } };

export interface AbmApiProps {
  readonly table: ITable;
  readonly bus: IEventBus;
  readonly createFunction: FunctionFactory;
  readonly sequenceStateMachine: IStateMachine;
  readonly launcher: CampaignLauncher;
  /** `config.api.auth`. @default 'iam' */
  readonly auth?: ApiAuthConfig;
  /** `config.api.throttle`: every route of the stage. @default DEFAULT_THROTTLE */
  readonly throttle?: ThrottleSettings;
  /** `config.api.publicThrottle`: each public route (health, unsubscribe). @default DEFAULT_PUBLIC_THROTTLE */
  readonly publicThrottle?: ThrottleSettings;
  /** `config.api.reservedConcurrency` of the router; none by default. */
  readonly reservedConcurrency?: number;
  /** Reported by GET /health. */
  readonly version: string;
  /** The ideal-customer profile for fit scoring on import (from the validated config). */
  readonly icp?: Icp;
  /** The roles each tier's committee needs (`config.coverage`): the account view and research tasks. */
  readonly coverage?: CoverageConfig;
  /** The sender reputation breaker's thresholds, for the sending-domain routes (`config.reputation`). */
  readonly reputation?: ReputationConfig;
  /** The audience names the configured ad providers map (PUT /sequences checks ads steps against them). */
  readonly adsAudiences?: AudienceKinds;
  /**
   * The scorer's overrides of the scoring configuration (e.g. `{ mqa }` from cdk.json): the
   * account view shows the MQA progress against the thresholds the scorer decides with.
   */
  readonly scoringConfig?: Record<string, unknown>;
  /**
   * The webhook function's configuration: cdk.json's `providers.directMail` and `providers.crm`
   * (each receiver validates its own), and every secret name it may read (webhook secrets, and the
   * CRM's access secret for looking up what a webhook names).
   */
  readonly webhooks?: {
    readonly directMailProvider?: unknown;
    readonly crmProvider?: unknown;
    readonly secretNames: readonly string[];
  };
  /**
   * The template test send (POST /templates/{id}/test-send, served by the catalog function): the
   * engine's sending environment and its grant of ses:SendEmail on the sender identity and the
   * configuration set (SequenceEngine.grantSendEmail). Without it a test send answers 501.
   */
  readonly testSend?: {
    readonly environment: Record<string, string>;
    readonly grant: (fn: IFunction) => void;
  };
  /** `config.ses.maxSendRate`: the forecast's SES headroom. */
  readonly maxSendRate?: number;
  /** `config.launch.maxUsd`: a launch forecast to cost more is refused (409) without `confirm`. */
  readonly launchMaxUsd?: number;
  /** The infra engineer's GET /health function; the router answers /health when omitted. */
  readonly healthFunction?: IFunction;
  /** HMAC key of unsubscribe tokens; a generated secret when omitted. */
  readonly unsubscribeSecret?: ISecret;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

export interface ConsoleApiProps {
  /** The user pool's issuer, `https://cognito-idp.<region>.amazonaws.com/<pool id>`. */
  readonly issuer: string;
  /** The console's app client id: Cognito access tokens carry it as `client_id`. */
  readonly audience: readonly string[];
  /** The console's origin(s), `https://<domain>`: the only ones CORS allows. */
  readonly allowOrigins: readonly string[];
}

/**
 * A Lambda integration whose invoke permission covers the whole API, not each route: the router
 * serves some 20 routes on each of two APIs, and one permission per route would grow its resource
 * policy toward Lambda's 20 KB limit (a deploy then fails).
 */
function lambdaIntegration(id: string, fn: IFunction): HttpLambdaIntegration {
  return new HttpLambdaIntegration(id, fn, { scopePermissionToRoute: false });
}

const METHODS: Record<string, HttpMethod> = {
  GET: HttpMethod.GET,
  POST: HttpMethod.POST,
  PUT: HttpMethod.PUT,
  DELETE: HttpMethod.DELETE,
};

export class AbmApi extends Construct {
  public readonly httpApi: HttpApi;
  /** Serves /programs and their reports (functions/api/program-routes.ts). */
  public readonly programsFunction: IFunction;
  /** Serves the accounts' routes: list, read, timeline, contacts, erasure (functions/api/account-routes.ts). */
  public readonly accountsFunction: IFunction;
  /** Serves POST /webhooks/{provider}. */
  public readonly webhookFunction: IFunction;
  /** Serves POST /sequences/import/pinpoint. */
  public readonly importPinpointFunction: IFunction;
  /** The launch forecast, invoked by the router (functions/platform/forecaster.ts). */
  public readonly forecastFunction: IFunction;
  /** Serves /templates and /sequences (functions/api/catalog-routes.ts). */
  public readonly catalogFunction: IFunction;
  /** Serves POST /accounts/import (functions/api/account-import-route.ts). */
  public readonly importAccountsFunction: IFunction;
  public readonly function: IFunction;
  public readonly unsubscribeSecret: ISecret;
  public readonly accessLogs: LogGroup;
  private readonly healthFunction?: IFunction;
  private readonly throttle: ThrottleSettings;
  private readonly publicThrottle: ThrottleSettings;
  private readonly logRetention: RetentionDays;
  private readonly removalPolicy: RemovalPolicy;

  constructor(scope: Construct, id: string, props: AbmApiProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.removalPolicy = removalPolicy;
    this.logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;

    this.unsubscribeSecret =
      props.unsubscribeSecret ??
      new Secret(this, 'UnsubscribeKey', {
        description: 'HMAC key that signs one-click unsubscribe links',
        generateSecretString: { passwordLength: 48, excludePunctuation: true },
        removalPolicy,
      });

    // The launch forecast runs the engine's decisions in its own function, invoked by the router:
    // they (and the time-zone library they use) stay out of the router's bundle. It reads the table.
    this.forecastFunction = props.createFunction(this, 'ForecastLaunch', {
      ...LAMBDAS.forecastLaunch,
      environment: {
        [ENV.tableName]: props.table.tableName,
        ...(props.maxSendRate !== undefined ? { [ENV.sesMaxSendRate]: String(props.maxSendRate) } : {}),
      },
      memorySize: 1024,
      timeoutSeconds: 25,
    });
    props.table.grantReadData(this.forecastFunction);

    this.function = props.createFunction(this, 'Router', {
      ...LAMBDAS.httpApi,
      environment: {
        [ENV.tableName]: props.table.tableName,
        [ENV.busName]: props.bus.eventBusName,
        [ENV.version]: props.version,
        [ENV.sequenceStateMachineArn]: props.sequenceStateMachine.stateMachineArn,
        [ENV.launcherStateMachineArn]: props.launcher.stateMachine.stateMachineArn,
        [ENV.audienceBucket]: props.launcher.bucket.bucketName,
        [ENV.unsubscribeSecretId]: this.unsubscribeSecret.secretArn,
        [ENV.forecastFunctionName]: this.forecastFunction.functionName,
        ...(props.launchMaxUsd !== undefined ? { [ENV.launchMaxUsd]: String(props.launchMaxUsd) } : {}),
        ...(props.icp ? { [ENV.icp]: JSON.stringify(props.icp) } : {}),
        ...(props.coverage ? { [ENV.coverage]: JSON.stringify(props.coverage) } : {}),
        ...(props.reputation ? { [ENV.reputation]: JSON.stringify(props.reputation) } : {}),
        ...(props.adsAudiences ? { [ENV.adsAudiences]: JSON.stringify(props.adsAudiences) } : {}),
        ...(props.scoringConfig ? { [ENV.scoringConfig]: JSON.stringify(props.scoringConfig) } : {}),
      },
      memorySize: 1024,
      timeoutSeconds: 29,
      reservedConcurrency: props.reservedConcurrency,
    });
    props.table.grantReadWriteData(this.function);
    props.bus.grantPutEventsTo(this.function);
    props.sequenceStateMachine.grantStartExecution(this.function);
    props.sequenceStateMachine.grantTaskResponse(this.function);
    props.sequenceStateMachine.grantExecution(this.function, 'states:StopExecution');
    props.launcher.grantLaunch(this.function);
    this.forecastFunction.grantInvoke(this.function);
    this.unsubscribeSecret.grantRead(this.function);

    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'ABM orchestrator API (docs/architecture.md "HTTP API")',
      createDefaultStage: true,
    });

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy,
    });

    const protectedAuthorizer: IHttpRouteAuthorizer =
      props.auth && props.auth !== 'iam'
        ? new HttpJwtAuthorizer('Jwt', props.auth.jwt.issuer, { jwtAudience: [...props.auth.jwt.audience] })
        : new HttpIamAuthorizer();
    // The Pinpoint import runs in its own small function: the conversion stays out of the router's
    // bundle (functions/api/pinpoint-route.ts). It reads and writes nothing.
    this.importPinpointFunction = props.createFunction(this, 'ImportPinpoint', {
      ...LAMBDAS.importPinpoint,
      environment: { [ENV.version]: props.version },
      memorySize: 512,
      timeoutSeconds: 29,
    });
    // The provider webhooks run in their own function: public (verified by each provider's
    // signature), with the table, the bus and the webhook secrets only (functions/api/webhook-route.ts).
    this.webhookFunction = props.createFunction(this, 'Webhooks', {
      ...LAMBDAS.receiveWebhook,
      environment: {
        [ENV.tableName]: props.table.tableName,
        [ENV.busName]: props.bus.eventBusName,
        [ENV.version]: props.version,
        ...(props.webhooks?.directMailProvider !== undefined
          ? { [ENV.directMailProvider]: JSON.stringify(props.webhooks.directMailProvider) }
          : {}),
        ...(props.webhooks?.crmProvider !== undefined
          ? { [ENV.crmProvider]: JSON.stringify(props.webhooks.crmProvider) }
          : {}),
      },
      memorySize: 512,
      timeoutSeconds: 29,
    });
    props.table.grantReadWriteData(this.webhookFunction);
    props.bus.grantPutEventsTo(this.webhookFunction);
    grantSecretsByName(this.webhookFunction, props.webhooks?.secretNames ?? []);
    // Templates and sequences run in their own function: saving a template compiles it, and the
    // Handlebars compiler stays out of the router's bundle (functions/api/catalog-routes.ts).
    this.catalogFunction = props.createFunction(this, 'Catalog', {
      ...LAMBDAS.catalogApi,
      environment: {
        [ENV.tableName]: props.table.tableName,
        ...(props.adsAudiences ? { [ENV.adsAudiences]: JSON.stringify(props.adsAudiences) } : {}),
        // PUT /sequences refuses a piece the print-and-mail provider does not map.
        ...(props.webhooks?.directMailProvider !== undefined
          ? { [ENV.directMailProvider]: JSON.stringify(props.webhooks.directMailProvider) }
          : {}),
        // The template test send renders and sends as the engine does.
        ...props.testSend?.environment,
      },
      memorySize: 1024,
      timeoutSeconds: 29,
    });
    props.table.grantReadWriteData(this.catalogFunction);
    props.testSend?.grant(this.catalogFunction);
    // The account import too: the CSV parser stays out of the router's bundle.
    this.importAccountsFunction = props.createFunction(this, 'ImportAccounts', {
      ...LAMBDAS.importAccounts,
      environment: {
        [ENV.tableName]: props.table.tableName,
        ...(props.icp ? { [ENV.icp]: JSON.stringify(props.icp) } : {}),
      },
      memorySize: 1024,
      timeoutSeconds: 29,
    });
    props.table.grantReadWriteData(this.importAccountsFunction);
    // The programs' routes too: their entry rules and trigger types stay out of the router's bundle.
    this.programsFunction = props.createFunction(this, 'Programs', {
      ...LAMBDAS.programsApi,
      environment: {
        [ENV.tableName]: props.table.tableName,
        [ENV.sequenceStateMachineArn]: props.sequenceStateMachine.stateMachineArn,
      },
      memorySize: 1024,
      timeoutSeconds: 29,
    });
    props.table.grantReadWriteData(this.programsFunction);
    // A program's pause and resume move its enrollments as a campaign's control does.
    props.sequenceStateMachine.grantTaskResponse(this.programsFunction);
    props.sequenceStateMachine.grantExecution(this.programsFunction, 'states:StopExecution');
    // The accounts' routes too (the console's list and timeline, an account's view, its contacts,
    // erasure): the listing, the timeline and the account view's reads stay out of the router's bundle.
    this.accountsFunction = props.createFunction(this, 'Accounts', {
      ...LAMBDAS.accountsApi,
      environment: {
        [ENV.tableName]: props.table.tableName,
        [ENV.busName]: props.bus.eventBusName,
        ...(props.coverage ? { [ENV.coverage]: JSON.stringify(props.coverage) } : {}),
        ...(props.scoringConfig ? { [ENV.scoringConfig]: JSON.stringify(props.scoringConfig) } : {}),
      },
      memorySize: 1024,
      timeoutSeconds: 29,
    });
    // Contact writes and erasure write the table (and coverage its research tasks); an erasure
    // publishes the ad-audience removal, and a research task its event, on the bus.
    props.table.grantReadWriteData(this.accountsFunction);
    props.bus.grantPutEventsTo(this.accountsFunction);
    this.healthFunction = props.healthFunction;
    this.throttle = props.throttle ?? DEFAULT_THROTTLE;
    this.publicThrottle = props.publicThrottle ?? DEFAULT_PUBLIC_THROTTLE;
    const publicRoutes = this.addRoutes(this, this.httpApi, {
      integrationPrefix: '',
      protectedAuthorizer,
      publicRoutes: true,
    });
    this.configureStage(this.httpApi, this.accessLogs, publicRoutes);

    new CfnOutput(this, 'Url', { value: this.httpApi.apiEndpoint, description: 'Base URL of the ABM API' });
  }

  /**
   * A second HTTP API over the same functions, for the web console: every route but the public
   * ones behind a JWT authorizer (the Cognito user pool's access tokens: issuer, the app client as
   * audience, and the `openid` scope, which ID tokens do not carry), CORS for the console's origin
   * only. An HTTP API route has one authorizer, so the CLI and automation keep the IAM API
   * (`httpApi`) and console users this one; both reach the same code and data.
   */
  public addConsoleApi(props: ConsoleApiProps): HttpApi {
    const scope = new Construct(this, 'Console');
    const httpApi = new HttpApi(scope, 'HttpApi', {
      description: 'ABM orchestrator API for the web console (JWT; docs/architecture.md "Console on AWS")',
      createDefaultStage: true,
      // API Gateway answers the preflight itself and ignores CORS headers from the functions:
      // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html
      corsPreflight: {
        allowOrigins: [...props.allowOrigins],
        allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.PUT, CorsHttpMethod.DELETE],
        allowHeaders: ['authorization', 'content-type', 'if-match'],
        exposeHeaders: ['etag', 'location', 'retry-after'],
        maxAge: Duration.hours(1),
      },
    });
    const logs = new LogGroup(scope, 'AccessLogs', {
      retention: this.logRetention,
      removalPolicy: this.removalPolicy,
    });
    const authorizer = new HttpJwtAuthorizer('Jwt', props.issuer, { jwtAudience: [...props.audience] });
    const publicRoutes = this.addRoutes(scope, httpApi, {
      integrationPrefix: 'Console',
      protectedAuthorizer: authorizer,
      authorizationScopes: ['openid'],
      publicRoutes: false,
    });
    this.configureStage(httpApi, logs, publicRoutes);
    new CfnOutput(scope, 'Url', {
      value: httpApi.apiEndpoint,
      description: "Base URL of the console's API (JWT)",
    });
    return httpApi;
  }

  /** One integration per function of `servedBy` (an integration belongs to one HTTP API). */
  private integrationsFor(prefix: string) {
    const i = (id: string, fn: IFunction) => lambdaIntegration(`${prefix}${id}`, fn);
    return {
      router: i('Router', this.function),
      webhooks: i('Webhooks', this.webhookFunction),
      accounts: i('Accounts', this.accountsFunction),
      catalog: i('Catalog', this.catalogFunction),
      importAccounts: i('ImportAccounts', this.importAccountsFunction),
      importPinpoint: i('ImportPinpoint', this.importPinpointFunction),
      programs: i('Programs', this.programsFunction),
      health: this.healthFunction ? i('Health', this.healthFunction) : undefined,
    };
  }

  /**
   * Every route of the route table (functions/api/manifest.ts) on `httpApi`, then a `$default`
   * route to the router behind the same authorizer, so an unknown path answers 404 in the API's
   * error shape rather than API Gateway's own body. Without `publicRoutes` the public routes but
   * GET /health are left out (webhooks and one-click unsubscribe are the IAM API's).
   */
  private addRoutes(
    scope: Construct,
    httpApi: HttpApi,
    opts: {
      /** Names this API's integrations apart from the other's (an integration belongs to one API). */
      integrationPrefix: string;
      protectedAuthorizer: IHttpRouteAuthorizer;
      authorizationScopes?: string[];
      publicRoutes: boolean;
    },
  ): { key: string; route: HttpRoute }[] {
    const publicAuthorizer = new HttpNoneAuthorizer();
    const integrations = this.integrationsFor(opts.integrationPrefix);
    const publicRoutes: { key: string; route: HttpRoute }[] = [];
    for (const r of routeManifest()) {
      if (!opts.publicRoutes && r.auth === 'none' && r.path !== '/health') continue;
      const integration =
        r.path === '/health' && integrations.health ? integrations.health : integrations[r.servedBy];
      const route = new HttpRoute(scope, `Route-${r.operationId}`, {
        httpApi,
        routeKey: HttpRouteKey.with(r.path, METHODS[r.method]),
        integration,
        authorizer: r.auth === 'none' ? publicAuthorizer : opts.protectedAuthorizer,
        authorizationScopes: r.auth === 'none' ? undefined : opts.authorizationScopes,
      });
      if (r.auth === 'none') {
        publicRoutes.push({ key: `${r.method} ${r.path}`, route });
        Validations.of(route).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            r.path === '/health'
              ? 'Liveness probe: answers status and version only, no data; monitors call it without credentials.'
              : r.operationId === 'receiveWebhook'
                ? 'Provider webhooks (Lob, PostGrid, HubSpot, Salesforce) hold no AWS credentials; each request is verified by its provider signature or shared secret and replay-protected by timestamp and event id.'
                : 'One-click unsubscribe (RFC 8058) is opened by mail clients and recipients, who hold no credentials; the HMAC-signed, expiring token in the link is the authorisation.',
        });
      }
    }
    new HttpRoute(scope, 'Route-default', {
      httpApi,
      routeKey: HttpRouteKey.DEFAULT,
      integration: integrations.router,
      authorizer: opts.protectedAuthorizer,
      authorizationScopes: opts.authorizationScopes,
    });
    return publicRoutes;
  }

  /**
   * The stage's access log (JSON, one line per request) and throttling
   * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-throttling.html):
   * without it, anonymous traffic on the public routes could use the Lambda concurrency the engine
   * and the scorer need. The public routes get a tighter limit of their own: API Gateway refuses a
   * stage whose route settings name a route it does not have yet ("Unable to find Route by key ...
   * within the provided RouteSettings"), so the stage names only this API's public routes and is
   * created after them.
   */
  private configureStage(
    httpApi: HttpApi,
    logs: LogGroup,
    publicRoutes: readonly { key: string; route: HttpRoute }[],
  ): void {
    const stage = httpApi.defaultStage?.node.defaultChild as CfnStage | undefined;
    if (!stage) return;
    stage.accessLogSettings = {
      destinationArn: logs.logGroupArn,
      format: JSON.stringify({
        requestId: '$context.requestId',
        ip: '$context.identity.sourceIp',
        caller: '$context.identity.caller',
        user: '$context.identity.user',
        // The console's users: the subject of the JWT (empty on the IAM API).
        sub: '$context.authorizer.claims.sub',
        requestTime: '$context.requestTime',
        routeKey: '$context.routeKey',
        status: '$context.status',
        responseLength: '$context.responseLength',
        integrationError: '$context.integrationErrorMessage',
      }),
    };
    stage.defaultRouteSettings = {
      throttlingRateLimit: this.throttle.rateLimit,
      throttlingBurstLimit: this.throttle.burstLimit,
    };
    // RouteSettings is a JSON map in the L1 (CloudFormation's own property names, not converted).
    stage.routeSettings = Object.fromEntries(
      publicRoutes.map(({ key }) => [
        key,
        {
          ThrottlingRateLimit: this.publicThrottle.rateLimit,
          ThrottlingBurstLimit: this.publicThrottle.burstLimit,
        },
      ]),
    );
    for (const { route } of publicRoutes) stage.node.addDependency(route);
  }
}
