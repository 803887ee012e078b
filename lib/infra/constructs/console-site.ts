/**
 * The web console on AWS (docs/architecture.md "Console on AWS"), deployed when
 * `config.console.enabled`:
 *
 *   browser ─ CloudFront (TLS, security headers, /console/* routes to index.html)
 *               └─ private S3 bucket (origin access control; console/dist and config.json)
 *           ─ Cognito managed login (authorization code + PKCE, TOTP MFA) ─ access token
 *           ─ the console's HTTP API (JWT authorizer, CORS for this origin only) ─ same functions
 *
 * The console's config.json (written at deploy time) tells the single-page app where its API and
 * its user pool are; without it (local mode) the app asks for the local bearer token instead.
 */
import { Aws, CfnOutput, Duration, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  Function as CloudFrontFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import {
  AccountRecovery,
  FeaturePlan,
  Mfa,
  OAuthScope,
  UserPool,
  UserPoolClient,
  UserPoolClientIdentityProvider,
  UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AbmApi } from './api';

/** The built console in this checkout (`npm run build:console`). */
export const CONSOLE_DIST = path.resolve(__dirname, '..', '..', '..', 'console', 'dist');

/** What the single-page app reads from /console/config.json on AWS (console/src/auth.ts). */
export interface ConsoleRuntimeConfig {
  readonly auth: 'cognito';
  /** The console's HTTP API (JWT), without a trailing slash. */
  readonly apiUrl: string;
  /** The user pool's issuer (OIDC), `https://cognito-idp.<region>.amazonaws.com/<pool id>`. */
  readonly issuer: string;
  /** The managed login domain, `https://<prefix>.auth.<region>.amazoncognito.com`. */
  readonly authDomain: string;
  readonly clientId: string;
}

export interface ConsoleSiteProps {
  readonly api: AbmApi;
  /** Serve the console under this name (with `certificateArn`); the cloudfront.net name otherwise. */
  readonly domainName?: string;
  /** An ACM certificate in us-east-1 covering `domainName`. */
  readonly certificateArn?: string;
  /** The built console; default console/dist of this checkout. */
  readonly consoleDir?: string;
  /** Days the CloudFront and S3 access logs are kept. */
  readonly logRetentionDays: number;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The console's Content-Security-Policy on AWS: the app's own scripts and styles (Chart.js sets
 * inline styles on its canvas); mail previews may show https images; calls go to `apiOrigin` (the
 * console's API) and `authDomain` (the user pool's token endpoint) only.
 */
export function consoleContentSecurityPolicy(apiOrigin: string, authDomain: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: https:",
    `connect-src 'self' ${apiOrigin} ${authDomain}`,
    "frame-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
  ].join('; ');
}

/**
 * Viewer-request function: `/` and `/console` go to `/console/`; a path under /console/ whose last
 * segment has no extension is one of the app's own routes and gets index.html (as local mode does,
 * lib/local/console-static.ts).
 */
export const ROUTER_FUNCTION = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri === '/' || uri === '/console') {
    return { statusCode: 301, statusDescription: 'Moved Permanently', headers: { location: { value: '/console/' } } };
  }
  if (uri.indexOf('/console/') === 0 && uri.slice(uri.lastIndexOf('/') + 1).indexOf('.') === -1) {
    request.uri = '/console/index.html';
  }
  return request;
}`;

export class ConsoleSite extends Construct {
  public readonly bucket: Bucket;
  public readonly logsBucket: Bucket;
  public readonly distribution: Distribution;
  public readonly userPool: UserPool;
  public readonly client: UserPoolClient;
  public readonly domain: UserPoolDomain;
  /** The console's HTTP API: JWT from this user pool, CORS for the console's origin. */
  public readonly httpApi: HttpApi;
  /** `https://<domain>`: the console's origin. */
  public readonly origin: string;
  /** `https://<domain>/console/`. */
  public readonly url: string;
  /** Every origin the console answers on (its own name and, with one, the cloudfront.net name). */
  public readonly origins: string[];
  private readonly urls: string[];

  constructor(scope: Construct, id: string, props: ConsoleSiteProps) {
    super(scope, id);
    const consoleDir = props.consoleDir ?? CONSOLE_DIST;
    if (!fs.existsSync(path.join(consoleDir, 'index.html')))
      throw new Error(`the console is not built (no ${consoleDir}/index.html): run npm run build:console`);
    const region = Stack.of(this).region;
    const removalPolicy = props.removalPolicy;

    // CloudFront's standard logs are written with bucket ACLs, so this bucket alone keeps them on
    // (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging-legacy-s3.html).
    this.logsBucket = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.OBJECT_WRITER,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(props.logRetentionDays) }],
      removalPolicy,
    });
    Validations.of(this.logsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        "This is the access-log bucket itself (the console bucket's S3 access logs and CloudFront's standard logs): logging its own access would log into itself.",
    });

    this.bucket = new Bucket(this, 'Files', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      serverAccessLogsBucket: this.logsBucket,
      serverAccessLogsPrefix: 's3/',
      removalPolicy,
    });

    // The managed login domain: a prefix unique to this stack (its id's GUID), so two deployments
    // (stages, accounts) never ask for the same one.
    const domainPrefix = Fn.join('', ['abm-', Fn.select(2, Fn.split('/', Aws.STACK_ID))]);
    const authDomain = `https://${domainPrefix}.auth.${region}.amazoncognito.com`;

    const headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'ABM console: CSP, HSTS and friends',
      securityHeadersBehavior: {
        // The app's own scripts and styles (Chart.js sets inline styles on its canvas); mail
        // previews may show https images; calls go to this Region's API Gateway and the user
        // pool's token endpoint only.
        contentSecurityPolicy: {
          contentSecurityPolicy: consoleContentSecurityPolicy(
            `https://*.execute-api.${region}.amazonaws.com`,
            authDomain,
          ),
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          override: true,
        },
      },
    });

    const router = new CloudFrontFunction(this, 'Routes', {
      code: FunctionCode.fromInline(ROUTER_FUNCTION),
      runtime: FunctionRuntime.JS_2_0,
      comment: 'ABM console: / to /console/, app routes to index.html',
    });

    const custom = props.domainName && props.certificateArn;
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'ABM console',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        functionAssociations: [{ function: router, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      ...(custom
        ? {
            domainNames: [props.domainName!],
            certificate: Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn!),
            minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
      enableLogging: true,
      logBucket: this.logsBucket,
      logFilePrefix: 'cloudfront/',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason:
        'Marketing and sales teams sign in from wherever they travel; every page needs a Cognito sign-in and every API call a JWT, so no country is blocked by default.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR2',
      reason:
        'The distribution serves static files only (no data, no forms, GET and HEAD); the API it calls has its own throttling and a JWT authorizer. A WAF web ACL can be attached by the platform team where policy requires one.',
    });
    if (!custom)
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason:
          "Without console.domainName the distribution uses CloudFront's default *.cloudfront.net certificate, whose minimum protocol CloudFront sets; set domainName and certificateArn to enforce TLSv1.2_2021.",
      });

    const domainName = custom ? props.domainName! : this.distribution.distributionDomainName;
    this.origin = `https://${domainName}`;
    this.url = `${this.origin}/console/`;
    // Under its own name the distribution still answers on its cloudfront.net name (before DNS
    // points at it, say): sign-in and the API work from both.
    this.origins = custom
      ? [this.origin, `https://${this.distribution.distributionDomainName}`]
      : [this.origin];
    this.urls = this.origins.map((o) => `${o}/console/`);

    // Users are created by an administrator (no self sign-up) and sign in with a password and an
    // authenticator app: managed login enrols the app at the first sign-in
    // (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-mfa-totp.html).
    this.userPool = new UserPool(this, 'Users', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: FeaturePlan.ESSENTIALS,
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG3',
      reason:
        "Threat protection (advanced security) needs Cognito's Plus feature plan, billed per active user; the pool has no self sign-up and requires TOTP MFA. Turn it on in the pool when your policy asks for it.",
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG8',
      reason:
        "The Plus feature plan (threat protection) is billed per monthly active user; Essentials with administrator-created users and required TOTP MFA is the default, upgradable in the pool's settings.",
    });
    this.domain = this.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix } });
    // A public client (a single-page app keeps no secret): the authorization code flow, which the
    // console always runs with PKCE (S256); tokens for one hour, the refresh token for a working day.
    this.client = this.userPool.addClient('Console', {
      generateSecret: false,
      // The flows the client answers besides the browser redirect: SRP (a password never sent) and
      // the refresh token; not CUSTOM_AUTH, which Cognito allows by default and this pool has no
      // Lambda challenge for.
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: this.urls,
        logoutUrls: this.urls,
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
    });

    this.httpApi = props.api.addConsoleApi({
      issuer: this.userPool.userPoolProviderUrl,
      audience: [this.client.userPoolClientId],
      allowOrigins: this.origins,
    });

    const runtimeConfig: ConsoleRuntimeConfig = {
      auth: 'cognito',
      apiUrl: this.httpApi.apiEndpoint,
      issuer: this.userPool.userPoolProviderUrl,
      authDomain,
      clientId: this.client.userPoolClientId,
    };
    // Hashed assets are immutable and kept across deployments (a page open during a deployment
    // still finds its chunks); index.html and config.json are revalidated on every load.
    const assets = new BucketDeployment(this, 'Assets', {
      sources: [Source.asset(path.join(consoleDir, 'assets'))],
      destinationBucket: this.bucket,
      destinationKeyPrefix: 'console/assets/',
      prune: false,
      cacheControl: [CacheControl.fromString('public, max-age=31536000, immutable')],
      memoryLimit: 512,
    });
    const shell = new BucketDeployment(this, 'Shell', {
      sources: [
        Source.asset(consoleDir, { exclude: ['assets', 'assets/*'] }),
        Source.jsonData('config.json', runtimeConfig),
      ],
      destinationBucket: this.bucket,
      destinationKeyPrefix: 'console/',
      exclude: ['assets/*'],
      // No invalidation needed (and no cloudfront:CreateInvalidation on "*"): CloudFront keeps a
      // no-cache object for the cache policy's minimum TTL only (1 s for CachingOptimized):
      // https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/Expiration.html
      cacheControl: [CacheControl.noCache()],
      memoryLimit: 512,
    });
    // The new index.html only once the chunks it names are there (S3 answers 403 for a missing one).
    shell.node.addDependency(assets);
    // CDK's copy function (a singleton in the stack): its managed policy and runtime are CDK's.
    const copier = Stack.of(this).node.children.find((c) =>
      c.node.id.startsWith('Custom::CDKBucketDeployment'),
    );
    if (copier) {
      Validations.of(copier).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          "CDK's BucketDeployment function (runs at deploy time only) writes its own logs through the AWS managed basic execution policy, which CDK attaches.",
      });
      Validations.of(copier).acknowledge({
        id: 'AwsSolutions-L1',
        reason:
          "CDK's BucketDeployment function: its runtime is chosen and updated by aws-cdk-lib with the AWS CLI layer it needs; it runs at deploy time only.",
      });
    }

    new CfnOutput(this, 'Url', { value: this.url, description: 'The web console' });
    new CfnOutput(this, 'DistributionDomainName', {
      value: this.distribution.distributionDomainName,
      description: custom ? `Point ${props.domainName} (CNAME or alias) here` : 'The console is served here',
    });
    new CfnOutput(this, 'UserPoolId', {
      value: this.userPool.userPoolId,
      description: 'Add console users here (aws cognito-idp admin-create-user)',
    });
  }
}
