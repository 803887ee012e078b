/**
 * `config.launch.maxUsd` from cdk.json to the router's environment (and local mode's settings), and
 * the launch forecast's own function: the router may invoke it, it may only read the table.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { environmentConfig } from '../../functions/platform/compose';
import { ENV } from '../../functions/platform/env';
import { parseConfig } from '../../lib/infra/config';
import { LAMBDAS } from '../../lib/infra/functions';
import { readSettings } from '../../lib/local/settings';
import { buildTestStack, configIssues, functionEnvOf } from './app';

const valid = { senderEmail: 'campaigns@example.com' };

/** The logical id of the function with this description. */
function functionId(template: Template, description: string): string {
  const fns = template.findResources('AWS::Lambda::Function', { Properties: { Description: description } });
  const ids = Object.keys(fns);
  expect(ids).toHaveLength(1);
  return ids[0]!;
}

describe('config.launch.maxUsd', () => {
  it('is optional (no cap) and takes dollars; a bad value or an unknown key is named', () => {
    expect(parseConfig({ stage: 'dev', config: valid }).launch).toEqual({});
    expect(parseConfig({ stage: 'dev', config: { ...valid, launch: { maxUsd: 250.5 } } }).launch.maxUsd).toBe(
      250.5,
    );
    for (const bad of [0, -5, '100'])
      expect(
        configIssues({ launch: { maxUsd: bad } }).some((l) => l.startsWith('config.launch.maxUsd:')),
      ).toBe(true);
    expect(configIssues({ launch: { budget: 1 } })).toContain('config.launch.budget: Unknown key');
  });

  it('reaches the router (LAUNCH_MAX_USD) only when set, and is read from there', () => {
    const capped = buildTestStack({ config: { launch: { maxUsd: 250 } } }).template();
    expect(functionEnvOf(capped, LAMBDAS.httpApi.description)?.[ENV.launchMaxUsd]).toBe('250');
    const free = buildTestStack().template();
    expect(functionEnvOf(free, LAMBDAS.httpApi.description)?.[ENV.launchMaxUsd]).toBeUndefined();
    const env = { [ENV.tableName]: 't', [ENV.launchMaxUsd]: '250' };
    expect(environmentConfig(['tableName'], env).launchMaxUsd).toBe(250);
    expect(() => environmentConfig(['tableName'], { ...env, [ENV.launchMaxUsd]: 'lots' })).toThrow(
      /LAUNCH_MAX_USD/,
    );
  });

  it('reaches local mode from the deployment configuration it reads', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'abm-launch-budget-'));
    try {
      const file = path.join(dir, 'config.json');
      writeFileSync(file, JSON.stringify({ ...valid, launch: { maxUsd: 75 } }));
      const settings = readSettings(
        { ABM_DATA_DIR: dir, ABM_API_TOKEN: 'x'.repeat(24), ABM_CONFIG: file },
        dir,
      );
      expect(settings.launchMaxUsd).toBe(75);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the launch forecast function', () => {
  const template = buildTestStack({ config: { ses: { maxSendRate: 14 } } }).template();
  const forecast = functionId(template, LAMBDAS.forecastLaunch.description);

  it('is named to the router, with the SES rate it reports headroom against', () => {
    expect(functionEnvOf(template, LAMBDAS.httpApi.description)?.[ENV.forecastFunctionName]).toEqual({
      Ref: forecast,
    });
    expect(functionEnvOf(template, LAMBDAS.forecastLaunch.description)?.[ENV.sesMaxSendRate]).toBe('14');
  });

  it('the router may invoke it; it reads the table and writes nothing', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'lambda:InvokeFunction',
            Resource: Match.arrayWith([{ 'Fn::GetAtt': [forecast, 'Arn'] }]),
          }),
        ]),
      },
    });
    const role = template.findResources('AWS::Lambda::Function')[forecast]!.Properties.Role['Fn::GetAtt'][0];
    const policies = Object.values(
      template.findResources('AWS::IAM::Policy', {
        Properties: { Roles: Match.arrayWith([{ Ref: role }]) },
      }),
    );
    const actions = policies.flatMap((p) =>
      (p.Properties.PolicyDocument.Statement as { Action: string | string[] }[]).flatMap((s) => s.Action),
    );
    expect(actions).toContain('dynamodb:GetItem');
    expect(actions.filter((a) => a.startsWith('dynamodb:') && /Put|Update|Delete|Write/.test(a))).toEqual([]);
  });
});
