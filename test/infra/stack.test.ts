import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { version as packageVersion } from '../../package.json';
import { LAMBDAS } from '../../lib/infra/functions';
import { buildTestStack } from './app';

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };
type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string };

function statementsOf(template: Template): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy') as Record<string, Resource>;
  return Object.values(policies).flatMap(
    (p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
  );
}
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const resourcesOf = (s: Statement) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);
const logicalIdOf = (template: Template, type: string) => {
  const ids = Object.keys(template.findResources(type));
  expect(ids).toHaveLength(1);
  return ids[0]!;
};

describe('AbmStack (dev)', () => {
  let template: Template;
  beforeAll(() => {
    template = buildTestStack({ stage: 'dev' }).template();
  });

  it('encrypts the table with a rotating customer-managed KMS key', () => {
    const table = Object.values(template.findResources('AWS::DynamoDB::Table'))[0] as Resource;
    const sse = table.Properties.SSESpecification as {
      SSEEnabled: boolean;
      SSEType: string;
      KMSMasterKeyId: unknown;
    };
    expect(sse).toMatchObject({ SSEEnabled: true, SSEType: 'KMS' });
    const keyId = (sse.KMSMasterKeyId as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const key = template.findResources('AWS::KMS::Key')[keyId] as Resource;
    expect(key.Properties.EnableKeyRotation).toBe(true);
  });

  it('has point-in-time recovery, on-demand billing and the ttl attribute', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
    });
  });

  it('keys the table on pk/sk with gsi1, gsi2 and gsi3 projecting all attributes', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith(
        ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk'].map((name) => ({
          AttributeName: name,
          AttributeType: 'S',
        })),
      ),
      GlobalSecondaryIndexes: [1, 2, 3].map((n) => ({
        IndexName: `gsi${n}`,
        KeySchema: [
          { AttributeName: `gsi${n}pk`, KeyType: 'HASH' },
          { AttributeName: `gsi${n}sk`, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    });
  });

  it('lets a dev table go: no deletion protection, Delete policy', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
    });
  });

  it('creates an event bus whose name CDK generates', () => {
    const bus = Object.values(template.findResources('AWS::Events::EventBus'))[0] as Resource;
    expect(typeof bus.Properties.Name).toBe('string');
    expect(bus.Properties.Name).toMatch(/^Abmdev/);
    template.resourceCountIs('AWS::Events::Archive', 0);
  });

  const functions = () => Object.values(template.findResources('AWS::Lambda::Function')) as Resource[];
  const ours = () =>
    functions().filter((fn) => JSON.stringify(fn.Properties).includes('POWERTOOLS_SERVICE_NAME'));

  it('deploys each registry entry once, on Node 22+, ARM, active tracing', () => {
    const descriptions = ours().map((fn) => fn.Properties.Description as string);
    expect(descriptions.sort()).toEqual(
      Object.values(LAMBDAS)
        .map((l) => l.description)
        .sort(),
    );
    for (const fn of ours()) {
      expect(fn.Properties.Runtime).toMatch(/^nodejs(\d+)\.x$/);
      expect(Number(/^nodejs(\d+)/.exec(fn.Properties.Runtime as string)![1])).toBeGreaterThanOrEqual(22);
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
      expect(fn.Properties.Environment).toMatchObject({
        Variables: {
          POWERTOOLS_SERVICE_NAME: expect.stringMatching(/^abm-/),
          NODE_OPTIONS: '--enable-source-maps',
        },
      });
    }
  });

  it('sends each function to its own log group with the configured retention', () => {
    const groups = template.findResources('AWS::Logs::LogGroup') as Record<string, Resource>;
    for (const group of Object.values(groups)) expect(group.Properties.RetentionInDays).toBe(30);
    const used = ours().map(
      (fn) => (fn.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref,
    );
    expect(new Set(used).size).toBe(used.length);
    for (const id of used) expect(Object.keys(groups)).toContain(id);
  });

  it('passes the package version to the health function', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^GET /health'),
      Environment: { Variables: Match.objectLike({ ABM_VERSION: packageVersion }) },
    });
  });

  it('gives the API router the scoring configuration the scorer and the re-score decide with', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as Resource[];
    const scoringOf = (description: RegExp) => {
      const fn = functions.find((f) => description.test(String(f.Properties.Description)));
      return (fn?.Properties.Environment as { Variables: Record<string, unknown> }).Variables.SCORING_CONFIG;
    };
    const scorer = scoringOf(/^Folds engagement/);
    expect(JSON.parse(String(scorer))).toEqual({
      mqa: { minScore: 60, minEngagedContacts: 3, minEngagedRoles: 3 },
    });
    expect(scoringOf(/^HTTP API/)).toBe(scorer);
    expect(scoringOf(/^Daily: re-scores/)).toBe(scorer);
  });

  it('uses no managed policies and "*" only where AWS allows nothing narrower', () => {
    for (const role of Object.values(template.findResources('AWS::IAM::Role')) as Resource[]) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
    // X-Ray segments, and the log delivery that Step Functions logging needs, take no resource ARN.
    const resourceless = new Set([
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
      'xray:GetSamplingRules',
      'xray:GetSamplingTargets',
      'logs:CreateLogDelivery',
      'logs:GetLogDelivery',
      'logs:UpdateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:DescribeResourcePolicies',
      'logs:DescribeLogGroups',
      // ExecuteStep finds a stopped execution's pending wake by name prefix (no resource type).
      'scheduler:ListSchedules',
    ]);
    const wildcard = statementsOf(template).filter((s) => resourcesOf(s).includes('*'));
    expect(wildcard.length).toBeGreaterThan(0);
    for (const s of wildcard) for (const action of actionsOf(s)) expect(resourceless).toContain(action);
  });

  it('scopes table access to the table, its indexes and its key', () => {
    const tableId = logicalIdOf(template, 'AWS::DynamoDB::Table');
    const tableKey = (template.findResources('AWS::DynamoDB::Table')[tableId] as Resource).Properties
      .SSESpecification as { KMSMasterKeyId: unknown };
    const allowed = [
      JSON.stringify({ 'Fn::GetAtt': [tableId, 'Arn'] }),
      JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [tableId, 'Arn'] }, '/index/*']] }),
      // The re-score queries the decay index only.
      JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [tableId, 'Arn'] }, '/index/gsi1']] }),
      JSON.stringify(tableKey.KMSMasterKeyId),
    ];
    const data = statementsOf(template).filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    expect(data.length).toBeGreaterThan(0);
    for (const s of data) for (const r of resourcesOf(s)) expect(allowed).toContain(JSON.stringify(r));
  });

  it('scopes events:PutEvents to the engagement bus', () => {
    const busId = logicalIdOf(template, 'AWS::Events::EventBus');
    const put = statementsOf(template).filter((s) => actionsOf(s).includes('events:PutEvents'));
    expect(put.length).toBeGreaterThan(0);
    for (const s of put) expect(resourcesOf(s)).toEqual([{ 'Fn::GetAtt': [busId, 'Arn'] }]);
  });

  it('puts IAM authorisation on every route but /health, /unsubscribe and the provider webhooks', () => {
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')) as Resource[];
    expect(routes.length).toBeGreaterThan(20);
    for (const r of routes) {
      const key = r.Properties.RouteKey as string;
      const isPublic = / \/(health|unsubscribe)$/.test(key) || key === 'POST /webhooks/{provider}';
      expect([key, r.Properties.AuthorizationType]).toEqual([key, isPublic ? 'NONE' : 'AWS_IAM']);
    }
  });

  it('serves the accounts, the catalog, the two imports, the programs and the webhooks from their own functions, every other route from the router (or health)', () => {
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')) as Resource[];
    const integrations = template.findResources('AWS::ApiGatewayV2::Integration') as Record<string, Resource>;
    const functionOf = (r: Resource) => {
      const target = JSON.stringify(r.Properties.Target);
      const integrationId = /"integrations\/",\{"Ref":"([^"]+)"\}/.exec(target)?.[1];
      const uri = JSON.stringify(integrations[integrationId!]!.Properties.IntegrationUri);
      return /"Fn::GetAtt":\["([A-Za-z]+?)[0-9A-F]{8}"/.exec(uri)?.[1];
    };
    const byKey = new Map(routes.map((r) => [r.Properties.RouteKey as string, functionOf(r)]));
    expect(byKey.get('POST /sequences/import/pinpoint')).toMatch(/^ApiImportPinpoint/);
    expect(byKey.get('POST /accounts/import')).toMatch(/^ApiImportAccounts/);
    expect(byKey.get('POST /webhooks/{provider}')).toMatch(/^ApiWebhooks/);
    const programs = [
      'GET /programs',
      'PUT /programs/{programId}',
      'GET /programs/{programId}',
      'POST /programs/{programId}/pause',
      'POST /programs/{programId}/resume',
      'GET /reports/programs/{programId}',
    ];
    for (const key of programs)
      expect([key, byKey.get(key)]).toEqual([key, expect.stringMatching(/^ApiPrograms/)]);
    const catalog = [
      'PUT /templates/{templateId}',
      'GET /templates',
      'GET /templates/{templateId}',
      'POST /templates/{templateId}/preview',
      'POST /templates/{templateId}/test-send',
      'PUT /sequences/{sequenceId}',
      'GET /sequences',
      'GET /sequences/{sequenceId}',
    ];
    for (const key of catalog)
      expect([key, byKey.get(key)]).toEqual([key, expect.stringMatching(/^ApiCatalog/)]);
    const accounts = [
      'GET /accounts',
      'GET /accounts/{accountId}',
      'GET /accounts/{accountId}/timeline',
      'PUT /accounts/{accountId}/contacts/{contactId}',
      'GET /accounts/{accountId}/contacts/{contactId}',
      'DELETE /contacts/{contactId}',
    ];
    for (const key of accounts)
      expect([key, byKey.get(key)]).toEqual([key, expect.stringMatching(/^ApiAccounts/)]);
    const own = new Set([
      ...catalog,
      ...accounts,
      'POST /sequences/import/pinpoint',
      'POST /accounts/import',
      'POST /webhooks/{provider}',
      ...programs,
      'GET /health',
    ]);
    const others = [...byKey].filter(([k]) => !own.has(k));
    expect(others.length).toBeGreaterThan(15);
    for (const [key, fn] of others) expect([key, fn]).toEqual([key, expect.stringMatching(/^ApiRouter/)]);
  });

  it('sends every alarm to the alarm topic', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Resource[];
    expect(alarms.length).toBeGreaterThanOrEqual(3);
    const topicId = logicalIdOf(template, 'AWS::SNS::Topic');
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
  });
});

describe('AbmStack (prod)', () => {
  let template: Template;
  beforeAll(() => {
    template = buildTestStack({
      stage: 'prod',
      config: { eventArchiveDays: 30, logRetentionDays: 365 },
    }).template();
  });

  it('protects the table: deletion protection and Retain', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
    });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
    template.hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Retain',
      Properties: { RetentionInDays: 365 },
    });
  });

  it('archives the bus when eventArchiveDays is set', () => {
    template.hasResourceProperties('AWS::Events::Archive', { RetentionDays: 30 });
  });
});
