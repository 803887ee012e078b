import * as path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { version as packageVersion } from '../../package.json';
import { FUNCTIONS, type FunctionSpec } from '../../lib/functions';
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
    const keyId = logicalIdOf(template, 'AWS::KMS::Key');
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: {
        SSEEnabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      },
    });
  });

  it('has point-in-time recovery, on-demand billing and the ttl attribute', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
    });
  });

  it('keys the table on pk/sk with gsi1 and gsi2 projecting all attributes', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith(
        ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk'].map((name) => ({
          AttributeName: name,
          AttributeType: 'S',
        })),
      ),
      GlobalSecondaryIndexes: [1, 2].map((n) => ({
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

  it('creates one function per registry entry on Node 22+, ARM, active tracing', () => {
    template.resourceCountIs('AWS::Lambda::Function', FUNCTIONS.length);
    const fns = Object.values(template.findResources('AWS::Lambda::Function')) as Resource[];
    for (const fn of fns) {
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
    expect(Object.keys(groups)).toHaveLength(FUNCTIONS.length);
    for (const group of Object.values(groups)) expect(group.Properties.RetentionInDays).toBe(30);
    const fns = Object.values(template.findResources('AWS::Lambda::Function')) as Resource[];
    const used = fns.map((fn) => (fn.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref);
    expect(used.sort()).toEqual(Object.keys(groups).sort());
  });

  it('passes the package version to the health function', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^GET /health'),
      Environment: { Variables: Match.objectLike({ ABM_VERSION: packageVersion }) },
    });
  });

  it('uses no managed policies and no "*" resource except for X-Ray', () => {
    for (const role of Object.values(template.findResources('AWS::IAM::Role')) as Resource[]) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
    const wildcard = statementsOf(template).filter((s) => resourcesOf(s).includes('*'));
    expect(wildcard.length).toBeGreaterThan(0);
    for (const s of wildcard) {
      expect(actionsOf(s).sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    }
  });

  it('gives the health function nothing beyond its logs and X-Ray', () => {
    const logGroupId = logicalIdOf(template, 'AWS::Logs::LogGroup');
    const other = statementsOf(template).filter((s) => !actionsOf(s).every((a) => a.startsWith('xray:')));
    expect(other).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [logGroupId, 'Arn'] },
      },
    ]);
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

describe('AbmStack grant wiring from the function registry', () => {
  let template: Template;
  const entry = path.join(__dirname, '..', '..', 'functions', 'api', 'get-health.ts');
  const specs: FunctionSpec[] = [
    { name: 'Reader', entry, description: 'reads', environment: ['TABLE_NAME'], table: 'read' },
    {
      name: 'Writer',
      entry,
      description: 'writes and publishes',
      environment: ['TABLE_NAME', 'BUS_NAME'],
      table: 'readWrite',
      bus: 'put',
    },
  ];
  beforeAll(() => {
    template = buildTestStack({ stage: 'prod', functions: specs }).template();
  });

  const tableId = () => logicalIdOf(template, 'AWS::DynamoDB::Table');
  const keyId = () => logicalIdOf(template, 'AWS::KMS::Key');
  const busId = () => logicalIdOf(template, 'AWS::Events::EventBus');
  const policyOf = (name: string): Statement[] => {
    const policies = template.findResources('AWS::IAM::Policy') as Record<string, Resource>;
    const id = Object.keys(policies).find((k) => k.startsWith(`${name}RoleDefaultPolicy`));
    expect(id, `policy of ${name}`).toBeDefined();
    return (policies[id!]!.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
  };

  it('scopes table access to the table, its indexes and its key', () => {
    const allowed = [
      JSON.stringify({ 'Fn::GetAtt': [tableId(), 'Arn'] }),
      JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [tableId(), 'Arn'] }, '/index/*']] }),
      JSON.stringify({ 'Fn::GetAtt': [keyId(), 'Arn'] }),
    ];
    for (const name of ['Reader', 'Writer']) {
      const dataStatements = policyOf(name).filter((s) =>
        actionsOf(s).some((a) => a.startsWith('dynamodb:') || a.startsWith('kms:')),
      );
      expect(dataStatements.length).toBeGreaterThan(0);
      for (const s of dataStatements) {
        for (const r of resourcesOf(s)) expect(allowed).toContain(JSON.stringify(r));
      }
    }
  });

  it('grants writes only to the writer', () => {
    const writes = (name: string) =>
      policyOf(name)
        .flatMap(actionsOf)
        .filter((a) => ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'].includes(a));
    expect(writes('Reader')).toEqual([]);
    expect(writes('Writer').sort()).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
  });

  it('scopes events:PutEvents to the bus', () => {
    expect(policyOf('Reader').flatMap(actionsOf)).not.toContain('events:PutEvents');
    const put = policyOf('Writer').filter((s) => actionsOf(s).includes('events:PutEvents'));
    expect(put).toHaveLength(1);
    expect(resourcesOf(put[0]!)).toEqual([{ 'Fn::GetAtt': [busId(), 'Arn'] }]);
  });

  it('sets the declared environment variables from the resources', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'writes and publishes',
      Environment: {
        Variables: Match.objectLike({ TABLE_NAME: { Ref: tableId() }, BUS_NAME: { Ref: busId() } }),
      },
    });
  });
});
