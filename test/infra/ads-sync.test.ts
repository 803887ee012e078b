/**
 * The audience sync in the stack (lib/infra/constructs/ads-sync.ts): rule -> queue (batching
 * window, partial batch failure, DLQ) -> function; DLQ alarms to the alarm topic; the providers'
 * settings in the function's environment and the audience names in the router's; secrets readable
 * only by their configured names.
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DETAIL_TYPES, SOURCE_OF } from '../../functions/kernel/events';
import { ENV } from '../../functions/platform/env';
import { ADS_PROVIDERS_EXAMPLE } from '../support/ads-sync';
import { buildTestStack } from './app';

type Resource = { Type: string; Properties: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any

function functionByHandlerDescription(template: Template, description: RegExp): [string, Resource] {
  const found = Object.entries(
    template.findResources('AWS::Lambda::Function') as Record<string, Resource>,
  ).filter(([, f]) => description.test(String(f.Properties.Description ?? '')));
  expect(found).toHaveLength(1);
  return found[0]!;
}

function policiesOf(template: Template, functionId: string) {
  const fn = template.findResources('AWS::Lambda::Function')[functionId] as Resource;
  const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
  return Object.values(template.findResources('AWS::IAM::Policy') as Record<string, Resource>)
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap(
      (p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
    );
}

const actions = (s: { Action: string | string[] }) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

describe('the audience sync in the stack, providers configured', () => {
  let template: Template;
  beforeAll(() => {
    template = buildTestStack({ config: { providers: { ads: ADS_PROVIDERS_EXAMPLE } } }).template();
  });

  it('routes ads.audience.changed from the bus to the sync queue, with a DLQ on the target', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: [SOURCE_OF[DETAIL_TYPES.adsAudienceChanged]],
        'detail-type': [DETAIL_TYPES.adsAudienceChanged],
      },
      Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue(), RetryPolicy: Match.anyValue() })],
    });
  });

  it('consumes the queue in batches with a batching window and partial batch failure; the queue has a DLQ', () => {
    const [id] = functionByHandlerDescription(template, /^Ad audiences:/);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: id },
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 5 },
      VisibilityTimeout: 750,
    });
  });

  it('alarms on both dead-letter queues, to the alarm topic', () => {
    const alarms = Object.values(
      template.findResources('AWS::CloudWatch::Alarm') as Record<string, Resource>,
    );
    const ads = alarms.filter((a) => /audience/i.test(String(a.Properties.AlarmDescription)));
    expect(ads).toHaveLength(2);
    for (const a of ads) expect(a.Properties.AlarmActions).toHaveLength(1);
  });

  it('hands the providers to the sync and the audience names to the router', () => {
    const [, sync] = functionByHandlerDescription(template, /^Ad audiences:/);
    expect(JSON.parse(sync.Properties.Environment.Variables[ENV.adsProviders])).toEqual(
      ADS_PROVIDERS_EXAMPLE,
    );
    const [, router] = functionByHandlerDescription(template, /^HTTP API: every route/);
    expect(JSON.parse(router.Properties.Environment.Variables[ENV.adsAudiences])).toEqual({
      'tier1-committee': ['contact', 'company'],
    });
  });

  it('reads exactly the configured secrets, by name; nothing else does', () => {
    const [id] = functionByHandlerDescription(template, /^Ad audiences:/);
    const reads = policiesOf(template, id).filter((s) =>
      actions(s).includes('secretsmanager:GetSecretValue'),
    );
    expect(reads).toHaveLength(1);
    const arns = JSON.stringify(reads[0]!.Resource);
    for (const name of ['abm/linkedin', 'abm/meta', 'abm/google'])
      expect(arns).toContain(`:secret:${name}-??????`);
    expect(arns).not.toContain('*');
    expect(
      policiesOf(template, id)
        .flatMap(actions)
        .filter((a) => a.startsWith('secretsmanager:')),
    ).toEqual(['secretsmanager:GetSecretValue']);
  });
});

describe('the audience sync with no provider configured', () => {
  it('reads no secret and gives the router no audience names to check', () => {
    const template = buildTestStack().template();
    const [id, sync] = functionByHandlerDescription(template, /^Ad audiences:/);
    expect(sync.Properties.Environment.Variables[ENV.adsProviders]).toBe('[]');
    expect(
      policiesOf(template, id)
        .flatMap(actions)
        .some((a) => a.startsWith('secretsmanager:')),
    ).toBe(false);
    const [, router] = functionByHandlerDescription(template, /^HTTP API: every route/);
    expect(router.Properties.Environment.Variables[ENV.adsAudiences]).toBe('{}');
  });

  it('fails synth on a bad provider, naming the key', () => {
    expect(() =>
      buildTestStack({
        config: { providers: { ads: [{ provider: 'tiktok', secretName: 'x', audiences: {} }] } },
      }),
    ).toThrow('config.providers.ads.0.provider: Unknown provider');
  });
});
