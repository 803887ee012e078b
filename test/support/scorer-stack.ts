/**
 * A test stack composing the scorer's constructs the way AbmStack should: store, bus, a stand-in
 * state machine (the engine's in the real stack), BaseFunction through the factory. Used by the
 * construct test and by the moto contract test (test/contract).
 */
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ConfigurationSet } from 'aws-cdk-lib/aws-ses';
import { DefinitionBody, Pass, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { AccountStore } from '../../lib/infra/constructs/account-store';
import { baseFunctionFactory } from '../../lib/infra/constructs/base-function';
import { acknowledgeGrantWildcards } from '../../lib/infra/constructs/nag';
import { EngagementRules } from '../../lib/infra/constructs/engagement-rules';
import { EngagementBus } from '../../lib/infra/constructs/event-bus';
import { Scorer } from '../../lib/infra/constructs/scorer';
import { SequenceEngine } from '../../lib/infra/constructs/sequence-engine';

export function buildScorerStack(
  options: { scoringConfig?: Record<string, unknown>; withEngine?: boolean } = {},
) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'ScorerTest', { env: { account: '123456789012', region: 'us-east-1' } });
  const store = new AccountStore(stack, 'Store', { retain: false });
  const events = new EngagementBus(stack, 'Events');
  const createFunction = baseFunctionFactory({
    logRetention: RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  // The real engine (statemachines/account-sequence.asl.json) or a stand-in state machine.
  const engine = options.withEngine
    ? new SequenceEngine(stack, 'Engine', {
        table: store.table,
        bus: events.bus,
        senderEmail: 'campaigns@example.com',
        unsubscribeBaseUrl: 'https://abm.example.com/unsubscribe',
        logRetention: RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
        createFunction,
      })
    : undefined;
  const stateMachine =
    engine?.stateMachine ??
    new StateMachine(stack, 'AccountSequence', {
      definitionBody: DefinitionBody.fromChainable(new Pass(stack, 'Noop')),
      tracingEnabled: true,
    });
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
  acknowledgeGrantWildcards(stack);
  return { app, stack, scorer, rules, engine, stateMachine, template: () => Template.fromStack(stack) };
}
