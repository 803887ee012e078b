/** The launcher construct: the failed-executions alarm and the Catch that releases the lease. */
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, Pass, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { describe, expect, it } from 'vitest';
import { baseFunctionFactory } from '../../lib/infra/constructs/base-function';
import { CampaignLauncher } from '../../lib/infra/constructs/launcher';

describe('CampaignLauncher', () => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'LauncherTest', { env: { account: '123456789012', region: 'us-east-1' } });
  const table = new Table(stack, 'Table', {
    partitionKey: { name: 'pk', type: AttributeType.STRING },
    sortKey: { name: 'sk', type: AttributeType.STRING },
  });
  const sequence = new StateMachine(stack, 'AccountSequence', {
    definitionBody: DefinitionBody.fromChainable(new Pass(stack, 'P')),
  });
  const launcher = new CampaignLauncher(stack, 'Launcher', {
    table,
    sequenceStateMachine: sequence,
    createFunction: baseFunctionFactory({
      logRetention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    }),
  });
  const template = Template.fromStack(stack);

  it('exposes an alarm on failed, timed-out and aborted launcher executions', () => {
    expect(launcher.failedExecutionsAlarm).toBeDefined();
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as {
      Properties: { Metrics?: { Expression?: string; MetricStat?: { Metric: { MetricName: string } } }[] };
    }[];
    const metrics = alarms.flatMap((a) => a.Properties.Metrics ?? []);
    expect(metrics.map((m) => m.MetricStat?.Metric.MetricName).filter(Boolean)).toEqual(
      expect.arrayContaining(['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted']),
    );
  });

  it('a failed map or finalize goes through LaunchFailed (finalize with `failed`) to a Fail state', () => {
    const machines = template.findResources('AWS::StepFunctions::StateMachine');
    const definition = JSON.stringify(Object.values(machines).map((m) => m.Properties.DefinitionString));
    expect(definition).toContain('LaunchFailed');
    expect(definition).toContain('failed.$');
  });
});
