/**
 * A test stack composing the scorer's constructs the way AbmStack should: store, bus, a stand-in
 * state machine (the engine's in the real stack), BaseFunction through the factory. Used by the
 * construct test and by the moto contract test (test/contract).
 */
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ConfigurationSet } from 'aws-cdk-lib/aws-ses';
import { DefinitionBody, Pass, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { AccountStore } from '../../lib/constructs/account-store';
import { BaseFunction } from '../../lib/constructs/base-function';
import { EngagementRules } from '../../lib/constructs/engagement-rules';
import { EngagementBus } from '../../lib/constructs/event-bus';
import type { FunctionFactory } from '../../lib/constructs/functions';
import { Scorer } from '../../lib/constructs/scorer';
import { SequenceEngine } from '../../lib/constructs/sequence-engine';

export function buildScorerStack(
  options: { scoringConfig?: Record<string, unknown>; withEngine?: boolean } = {},
) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'ScorerTest', { env: { account: '123456789012', region: 'us-east-1' } });
  const store = new AccountStore(stack, 'Store', { retain: false });
  const events = new EngagementBus(stack, 'Events');
  // The real engine (statemachines/account-sequence.asl.json) or a stand-in state machine.
  const engine = options.withEngine
    ? new SequenceEngine(stack, 'Engine', {
        table: store.table,
        bus: events.bus,
        senderEmail: 'campaigns@example.com',
        unsubscribeBaseUrl: 'https://abm.example.com/unsubscribe',
        logRetention: RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      })
    : undefined;
  const stateMachine =
    engine?.stateMachine ??
    new StateMachine(stack, 'StandIn', {
      definitionBody: DefinitionBody.fromChainable(new Pass(stack, 'Noop')),
      tracingEnabled: true,
    });
  const createFunction: FunctionFactory = (scope, id, r) =>
    new BaseFunction(scope, id, {
      entry: r.entry,
      description: r.description,
      serviceName: `abm-${id}`,
      logRetention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
      environment: r.environment,
      memorySize: r.memorySize,
      timeout: r.timeoutSeconds ? Duration.seconds(r.timeoutSeconds) : undefined,
    }).function;
  const scorer = new Scorer(stack, 'Scorer', {
    table: store.table,
    bus: events.bus,
    stateMachine,
    createFunction,
    scoringConfig: options.scoringConfig,
  });
  const rules = new EngagementRules(stack, 'Engagement', {
    table: store.table,
    bus: events.bus,
    scorerBuffer: scorer.bufferQueue,
    createFunction,
    configurationSet: engine?.configurationSet ?? new ConfigurationSet(stack, 'StandInConfigurationSet', {}),
  });
  return { app, stack, scorer, rules, engine, stateMachine, template: () => Template.fromStack(stack) };
}
