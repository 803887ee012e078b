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
    // The web console in both (on the cloudfront.net name in dev, under its own name in prod).
    const certificateArn =
      'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012';
    built = buildTestStack({
      stage,
      config:
        stage === 'prod'
          ? {
              eventArchiveDays: 90,
              console: { enabled: true, domainName: 'abm.example.com', certificateArn },
            }
          : { console: { enabled: true } },
    });
  });

  it('reports zero unacknowledged errors and warnings', () => {
    expect(findings(built.app)).toEqual([]);
  });

  it('acknowledges only reviewed rules, each with a real reason', () => {
    // aws-cdk-lib acknowledges cfn-lint's W3045 itself on a bucket that takes access logs with
    // ACLs (the console's log bucket, which CloudFront's standard logging needs).
    const acks = acknowledgements(built.app).filter(
      (a) => !(a.id === 'CloudFormation-Validate::W3045' && /Console\/AccessLogs$/.test(a.path)),
    );
    expect(acks.length).toBeGreaterThan(0);
    // IAM5: scoped wildcards (X-Ray, table indexes, KMS data-key actions, executions of one state
    // machine, the launcher's bucket and map runs); SQS3: queues that are themselves dead-letter
    // queues; SMG4: the unsubscribe signing key (rotation would break links already sent); S1: the
    // transient audience bucket; APIG4: the public routes (health, one-click unsubscribe, the provider
    // webhooks verified by their signatures). The console: its log bucket (S1), no geo block and no
    // WAF on static files (CFR1, CFR2), CloudFront's default certificate without a domain (CFR4),
    // the user pool's Essentials plan (COG3, COG8), CDK's own deploy-time copy function (IAM4, L1).
    const reviewed: Record<string, RegExp> = {
      'AwsSolutions-SMG4': /Engine\/UnsubscribeKey$/,
      'AwsSolutions-S1': /(Launcher\/Audiences|Console\/AccessLogs)$/,
      'AwsSolutions-APIG4': /Api\/(Console\/)?Route-(getHealth|unsubscribe|unsubscribePage|receiveWebhook)$/,
      'AwsSolutions-CFR1': /Console\/Distribution$/,
      'AwsSolutions-CFR2': /Console\/Distribution$/,
      'AwsSolutions-CFR4': /^Abm-dev\/Console\/Distribution$/,
      'AwsSolutions-COG3': /Console\/Users$/,
      'AwsSolutions-COG8': /Console\/Users$/,
      'AwsSolutions-L1': /\/Custom::CDKBucketDeployment[0-9A-Za-z]+$/,
    };
    for (const ack of acks) {
      expect(ack.id, ack.path).toMatch(
        /^AwsSolutions-(IAM5|IAM4|SQS3|SMG4|S1|APIG4|CFR1|CFR2|CFR4|COG3|COG8|L1)\b/,
      );
      if (ack.id.startsWith('AwsSolutions-IAM4'))
        expect(ack.path).toMatch(/\/Custom::CDKBucketDeployment[0-9A-Za-z]+$/);
      const where = reviewed[ack.id];
      if (where) expect(ack.path).toMatch(where);
      expect(ack.reason.length, ack.path).toBeGreaterThanOrEqual(40);
      expect(ack.reason).not.toMatch(/\b(todo|tbd|fixme|later|temporary)\b/i);
    }
    // Every function role acknowledges the X-Ray wildcard, which AWS allows no narrower; the one
    // other "*" is ExecuteStep's ListSchedules, which has no resource type.
    const stars = acks.filter((a) => a.id === 'AwsSolutions-IAM5[Resource::*]');
    const listSchedules = stars.filter((a) => a.path.endsWith('/Engine/ExecuteStepWakePolicy'));
    expect(listSchedules).toHaveLength(1);
    expect(listSchedules[0]!.reason).toMatch(/ListSchedules/);
    const xray = stars.filter((a) => !listSchedules.includes(a));
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
