import { App, Validations, type Stack } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { LAMBDAS } from '../../lib/infra/functions';
import { buildTestStack, type TestStack } from './app';

interface Finding {
  readonly rule: string;
  readonly severity: string | undefined;
  readonly path: string | undefined;
}

function findings(scope: IConstruct): Finding[] {
  const report = new AwsSolutionsChecks().validateScope(scope);
  return report.violations.flatMap((v) =>
    v.violatingResources.map((r) => ({ rule: v.ruleName, severity: v.severity, path: r.constructPath })),
  );
}

function acknowledgements(scope: IConstruct): { path: string; id: string; reason: string }[] {
  return scope.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) =>
        Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({
          path: c.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

describe.each(['dev', 'prod'] as const)('cdk-nag AwsSolutions (%s)', (stage) => {
  let built: TestStack;
  beforeAll(() => {
    built = buildTestStack({ stage, config: stage === 'prod' ? { eventArchiveDays: 90 } : {} });
  });

  it('reports zero unacknowledged errors and warnings', () => {
    expect(findings(built.app)).toEqual([]);
  });

  it('acknowledges only reviewed rules, each with a real reason', () => {
    const acks = acknowledgements(built.app);
    expect(acks.length).toBeGreaterThan(0);
    // IAM5: scoped wildcards (X-Ray, table indexes, KMS data-key actions, executions of one state
    // machine, the launcher's bucket and map runs); SQS3: queues that are themselves dead-letter
    // queues; SMG4: the unsubscribe signing key (rotation would break links already sent); S1: the
    // transient audience bucket; APIG4: the public routes (health, one-click unsubscribe, the provider
    // webhooks verified by their signatures).
    const reviewed: Record<string, RegExp> = {
      'AwsSolutions-SMG4': /Engine\/UnsubscribeKey$/,
      'AwsSolutions-S1': /Launcher\/Audiences$/,
      'AwsSolutions-APIG4': /Api\/Route-(getHealth|unsubscribe|unsubscribePage|receiveWebhook)$/,
    };
    for (const ack of acks) {
      expect(ack.id, ack.path).toMatch(/^AwsSolutions-(IAM5|SQS3|SMG4|S1|APIG4)\b/);
      const where = reviewed[ack.id];
      if (where) expect(ack.path).toMatch(where);
      expect(ack.reason.length, ack.path).toBeGreaterThanOrEqual(40);
      expect(ack.reason).not.toMatch(/\b(todo|tbd|fixme|later|temporary)\b/i);
    }
    // Every function role acknowledges the X-Ray wildcard, which AWS allows no narrower.
    const xray = acks.filter((a) => a.id === 'AwsSolutions-IAM5[Resource::*]');
    // One per function role, plus the two state machine roles (X-Ray and log delivery).
    expect(xray.filter((a) => a.path.endsWith('/Role')).length).toBe(Object.keys(LAMBDAS).length);
    expect(
      xray.filter((a) => a.path.endsWith('/Role/DefaultPolicy')).map((a) => a.path.split('/')[1]),
    ).toEqual(['Engine', 'Launcher']);
    for (const ack of xray) expect(ack.reason).toMatch(/X-Ray/);
  });

  it('passes synth with the checks registered as a validation plugin', () => {
    Validations.of(built.app).addPlugins(new AwsSolutionsChecks(built.app));
    expect(() => built.app.synth()).not.toThrow();
  });
});

describe('cdk-nag setup (negative control)', () => {
  function withBareQueue(): { app: App; stack: Stack } {
    const { app, stack } = buildTestStack({ stage: 'dev' });
    new Queue(stack, 'BareQueue');
    return { app, stack };
  }

  it('would report a finding the stack does not acknowledge', () => {
    const rules = findings(withBareQueue().app).map((f) => f.rule);
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']));
  });

  it('fails synth on an unacknowledged finding', () => {
    const { app } = withBareQueue();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS/);
  });
});
