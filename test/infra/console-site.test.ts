/**
 * The web console on AWS (lib/infra/constructs/console-site.ts): a private bucket behind CloudFront
 * with origin access control and security headers, a Cognito user pool with a public PKCE client,
 * and a second HTTP API over the same functions behind a JWT authorizer with CORS for the
 * console's origin only; the IAM API is unchanged.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { buildTestStack, configIssues } from './app';
import { routeManifest } from '../../functions/api/manifest';

type Resource = { Type: string; Properties: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any

const resources = (t: Template, type: string) =>
  Object.entries(t.findResources(type)) as [string, Resource][];
const only = (t: Template, type: string): [string, Resource] => {
  const all = resources(t, type);
  expect(all.map(([id]) => id)).toHaveLength(1);
  return all[0]!;
};

describe('console config', () => {
  it('is off by default: no bucket for it, no distribution, no user pool', () => {
    const t = buildTestStack().template();
    expect(resources(t, 'AWS::CloudFront::Distribution')).toEqual([]);
    expect(resources(t, 'AWS::Cognito::UserPool')).toEqual([]);
    expect(resources(t, 'AWS::ApiGatewayV2::Api')).toHaveLength(1);
  });

  it('names a domain without its certificate, a certificate outside us-east-1, and unknown keys', () => {
    expect(configIssues({ console: { enabled: true, domainName: 'abm.example.com' } })).toEqual([
      'config.console.certificateArn: domainName and certificateArn go together (the certificate must cover the domain)',
    ]);
    expect(
      configIssues({
        console: {
          enabled: true,
          domainName: 'abm.example.com',
          certificateArn:
            'arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012',
        },
      }),
    ).toEqual([
      'config.console.certificateArn: Invalid certificate ARN (CloudFront takes ACM certificates in us-east-1 only)',
    ]);
    expect(configIssues({ console: { enabled: true, cognito: true } })).toEqual([
      'config.console.cognito: Unknown key',
    ]);
  });
});

describe('console on AWS', () => {
  let t: Template;
  let distributionId: string;
  beforeAll(() => {
    t = buildTestStack({ config: { console: { enabled: true } } }).template();
    distributionId = only(t, 'AWS::CloudFront::Distribution')[0];
  });

  it('keeps the files in a private, TLS-only bucket that only this distribution may read', () => {
    const [bucketId] = resources(t, 'AWS::S3::Bucket').find(([id]) => id.startsWith('ConsoleFiles'))!;
    t.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 's3/' }),
    });
    const policy = resources(t, 'AWS::S3::BucketPolicy').find(
      ([, p]) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: bucketId }),
    )![1];
    const statements = policy.Properties.PolicyDocument.Statement as Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]!.Principal).toEqual({ Service: 'cloudfront.amazonaws.com' });
    expect(allows[0]!.Action).toBe('s3:GetObject');
    expect(JSON.stringify(allows[0]!.Condition)).toContain(distributionId);
    const tls = statements.find((s) => s.Effect === 'Deny');
    expect(tls?.Condition).toEqual({ Bool: { 'aws:SecureTransport': 'false' } });
  });

  it('serves through origin access control over HTTPS only, with security headers and logs', () => {
    only(t, 'AWS::CloudFront::OriginAccessControl');
    const dist = only(t, 'AWS::CloudFront::Distribution')[1].Properties.DistributionConfig;
    expect(dist.Origins[0].OriginAccessControlId).toBeDefined();
    expect(dist.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(dist.DefaultCacheBehavior.AllowedMethods).toEqual(['GET', 'HEAD']);
    expect(dist.Logging.Prefix).toBe('cloudfront/');
    const headers = only(t, 'AWS::CloudFront::ResponseHeadersPolicy')[1].Properties
      .ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    const csp = JSON.stringify(headers.ContentSecurityPolicy.ContentSecurityPolicy);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(
      /connect-src 'self' https:\/\/\*\.execute-api\.us-east-1\.amazonaws\.com https:\/\/abm-/,
    );
    expect(headers.StrictTransportSecurity).toMatchObject({
      AccessControlMaxAgeSec: 63072000,
      Override: true,
    });
    expect(headers.FrameOptions.FrameOption).toBe('DENY');
    expect(headers.ContentTypeOptions.Override).toBe(true);
  });

  it("routes /console/ paths without an extension to the app's index.html", () => {
    const code = only(t, 'AWS::CloudFront::Function')[1].Properties.FunctionCode as string;
    const handler = new Function(`${code}; return handler;`)() as (e: unknown) => any; // eslint-disable-line @typescript-eslint/no-explicit-any
    const at = (uri: string) => handler({ request: { uri } });
    expect(at('/')).toMatchObject({ statusCode: 301, headers: { location: { value: '/console/' } } });
    expect(at('/console')).toMatchObject({ statusCode: 301 });
    expect(at('/console/').uri).toBe('/console/index.html');
    expect(at('/console/accounts/acme').uri).toBe('/console/index.html');
    expect(at('/console/assets/index-abc.js').uri).toBe('/console/assets/index-abc.js');
    expect(at('/console/config.json').uri).toBe('/console/config.json');
  });

  it('signs users in with a user pool: no self sign-up, TOTP MFA, a public client on the code flow back to the console', () => {
    t.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
    });
    const client = only(t, 'AWS::Cognito::UserPoolClient')[1].Properties;
    expect(client.GenerateSecret).toBe(false);
    // Not Cognito's default set, which includes CUSTOM_AUTH.
    expect([...client.ExplicitAuthFlows].sort()).toEqual(['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH']);
    expect(client.EnableTokenRevocation).toBe(true);
    expect(client.AllowedOAuthFlows).toEqual(['code']);
    expect(client.AllowedOAuthFlowsUserPoolClient).toBe(true);
    expect(client.AllowedOAuthScopes).toEqual(expect.arrayContaining(['openid']));
    const callback = JSON.stringify(client.CallbackURLs);
    expect(callback).toContain(distributionId);
    expect(callback).toContain('/console/');
    only(t, 'AWS::Cognito::UserPoolDomain');
  });

  it('adds a JWT API over the same functions: every protected route, /health public, CORS for the console only', () => {
    const apis = resources(t, 'AWS::ApiGatewayV2::Api');
    expect(apis).toHaveLength(2);
    const [consoleApiId, consoleApi] = apis.find(([id]) => id.startsWith('ApiConsole'))!;
    const [iamApiId] = apis.find(([id]) => id !== consoleApiId)!;
    expect(JSON.stringify(consoleApi.Properties.CorsConfiguration.AllowOrigins)).toContain(distributionId);
    expect(consoleApi.Properties.CorsConfiguration.AllowOrigins).toHaveLength(1);
    const [authorizerId, authorizer] = only(t, 'AWS::ApiGatewayV2::Authorizer');
    expect(authorizer.Properties.AuthorizerType).toBe('JWT');
    expect(JSON.stringify(authorizer.Properties.JwtConfiguration.Issuer)).toContain('ConsoleUsers');
    expect(JSON.stringify(authorizer.Properties.JwtConfiguration.Audience)).toContain('ConsoleUsersConsole');

    const routes = resources(t, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties);
    const onConsole = routes.filter((r) => r.ApiId.Ref === consoleApiId);
    const onIam = routes.filter((r) => r.ApiId.Ref === iamApiId);
    const protectedKeys = routeManifest()
      .filter((r) => r.auth !== 'none')
      .map((r) => `${r.method} ${r.path}`);
    expect(onConsole.map((r) => r.RouteKey).sort()).toEqual(
      [...protectedKeys, 'GET /health', '$default'].sort(),
    );
    for (const r of onConsole) {
      if (r.RouteKey === 'GET /health') {
        expect(r.AuthorizationType).toBe('NONE');
        continue;
      }
      expect([r.RouteKey, r.AuthorizationType, r.AuthorizerId, r.AuthorizationScopes]).toEqual([
        r.RouteKey,
        'JWT',
        { Ref: authorizerId },
        ['openid'],
      ]);
    }
    // The IAM API still has every route, the public ones too, and no JWT.
    expect(onIam.length).toBe(routeManifest().length + 1);
    for (const r of onIam) expect(r.AuthorizationType).not.toBe('JWT');
  });

  it("names in each stage's route settings only routes of its own API, and creates the stage after them", () => {
    // API Gateway refuses a stage naming a route it does not have ("Unable to find Route by key").
    const template = t.toJSON() as { Resources: Record<string, Resource & { DependsOn?: string[] }> };
    const stages = Object.values(template.Resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::Stage');
    expect(stages).toHaveLength(2);
    for (const stage of stages) {
      const apiId = stage.Properties.ApiId.Ref as string;
      const routes = Object.entries(template.Resources).filter(
        ([, r]) => r.Type === 'AWS::ApiGatewayV2::Route' && r.Properties.ApiId.Ref === apiId,
      );
      const keys = Object.keys(stage.Properties.RouteSettings);
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) {
        const route = routes.find(([, r]) => r.Properties.RouteKey === key);
        expect(route, `${apiId}: ${key}`).toBeDefined();
        expect(stage.DependsOn ?? []).toContain(route![0]);
      }
    }
  });

  it("gives each function one invoke permission per API, not one per route (Lambda's policy stays small)", () => {
    const permissions = resources(t, 'AWS::Lambda::Permission').map(([, p]) => p.Properties);
    const routerId = resources(t, 'AWS::Lambda::Function').find(([id]) =>
      id.startsWith('ApiRouterFunction'),
    )![0];
    const router = permissions.filter((p) => JSON.stringify(p.FunctionName).includes(routerId));
    // The IAM API and the console's: one each.
    expect(router).toHaveLength(2);
    for (const p of router) expect(JSON.stringify(p.SourceArn)).toMatch(/\/\*\/\*"\]\]\}$/);
  });

  it('uploads the chunks before the index.html that names them', () => {
    const deployments = resources(t, 'Custom::CDKBucketDeployment');
    const [assetsId] = deployments.find(([id]) => id.includes('Assets'))!;
    const shell = (t.toJSON() as { Resources: Record<string, { DependsOn?: string[] }> }).Resources[
      deployments.find(([id]) => id.includes('Shell'))![0]
    ]!;
    expect(shell.DependsOn ?? []).toEqual(
      expect.arrayContaining([expect.stringContaining(assetsId.slice(0, 12))]),
    );
  });

  it('writes config.json with the API, the issuer, the managed login domain and the client', () => {
    const deployments = resources(t, 'Custom::CDKBucketDeployment');
    expect(deployments).toHaveLength(2);
    const shell = deployments.find(([id]) => id.includes('Shell'))![1].Properties;
    expect(shell.DestinationBucketKeyPrefix).toBe('console/');
    expect(shell.Prune).toBe(true);
    const markers = JSON.stringify(shell.SourceMarkers);
    for (const part of ['ApiConsoleHttpApi', 'ConsoleUsers', 'ConsoleUsersConsole', 'AWS::StackId'])
      expect(markers).toContain(part);
    const assets = deployments.find(([id]) => id.includes('Assets'))![1].Properties;
    expect(assets.DestinationBucketKeyPrefix).toBe('console/assets/');
    expect(assets.Prune).toBe(false);
  });
});

describe('console on AWS under its own name', () => {
  it('serves the domain with its certificate at TLS 1.2 and calls back there', () => {
    const arn = 'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012';
    const t = buildTestStack({
      config: { console: { enabled: true, domainName: 'abm.example.com', certificateArn: arn } },
    }).template();
    const dist = only(t, 'AWS::CloudFront::Distribution')[1].Properties.DistributionConfig;
    expect(dist.Aliases).toEqual(['abm.example.com']);
    expect(dist.ViewerCertificate).toMatchObject({
      AcmCertificateArn: arn,
      MinimumProtocolVersion: 'TLSv1.2_2021',
    });
    // Its own name first; the cloudfront.net name still answers (before DNS points at it).
    const client = only(t, 'AWS::Cognito::UserPoolClient')[1].Properties;
    expect(client.CallbackURLs[0]).toBe('https://abm.example.com/console/');
    expect(JSON.stringify(client.CallbackURLs[1])).toContain('DomainName');
    expect(client.CallbackURLs).toHaveLength(2);
    const api = resources(t, 'AWS::ApiGatewayV2::Api').find(([id]) => id.startsWith('ApiConsole'))![1];
    expect(api.Properties.CorsConfiguration.AllowOrigins[0]).toBe('https://abm.example.com');
    expect(api.Properties.CorsConfiguration.AllowOrigins).toHaveLength(2);
  });
});
