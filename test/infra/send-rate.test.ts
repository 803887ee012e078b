/**
 * `config.ses.maxSendRate` (email pacing, docs/architecture.md "Email pacing") from cdk.json to the
 * ExecuteStep function's environment, and from there to the engine that paces with it.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { stepFeature } from '../../functions/engine';
import { compose, environmentConfig } from '../../functions/platform/compose';
import { ENV } from '../../functions/platform/env';
import { parseConfig } from '../../lib/infra/config';
import { LAMBDAS } from '../../lib/infra/functions';
import { buildTestStack, configIssues, functionEnvOf } from './app';

const valid = { senderEmail: 'campaigns@example.com' };

function functionEnv(template: Template, description: string): Record<string, unknown> {
  const env = functionEnvOf(template, description);
  expect(env, description).toBeDefined();
  return env!;
}

describe('config.ses.maxSendRate', () => {
  it('is optional (no pacing) and takes sends per second, fractions included', () => {
    expect(parseConfig({ stage: 'dev', config: valid }).ses).toEqual({});
    expect(parseConfig({ stage: 'dev', config: { ...valid, ses: { maxSendRate: 14 } } }).ses).toEqual({
      maxSendRate: 14,
    });
    expect(
      parseConfig({ stage: 'dev', config: { ...valid, ses: { maxSendRate: 0.5 } } }).ses.maxSendRate,
    ).toBe(0.5);
  });

  it('names a bad rate and an unknown key', () => {
    for (const bad of [0, -1, 1001, '14'])
      expect(
        configIssues({ ses: { maxSendRate: bad } }).some((l) => l.startsWith('config.ses.maxSendRate:')),
      ).toBe(true);
    expect(configIssues({ ses: { maxRate: 14 } })).toContain('config.ses.maxRate: Unknown key');
  });

  it('reaches ExecuteStep (SES_MAX_SEND_RATE) only when set; the park function never sends', () => {
    const paced = buildTestStack({ config: { ses: { maxSendRate: 14 } } }).template();
    expect(functionEnv(paced, LAMBDAS.executeStep.description)[ENV.sesMaxSendRate]).toBe('14');
    expect(functionEnv(paced, LAMBDAS.parkExecution.description)[ENV.sesMaxSendRate]).toBeUndefined();
    const unpaced = buildTestStack().template();
    expect(functionEnv(unpaced, LAMBDAS.executeStep.description)[ENV.sesMaxSendRate]).toBeUndefined();
  });

  it('is read from the environment into the engine, and a bad value fails at start naming it', () => {
    const env = { [ENV.tableName]: 't', [ENV.sesMaxSendRate]: '14' };
    const config = environmentConfig(['tableName'], env);
    expect(config.sesMaxSendRate).toBe(14);
    expect(stepFeature(compose(config)).deps.config.maxSendRate).toBe(14);
    expect(
      stepFeature(compose(environmentConfig(['tableName'], { [ENV.tableName]: 't' }))).deps.config
        .maxSendRate,
    ).toBeUndefined();
    expect(() => environmentConfig(['tableName'], { ...env, [ENV.sesMaxSendRate]: 'fast' })).toThrow(
      /SES_MAX_SEND_RATE/,
    );
    expect(() => stepFeature(compose({ tableName: 't', sesMaxSendRate: 5000 }))).toThrow();
  });
});
