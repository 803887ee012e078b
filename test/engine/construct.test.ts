import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { AccountStore } from '../../lib/infra/constructs/account-store';
import { baseFunctionFactory } from '../../lib/infra/constructs/base-function';
import { EngagementBus } from '../../lib/infra/constructs/event-bus';
import { SequenceEngine } from '../../lib/infra/constructs/sequence-engine';

function synth() {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'EngineTest', { env: { account: '123456789012', region: 'us-east-1' } });
  const store = new AccountStore(stack, 'Store', { retain: false });
  const events = new EngagementBus(stack, 'Events');
  const engine = new SequenceEngine(stack, 'Engine', {
    table: store.table,
    bus: events.bus,
    senderEmail: 'campaigns@example.com',
    senderDomain: 'example.com',
    unsubscribeBaseUrl: 'https://abm.example.com/unsubscribe',
    logRetention: RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
    createFunction: baseFunctionFactory({
      logRetention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    }),
  });
  return { engine, template: Template.fromStack(stack), stack };
}

describe('SequenceEngine construct', () => {
  const { template, engine, stack } = synth();

  it('deploys the ASL file with its Lambda ARNs substituted, logging and tracing on', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
      DefinitionSubstitutions: {
        ExecuteStepFunctionArn: {
          'Fn::GetAtt': [stack.getLogicalId(engine.executeStep.node.defaultChild as never), 'Arn'],
        },
        ParkExecutionFunctionArn: {
          'Fn::GetAtt': [stack.getLogicalId(engine.parkExecution.node.defaultChild as never), 'Arn'],
        },
      },
    });
    const definition = JSON.stringify(template.findResources('AWS::StepFunctions::StateMachine'));
    expect(definition).toContain('${ExecuteStepFunctionArn}');
  });

  it('alarms on failed and timed-out executions (ExecutionsTimedOut: a continuation that did not happen)', () => {
    const alarm = (metric: string) =>
      Match.objectLike({
        Id: Match.anyValue(),
        MetricStat: Match.objectLike({
          Metric: Match.objectLike({ MetricName: metric, Namespace: 'AWS/States' }),
        }),
      });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 1,
      Metrics: Match.arrayWith([alarm('ExecutionsFailed'), alarm('ExecutionsTimedOut')]),
    });
  });

  it('lets the state machine start its own next execution (continue as new), and nothing else', () => {
    const smId = stack.getLogicalId(engine.stateMachine.node.defaultChild as never);
    const starts = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap(
        (p) =>
          (p as { Properties: { PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] } } })
            .Properties.PolicyDocument.Statement,
      )
      .filter((s) => [s.Action].flat().includes('states:StartExecution'));
    expect(starts).toEqual([{ Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: smId } }]);
    const definition = JSON.stringify(template.findResources('AWS::StepFunctions::StateMachine'));
    expect(definition).toContain('arn:aws:states:::states:startExecution');
    expect(definition).toContain('$$.StateMachine.Id');
  });

  it('grants least privilege: invoke on the two functions, SES on the identity and configuration set only', () => {
    const policies = template.findResources('AWS::IAM::Policy');
    const statements = Object.values(policies).flatMap(
      (p) =>
        (
          p as {
            Properties: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } };
          }
        ).Properties.PolicyDocument.Statement,
    );
    const ses = statements.filter((s) => [s.Action].flat().includes('ses:SendEmail'));
    expect(ses.length).toBeGreaterThan(0);
    for (const s of ses) expect(JSON.stringify(s.Resource)).not.toBe('"*"');
    expect(JSON.stringify(ses)).toContain('identity/example.com');
    const invoke = statements.filter((s) => [s.Action].flat().includes('lambda:InvokeFunction'));
    expect(invoke.length).toBeGreaterThan(0);
    for (const s of statements) {
      // X-Ray, CloudWatch Logs delivery and ListSchedules have no resource-level permissions (AWS
      // requires "*").
      if (
        [s.Action]
          .flat()
          .some(
            (a) =>
              a.startsWith('xray:') ||
              (a.startsWith('logs:') && a.includes('LogDeliver')) ||
              a === 'scheduler:ListSchedules',
          )
      )
        continue;
      expect(s.Resource, JSON.stringify(s)).not.toBe('*');
    }
  });
});
