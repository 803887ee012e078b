/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies are read loosely in tests */
/**
 * The API and launcher constructs in a test stack: IAM authorisation on every route except
 * /health and /unsubscribe, one API Gateway route per router route, the launcher's Distributed
 * Map from the ASL file with bounded concurrency, and least-privilege grants.
 */
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Pass, StateMachine, DefinitionBody } from 'aws-cdk-lib/aws-stepfunctions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { routeManifest } from '../../functions/api/manifest';
import { AbmApi, type ApiAuthConfig } from '../../lib/infra/constructs/api';
import { baseFunctionFactory } from '../../lib/infra/constructs/base-function';
import { CampaignLauncher } from '../../lib/infra/constructs/launcher';

function build(auth: ApiAuthConfig = 'iam') {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'ApiTest', { env: { account: '123456789012', region: 'us-east-1' } });
  const table = new Table(stack, 'Table', {
    partitionKey: { name: 'pk', type: AttributeType.STRING },
    sortKey: { name: 'sk', type: AttributeType.STRING },
  });
  const bus = new EventBus(stack, 'Bus');
  const sequence = new StateMachine(stack, 'AccountSequence', {
    definitionBody: DefinitionBody.fromChainable(new Pass(stack, 'P')),
  });
  const createFunction = baseFunctionFactory({
    logRetention: RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const launcher = new CampaignLauncher(stack, 'Launcher', {
    table,
    sequenceStateMachine: sequence,
    createFunction,
  });
  const api = new AbmApi(stack, 'Api', {
    table,
    bus,
    createFunction,
    sequenceStateMachine: sequence,
    launcher,
    auth,
    version: '1.2.3',
  });
  return { template: Template.fromStack(stack), api, launcher, stack };
}

const PUBLIC = new Set(['GET /health', 'GET /unsubscribe', 'POST /unsubscribe', 'POST /webhooks/{provider}']);

describe('AbmApi', () => {
  const { template } = build();
  const routes = template.findResources('AWS::ApiGatewayV2::Route');
  const byKey = new Map(
    Object.values(routes).map((r: any) => [r.Properties.RouteKey as string, r.Properties]),
  );

  it('has one API Gateway route per router route', () => {
    const expected = routeManifest()
      .map((r) => `${r.method} ${r.path}`)
      .sort();
    // Plus $default: unknown paths reach the router (behind IAM) and get a 404 in the error shape.
    expect([...byKey.keys()].sort()).toEqual([...expected, '$default'].sort());
    expect(expected.length).toBeGreaterThan(20);
  });

  it('authorises every route with IAM except /health, /unsubscribe and the provider webhooks', () => {
    for (const [key, props] of byKey) {
      if (PUBLIC.has(key)) expect(props.AuthorizationType, key).toBe('NONE');
      else expect(props.AuthorizationType, key).toBe('AWS_IAM');
    }
    expect([...byKey.keys()].filter((k) => PUBLIC.has(k)).sort()).toEqual([...PUBLIC].sort());
  });

  it('can use a JWT authorizer instead of IAM', () => {
    const jwt = build({ jwt: { issuer: 'https://issuer.example.com', audience: ['abm'] } }).template;
    jwt.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: { Audience: ['abm'], Issuer: 'https://issuer.example.com' },
    });
    const keys = Object.values(jwt.findResources('AWS::ApiGatewayV2::Route')).map((r: any) => r.Properties);
    for (const p of keys) expect(p.AuthorizationType).toBe(PUBLIC.has(p.RouteKey) ? 'NONE' : 'JWT');
  });

  it('writes access logs and grants the router only what it uses', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (p: any) => p.Properties.PolicyDocument.Statement,
    );
    for (const s of policies) {
      const resources = [].concat(s.Resource);
      const actions = [].concat(s.Action) as string[];
      // Only X-Ray and CloudWatch Logs vended delivery (state machine logging) need "*": AWS requires it.
      if (resources.includes('*' as never))
        expect(
          actions.every((a) => a.startsWith('xray:') || a.startsWith('logs:')),
          JSON.stringify(s),
        ).toBe(true);
    }
    const actions = policies.flatMap((s: any) => [].concat(s.Action));
    expect(actions).toEqual(
      expect.arrayContaining([
        'states:StartExecution',
        'states:SendTaskSuccess',
        'states:StopExecution',
        'secretsmanager:GetSecretValue',
      ]),
    );
  });
});

describe('CampaignLauncher', () => {
  const { template } = build();
  it('runs the ASL file: a Distributed Map over S3 JSON lines with bounded concurrency', () => {
    const machines = template.findResources('AWS::StepFunctions::StateMachine');
    const launcher = Object.entries(machines).find(([id]) => id.startsWith('Launcher'))![1] as any;
    const asl = JSON.parse(launcher.Properties.DefinitionString);
    const map = asl.States[asl.StartAt];
    expect(map.ItemProcessor.ProcessorConfig.Mode).toBe('DISTRIBUTED');
    expect(map.ItemReader).toMatchObject({
      Resource: 'arn:aws:states:::s3:getObject',
      ReaderConfig: { InputType: 'JSONL' },
    });
    expect(map.MaxConcurrency).toBeGreaterThan(0);
    expect(map.MaxConcurrency).toBeLessThanOrEqual(50);
    expect(Object.keys(launcher.Properties.DefinitionSubstitutions).sort()).toEqual([
      'EnrollBatchFunctionArn',
      'FinalizeFunctionArn',
    ]);
    expect(launcher.Properties.TracingConfiguration).toEqual({ Enabled: true });
  });

  it('lets the state machine start its own child executions and read the audience bucket', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'states:StartExecution',
            Resource: Match.objectLike({ Ref: Match.stringLikeRegexp('^LauncherStateMachine') }),
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 7, Status: 'Enabled' })] },
      PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicAcls: true }),
    });
  });
});
