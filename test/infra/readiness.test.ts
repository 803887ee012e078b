/**
 * What a first deploy into a real account would hit, read against AWS's documentation (each
 * construct cites its page): alarm notifications allowed onto the topic, the SES normaliser's
 * failures kept, the launcher's timeout deployed, the public routes throttled, state machine logs
 * under /aws/vendedlogs, audience files deleted once used (a dev stage can be destroyed after
 * launches), SES permissions for
 * every configured identity.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { LAUNCHER_LEASE_MS, LAUNCHER_TIMEOUT_SECONDS } from '../../functions/launch/launch-service';
import { CAMPAIGN_LAUNCH_ASL } from '../../statemachines';
import { parseConfig } from '../../lib/infra/config';
import { buildTestStack, TEST_CONFIG, type TestStack } from './app';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = {
  Sid?: string;
  Effect: string;
  Principal?: { Service?: string };
  Action: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
  Resource: unknown;
};

const resourcesOf = (t: TestStack, type: string) =>
  Object.entries(t.template().findResources(type)) as [string, Resource][];

describe('a first deploy (dev)', () => {
  let dev: TestStack;
  beforeAll(() => {
    dev = buildTestStack({ stage: 'dev' });
  });

  it('lets CloudWatch publish alarm notifications to the alarm topic, for this account and its alarms only', () => {
    const [[topicId]] = resourcesOf(dev, 'AWS::SNS::Topic');
    const policies = resourcesOf(dev, 'AWS::SNS::TopicPolicy').filter(([, p]) =>
      JSON.stringify(p.Properties.Topics).includes(topicId!),
    );
    const statements = policies.flatMap(
      ([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
    );
    const allow = statements.find(
      (s) => s.Effect === 'Allow' && s.Principal?.Service === 'cloudwatch.amazonaws.com',
    );
    expect(allow?.Action).toBe('sns:Publish');
    expect(allow?.Condition?.StringEquals).toEqual({ 'aws:SourceAccount': '123456789012' });
    const alarmArns = allow?.Condition?.ArnLike?.['aws:SourceArn'] as unknown[];
    const alarms = resourcesOf(dev, 'AWS::CloudWatch::Alarm');
    expect(alarmArns).toHaveLength(alarms.length);
    expect(alarmArns).toEqual(expect.arrayContaining(alarms.map(([id]) => ({ 'Fn::GetAtt': [id, 'Arn'] }))));
  });

  it("routes only this stage's SES events: the rule on the default bus matches its configuration set", () => {
    const [[setId, set]] = resourcesOf(dev, 'AWS::SES::ConfigurationSet');
    expect(set!.Properties.Name).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    const sesRules = resourcesOf(dev, 'AWS::Events::Rule').filter(([, r]) =>
      JSON.stringify((r.Properties.EventPattern as { source: string[] }).source).includes('aws.ses'),
    );
    expect(sesRules).toHaveLength(1);
    expect(sesRules[0]![1].Properties.EventPattern).toMatchObject({
      detail: { mail: { tags: { 'ses:configuration-set': [{ Ref: setId }] } } },
    });
  });

  it('tells the SES normaliser where unsubscribe links point, so it drops clicks on them', () => {
    const fns = resourcesOf(dev, 'AWS::Lambda::Function').filter(([id]) => id.includes('NormaliseSesEvent'));
    expect(fns).toHaveLength(1);
    const env = (fns[0]![1].Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(JSON.stringify(env.UNSUBSCRIBE_BASE_URL)).toMatch(/HttpApi.*\/unsubscribe/);
  });

  it('alarms on AccountSequence executions that time out (the one-year maximum) as well as fail', () => {
    const alarms = resourcesOf(dev, 'AWS::CloudWatch::Alarm').filter(([id]) =>
      id.startsWith('EngineFailedExecutions'),
    );
    expect(alarms).toHaveLength(1);
    const metrics = JSON.stringify(alarms[0]![1].Properties.Metrics);
    expect(metrics).toContain('ExecutionsFailed');
    expect(metrics).toContain('ExecutionsTimedOut');
    expect(alarms[0]![1].Properties.AlarmActions).toBeDefined();
  });

  it('keeps the SES events the normaliser failed on (on-failure queue, alarmed), after two retries', () => {
    const configs = resourcesOf(dev, 'AWS::Lambda::EventInvokeConfig');
    expect(configs).toHaveLength(1);
    const props = configs[0]![1].Properties as {
      FunctionName: { Ref: string };
      MaximumRetryAttempts: number;
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [string, string] } } };
    };
    expect(props.FunctionName.Ref).toMatch(/NormaliseSesEvent/);
    expect(props.MaximumRetryAttempts).toBe(2);
    const queueId = props.DestinationConfig.OnFailure.Destination['Fn::GetAtt'][0];
    expect(dev.template().findResources('AWS::SQS::Queue')[queueId]).toBeDefined();
    const alarmed = resourcesOf(dev, 'AWS::CloudWatch::Alarm').some(([, a]) =>
      JSON.stringify(a.Properties.Dimensions ?? a.Properties.Metrics).includes(queueId),
    );
    expect(alarmed).toBe(true);
  });

  it("deploys the launcher's timeout in its definition, shorter than the lease a handed-over launch holds", () => {
    const asl = JSON.parse(readFileSync(CAMPAIGN_LAUNCH_ASL, 'utf8')) as { TimeoutSeconds?: number };
    expect(asl.TimeoutSeconds).toBe(LAUNCHER_TIMEOUT_SECONDS);
    expect(LAUNCHER_LEASE_MS).toBeGreaterThan(LAUNCHER_TIMEOUT_SECONDS * 1000);
    const launcher = resourcesOf(dev, 'AWS::StepFunctions::StateMachine').find(([id]) =>
      id.startsWith('Launcher'),
    );
    expect(JSON.stringify(launcher![1].Properties.DefinitionString)).toContain(
      `\\"TimeoutSeconds\\": ${LAUNCHER_TIMEOUT_SECONDS}`,
    );
  });

  it('throttles the stage, and each public route tighter', () => {
    const [[, stage]] = resourcesOf(dev, 'AWS::ApiGatewayV2::Stage');
    expect(stage!.Properties.DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: 100,
      ThrottlingBurstLimit: 200,
    });
    const routes = stage!.Properties.RouteSettings as Record<string, unknown>;
    expect(Object.keys(routes).sort()).toEqual([
      'GET /health',
      'GET /unsubscribe',
      'POST /unsubscribe',
      'POST /webhooks/{provider}',
    ]);
    for (const settings of Object.values(routes))
      expect(settings).toEqual({ ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 });
  });

  it('reserves no router concurrency unless configured', () => {
    const reserved = resourcesOf(dev, 'AWS::Lambda::Function').filter(
      ([, f]) => f.Properties.ReservedConcurrentExecutions !== undefined,
    );
    expect(reserved).toEqual([]);
    const configured = buildTestStack({
      stage: 'dev',
      config: { api: { reservedConcurrency: 50, throttle: { rateLimit: 20, burstLimit: 40 } } },
    });
    const routers = resourcesOf(configured, 'AWS::Lambda::Function').filter(
      ([, f]) => f.Properties.ReservedConcurrentExecutions !== undefined,
    );
    expect(
      routers.map(([id, f]) => [id.startsWith('ApiRouter'), f.Properties.ReservedConcurrentExecutions]),
    ).toEqual([[true, 50]]);
    const [[, stage]] = resourcesOf(configured, 'AWS::ApiGatewayV2::Stage');
    expect(stage!.Properties.DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: 20,
      ThrottlingBurstLimit: 40,
    });
  });

  it('names state machine log groups under /aws/vendedlogs/states/', () => {
    const machines = resourcesOf(dev, 'AWS::StepFunctions::StateMachine');
    expect(machines).toHaveLength(2);
    const groups = dev.template().findResources('AWS::Logs::LogGroup');
    for (const [, m] of machines) {
      const destinations = (
        m.Properties.LoggingConfiguration as {
          Destinations: { CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [string, string] } } }[];
        }
      ).Destinations;
      const groupId = destinations[0]!.CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'][0];
      expect(groups[groupId]?.Properties.LogGroupName).toMatch(/^\/aws\/vendedlogs\/states\/Abm-dev-/);
    }
  });

  it('leaves the audience bucket empty after a launch (so a dev stage can be destroyed): the launcher deletes the file on both ends', () => {
    const asl = JSON.parse(readFileSync(CAMPAIGN_LAUNCH_ASL, 'utf8')) as {
      States: Record<string, { Type: string; Resource?: string; Next?: string; Parameters?: object }>;
    };
    const deletes = Object.entries(asl.States).filter(
      ([, s]) => s.Resource === 'arn:aws:states:::aws-sdk:s3:deleteObject',
    );
    expect(deletes.map(([name, s]) => [name, s.Parameters])).toEqual([
      ['DropAudience', { 'Bucket.$': '$.bucket', 'Key.$': '$.key' }],
      ['DropFailedAudience', { 'Bucket.$': '$.bucket', 'Key.$': '$.key' }],
    ]);
    expect(asl.States.Finalize!.Next).toBe('DropAudience');
    expect(asl.States.LaunchFailed!.Next).toBe('DropFailedAudience');
    const deleteGrant = resourcesOf(dev, 'AWS::IAM::Policy')
      .filter(([id]) => id.startsWith('LauncherStateMachineRole'))
      .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
      .filter((s) => [s.Action].flat().some((a) => a.startsWith('s3:DeleteObject')));
    expect(deleteGrant).toHaveLength(1);
  });

  it('lets the engine send from every configured SES identity (address and domain)', () => {
    const policies = resourcesOf(dev, 'AWS::IAM::Policy');
    const sesIdentities = policies
      .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
      .filter((s) => [s.Action].flat().includes('ses:SendEmail'))
      .flatMap((s) => [s.Resource].flat())
      .map((r) => JSON.stringify(r))
      .filter((r) => r.includes(':identity/'));
    expect(sesIdentities.some((r) => r.includes('identity/campaigns@example.com'))).toBe(true);
    expect(sesIdentities.some((r) => r.includes('identity/example.com'))).toBe(true);
  });
});

describe('api throttling and concurrency configuration', () => {
  it.each([
    [{ throttle: { rateLimit: 0, burstLimit: 10 } }, 'config.api.throttle.rateLimit: Too small'],
    [{ publicThrottle: { rateLimit: 5, burstLimit: 1.5 } }, 'config.api.publicThrottle.burstLimit'],
    [{ reservedConcurrency: 0 }, 'config.api.reservedConcurrency: Too small'],
    [{ throttle: { rateLimit: 5 } }, 'config.api.throttle.burstLimit'],
  ])('rejects %j naming the key', (api, message) => {
    expect(() => parseConfig({ stage: 'dev', config: { ...TEST_CONFIG, api } })).toThrow(message);
  });
});

describe('the launcher', () => {
  it("keeps EnrollBatch's attempts inside the 5-minute limit of the Distributed Map's Express children", () => {
    // https://docs.aws.amazon.com/step-functions/latest/dg/choosing-workflow-type.html (Express: 5 minutes)
    const EXPRESS_LIMIT_SECONDS = 300;
    type Retry = {
      MaxAttempts: number;
      IntervalSeconds: number;
      BackoffRate: number;
      MaxDelaySeconds?: number;
    };
    const asl = JSON.parse(readFileSync(CAMPAIGN_LAUNCH_ASL, 'utf8')) as {
      States: {
        EnrollAudience: {
          ItemProcessor: {
            ProcessorConfig: { ExecutionType: string };
            States: { EnrollBatch: { TimeoutSeconds?: number; Retry: Retry[] } };
          };
        };
      };
    };
    const processor = asl.States.EnrollAudience.ItemProcessor;
    expect(processor.ProcessorConfig.ExecutionType).toBe('EXPRESS');
    const task = processor.States.EnrollBatch;
    const [, fn] = resourcesOf(buildTestStack({ stage: 'dev' }), 'AWS::Lambda::Function').find(([id]) =>
      id.startsWith('LauncherEnrollBatch'),
    )!;
    const attemptSeconds = Math.min(task.TimeoutSeconds ?? Infinity, fn.Properties.Timeout as number);
    expect(attemptSeconds).toBeLessThan(Infinity);
    // The worst case: every retrier exhausted in turn, each attempt running to its timeout, every
    // backoff at its ceiling (full jitter waits at most the interval).
    let total = attemptSeconds;
    for (const r of task.Retry) {
      for (let n = 0; n < r.MaxAttempts; n++) {
        total +=
          Math.min(r.IntervalSeconds * r.BackoffRate ** n, r.MaxDelaySeconds ?? Infinity) + attemptSeconds;
      }
    }
    expect(total).toBeLessThanOrEqual(EXPRESS_LIMIT_SECONDS);
  });
});
