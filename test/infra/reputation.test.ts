/**
 * `config.reputation` (the sender reputation breaker) from cdk.json to the functions that read it,
 * and the breaker's alarm: every `email.sending_paused` to the alarm topic.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../functions/kernel/events';
import { ConfigError, parseConfig } from '../../lib/infra/config';
import { LAMBDAS } from '../../lib/infra/functions';
import { buildTestStack } from './app';

const valid = { senderEmail: 'campaigns@example.com' };

type Resource = { Type: string; Properties: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any

function functionEnv(template: Template, description: string): Record<string, unknown> {
  const fns = Object.values(template.findResources('AWS::Lambda::Function')) as Resource[];
  const fn = fns.find((f) => f.Properties.Description === description);
  expect(fn, description).toBeDefined();
  return fn!.Properties.Environment.Variables;
}

describe('config.reputation', () => {
  it("defaults to SES's own review rates: 24 h, judged from 500 sends, 5% bounces, 0.1% complaints", () => {
    expect(parseConfig({ stage: 'dev', config: valid }).reputation).toEqual({
      windowHours: 24,
      minSends: 500,
      maxBounceRate: 0.05,
      maxComplaintRate: 0.001,
    });
    expect(
      parseConfig({ stage: 'dev', config: { ...valid, reputation: { minSends: 1000, maxBounceRate: 0.02 } } })
        .reputation,
    ).toEqual({ windowHours: 24, minSends: 1000, maxBounceRate: 0.02, maxComplaintRate: 0.001 });
  });

  it('names each bad key', () => {
    let error: unknown;
    try {
      parseConfig({
        stage: 'dev',
        config: { ...valid, reputation: { windowHours: 0, maxBounceRate: 5, maxRate: 0.1 } },
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const lines = (error as ConfigError).issues;
    expect(lines.some((l) => l.startsWith('config.reputation.windowHours:'))).toBe(true);
    expect(lines.some((l) => l.startsWith('config.reputation.maxBounceRate:'))).toBe(true);
    expect(lines).toContain('config.reputation.maxRate: Unknown key');
  });

  it('reaches the SES normaliser and the API (ABM_REPUTATION), and the normaliser knows its configuration set', () => {
    const reputation = { windowHours: 12, minSends: 800, maxBounceRate: 0.03, maxComplaintRate: 0.0008 };
    const template = buildTestStack({ config: { reputation } }).template();
    const normaliser = functionEnv(template, LAMBDAS.normaliseSesEvent.description);
    expect(JSON.parse(normaliser.ABM_REPUTATION as string)).toEqual(reputation);
    const configurationSets = Object.keys(template.findResources('AWS::SES::ConfigurationSet'));
    expect(normaliser.SES_CONFIGURATION_SET).toEqual({ Ref: configurationSets[0] });
    const router = functionEnv(template, LAMBDAS.httpApi.description);
    expect(JSON.parse(router.ABM_REPUTATION as string)).toEqual(reputation);
  });
});

describe('the breaker alarm in the stack (the ten SES event types: test/scoring/construct.test.ts)', () => {
  const template = buildTestStack().template();

  it('sends every email.sending_paused on the engagement bus to the alarm topic, which EventBridge may use', () => {
    const topics = Object.keys(template.findResources('AWS::SNS::Topic'));
    expect(topics).toHaveLength(1);
    const rules = Object.values(template.findResources('AWS::Events::Rule')) as Resource[];
    const rule = rules.find(
      (r) => JSON.stringify(r.Properties.EventPattern) === JSON.stringify(RULES.sendingPaused),
    );
    expect(rule).toBeDefined();
    expect(rule!.Properties.EventBusName).toBeDefined();
    expect(rule!.Properties.Targets).toEqual([
      expect.objectContaining({
        Arn: { Ref: topics[0] },
        DeadLetterConfig: expect.any(Object),
        InputTransformer: expect.objectContaining({
          InputTemplate: expect.stringContaining('abm sending resume <detail-domain>'),
        }),
      }),
    ]);
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'sns:Publish', Principal: { Service: 'events.amazonaws.com' } }),
        ]),
      }),
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Principal: { Service: 'events.amazonaws.com' },
          }),
        ]),
      }),
    });
  });
});
