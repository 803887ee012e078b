/**
 * The CRM bridge in the stack (lib/infra/constructs/crm-sync.ts, lib/infra/constructs/api.ts):
 * sdr.task.created -> queue (partial batch failure, DLQ) -> the sync; the completion poll on a
 * schedule; alarms; the CRM's settings in the functions' environment; the access secret readable
 * by the sync, the poll and the webhook function, the webhook secret by the webhook function only.
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DETAIL_TYPES, SOURCE_OF } from '../../functions/kernel/events';
import { ENV } from '../../functions/platform/env';
import { buildTestStack } from './app';
import { CRM_CONFIG_EXAMPLES } from '../support/crm';

const CRM = CRM_CONFIG_EXAMPLES.hubspot;

type Resource = { Type: string; Properties: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any

function fn(template: Template, description: RegExp): [string, Resource] {
  const found = Object.entries(
    template.findResources('AWS::Lambda::Function') as Record<string, Resource>,
  ).filter(([, f]) => description.test(String(f.Properties.Description ?? '')));
  expect(found).toHaveLength(1);
  return found[0]!;
}

function secretReads(template: Template, functionId: string): string {
  const f = template.findResources('AWS::Lambda::Function')[functionId] as Resource;
  const roleId = f.Properties.Role['Fn::GetAtt'][0] as string;
  const statements = Object.values(template.findResources('AWS::IAM::Policy') as Record<string, Resource>)
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap(
      (p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
    )
    .filter((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue'));
  return JSON.stringify(statements.map((s) => s.Resource));
}

describe('the CRM bridge in the stack, HubSpot configured', () => {
  let template: Template;
  beforeAll(() => {
    template = buildTestStack({ config: { providers: { crm: CRM } } }).template();
  });

  it('routes sdr.task.created to the sync queue and consumes it with partial batch failure', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: [SOURCE_OF[DETAIL_TYPES.sdrTaskCreated]],
        'detail-type': [DETAIL_TYPES.sdrTaskCreated],
      },
      Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue() })],
    });
    const [id, sync] = fn(template, /^CRM: creates each SDR task/);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: id },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
    expect(JSON.parse(sync.Properties.Environment.Variables[ENV.crmProvider])).toEqual(CRM);
  });

  it('polls completions every 5 minutes and alarms on the DLQs and on poll failures', () => {
    const [, poll] = fn(template, /^CRM: brings tasks completed/);
    expect(JSON.parse(poll.Properties.Environment.Variables[ENV.crmProvider])).toEqual(CRM);
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(5 minutes)' });
    const alarms = Object.values(
      template.findResources('AWS::CloudWatch::Alarm') as Record<string, Resource>,
    ).filter((a) => /CRM/.test(String(a.Properties.AlarmDescription)));
    expect(alarms).toHaveLength(3);
    for (const a of alarms) expect(a.Properties.AlarmActions).toHaveLength(1);
  });

  it('lets the sync and the poll read the access secret only, the webhook function both CRM secrets', () => {
    const sync = secretReads(template, fn(template, /^CRM: creates each SDR task/)[0]);
    const poll = secretReads(template, fn(template, /^CRM: brings tasks completed/)[0]);
    for (const reads of [sync, poll]) {
      expect(reads).toContain(':secret:abm/hubspot-??????');
      expect(reads).not.toContain('abm/hubspot-webhook');
    }
    const [, webhooks] = fn(template, /^HTTP API: POST \/webhooks/);
    expect(JSON.parse(webhooks.Properties.Environment.Variables[ENV.crmProvider])).toEqual(CRM);
    const hook = secretReads(template, fn(template, /^HTTP API: POST \/webhooks/)[0]);
    expect(hook).toContain(':secret:abm/hubspot-webhook-??????');
    expect(hook).toContain(':secret:abm/hubspot-??????');
  });
});

describe('the CRM bridge with no CRM configured', () => {
  it('is deployed but reads no secret and carries no CRM settings', () => {
    const template = buildTestStack().template();
    const [id, sync] = fn(template, /^CRM: creates each SDR task/);
    expect(sync.Properties.Environment.Variables[ENV.crmProvider]).toBeUndefined();
    expect(secretReads(template, id)).toBe('[]');
  });

  it('fails synth on a bad CRM, naming the key', () => {
    expect(() =>
      buildTestStack({
        config: { providers: { crm: { ...CRM, provider: 'pipedrive' } } },
      }),
    ).toThrow('config.providers.crm.provider: Unknown CRM provider');
    expect(() =>
      buildTestStack({
        config: { providers: { crm: { ...CRM, owners: { 'sdr-ana': 'ana' } } } },
      }),
    ).toThrow('Invalid HubSpot owner id');
  });
});
