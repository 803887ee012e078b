import { Validations } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { RULES } from '../../functions/kernel/events';
import { buildScorerStack } from '../support/scorer-stack';

type Built = ReturnType<typeof buildScorerStack>;
let built: Built;
let template: ReturnType<Built['template']>;
beforeAll(() => {
  built = buildScorerStack({
    scoringConfig: { mqa: { minScore: 70, minEngagedContacts: 3, minEngagedRoles: 3 } },
  });
  template = built.template();
});

/** RULES.sesEngagement narrowed to the stack's configuration set (its name is a Ref here). */
const SES_PATTERN = {
  ...RULES.sesEngagement,
  detail: {
    mail: { tags: { 'ses:configuration-set': [{ Ref: expect.stringMatching(/^StandInConfigurationSet/) }] } },
  },
};

const resources = (type: string) => Object.entries(template.findResources(type));

describe('engagement rules', () => {
  it('uses the shared RULES patterns verbatim', () => {
    const patterns = resources('AWS::Events::Rule').map(([, r]) => r.Properties.EventPattern);
    expect(patterns).toEqual(expect.arrayContaining([RULES.scorerIngest, SES_PATTERN]));
  });

  it('puts the SES rule on the default bus and the scorer rule on the engagement bus', () => {
    const rules = resources('AWS::Events::Rule').map(([, r]) => r.Properties);
    const ses = rules.find((r) => r.EventPattern.source[0] === RULES.sesEngagement.source[0])!;
    expect(ses.EventPattern).toEqual(SES_PATTERN);
    const ingest = rules.find((r) => JSON.stringify(r.EventPattern) === JSON.stringify(RULES.scorerIngest))!;
    expect(ses.EventBusName).toBe('default');
    expect(ingest.EventBusName).toEqual({ Ref: expect.stringMatching(/^EventsBus/) });
    for (const r of [ses, ingest]) {
      expect(r.Targets[0]).toMatchObject({
        RetryPolicy: { MaximumRetryAttempts: 185 },
        DeadLetterConfig: { Arn: expect.anything() },
      });
    }
    expect(ingest.Targets[0].Arn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ScorerBuffer/), 'Arn'] });
  });

  it('publishes the configuration set events the normaliser consumes to the default bus', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({
        Enabled: true,
        MatchingEventTypes: [
          'send',
          'delivery',
          'open',
          'click',
          'bounce',
          'complaint',
          'reject',
          'renderingFailure',
          'deliveryDelay',
          'subscription',
        ],
        EventBridgeDestination: { EventBusArn: Match.anyValue() },
      }),
    });
    const dest = resources('AWS::SES::ConfigurationSetEventDestination')[0]![1];
    expect(JSON.stringify(dest.Properties.EventDestination.EventBridgeDestination)).toMatch(
      /event-bus\/default/,
    );
  });
});

describe('scorer', () => {
  it('feeds the scorer from a FIFO queue, batches of 10, partial batch failure, DLQ', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      FifoQueue: true,
      DeduplicationScope: 'messageGroup',
      FifoThroughputLimit: 'perMessageGroupId',
      RedrivePolicy: { maxReceiveCount: 5, deadLetterTargetArn: Match.anyValue() },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ScorerScoreQueue'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 1000,
      MaximumBatchingWindowInSeconds: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('grants SendTaskSuccess on the state machine and StopExecution on its executions only', () => {
    const statements = resources('AWS::IAM::Policy').flatMap(
      ([, p]) => p.Properties.PolicyDocument.Statement,
    );
    const find = (action: string) => statements.filter((s) => [s.Action].flat().includes(action));
    expect(find('states:SendTaskSuccess')).toHaveLength(1);
    expect(find('states:SendTaskSuccess')[0].Resource).toEqual({
      Ref: expect.stringMatching(/^AccountSequence/),
    });
    expect(find('states:StopExecution')).toHaveLength(1);
    expect(JSON.stringify(find('states:StopExecution')[0].Resource)).toMatch(/:execution:/);
    expect(
      statements
        .filter((s) => s.Resource === '*')
        .every((s) => [s.Action].flat().every((a: string) => a.startsWith('xray:'))),
    ).toBe(true);
  });

  it('passes the scoring overrides to the function, and rejects a bad one at synth', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          SCORING_CONFIG: JSON.stringify({
            mqa: { minScore: 70, minEngagedContacts: 3, minEngagedRoles: 3 },
          }),
        }),
      },
    });
    expect(() => buildScorerStack({ scoringConfig: { exitRatio: 3 } })).toThrow(/exitRatio/);
  });

  it('alarms on every dead-letter queue', () => {
    const dlqs = resources('AWS::SQS::Queue')
      .filter(([, q]) => !q.Properties?.RedrivePolicy)
      .map(([id]) => id);
    const alarmed = resources('AWS::CloudWatch::Alarm').map(([, a]) =>
      JSON.stringify(a.Properties.Dimensions),
    );
    // The scorer's two, the engagement rules' target DLQ and the SES normaliser's on-failure queue.
    expect(dlqs.map((id) => id.replace(/[0-9A-F]{8}$/, ''))).toEqual([
      'ScorerBufferDlq',
      'ScorerScoreDlq',
      'EngagementTargetDlq',
      'EngagementNormaliserFailures',
    ]);
    for (const id of dlqs) expect(alarmed.some((d) => d.includes(id))).toBe(true);
  });
});

describe('daily re-score', () => {
  const rescore = () => {
    const [id, fn] = resources('AWS::Lambda::Function').find(([, f]) =>
      /re-scores the accounts/.test(f.Properties.Description),
    )!;
    return { id, fn };
  };

  it('runs the re-score function once a day through EventBridge Scheduler, with retries', () => {
    const { id } = rescore();
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(15 0 * * ? *)',
      ScheduleExpressionTimezone: 'Etc/UTC',
      State: 'ENABLED',
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [id, 'Arn'] },
        RetryPolicy: { MaximumEventAgeInSeconds: 7200, MaximumRetryAttempts: 2 },
      }),
    });
    const alarm = resources('AWS::CloudWatch::Alarm').find(([, a]) =>
      JSON.stringify(a.Properties.Dimensions ?? []).includes(id),
    );
    expect(alarm?.[1].Properties).toMatchObject({ MetricName: 'Errors', Threshold: 0 });
  });

  it('may only query the decay index, decrypt with the table key and send to the scorer queue', () => {
    const { fn } = rescore();
    expect(Object.keys(fn.Properties.Environment.Variables)).toEqual(
      expect.arrayContaining(['TABLE_NAME', 'SCORER_QUEUE_URL', 'SCORING_CONFIG']),
    );
    const roleId = fn.Properties.Role['Fn::GetAtt'][0];
    const statements = resources('AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(roleId))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement)
      .filter((s) => ![s.Action].flat().every((a: string) => /^(logs|xray):/.test(a)));
    const byAction = Object.fromEntries(
      statements.map((s) => [[s.Action].flat().join(','), JSON.stringify(s.Resource)]),
    );
    expect(Object.keys(byAction).sort()).toEqual(['dynamodb:Query', 'kms:Decrypt', 'sqs:SendMessage']);
    expect(byAction['dynamodb:Query']).toMatch(/StoreTable[A-Z0-9]+","Arn"\]\},"\/index\/gsi1"/);
    expect(byAction['kms:Decrypt']).toMatch(/StoreKey/);
    expect(byAction['sqs:SendMessage']).toMatch(/ScorerScoreQueue/);
  });
});

describe('composed with the real sequence engine', () => {
  it('grants on the AccountSequence state machine and publishes its configuration set events', () => {
    const withEngine = buildScorerStack({ withEngine: true });
    const t = withEngine.template();
    const smId = withEngine.stack.getLogicalId(withEngine.engine!.stateMachine.node.defaultChild as never);
    const statements = Object.values(t.findResources('AWS::IAM::Policy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement,
    );
    const sendTask = statements.find((s) => [s.Action].flat().includes('states:SendTaskSuccess'));
    expect(sendTask.Resource).toEqual({ Ref: smId });
    const stop = statements.find((s) => [s.Action].flat().includes('states:StopExecution'));
    expect(JSON.stringify(stop.Resource)).toContain(smId);
    t.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: { Ref: Match.stringLikeRegexp('^EngineConfigurationSet') },
    });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ SEQUENCE_STATE_MACHINE_ARN: { Ref: smId } }) },
    });
  });
});

describe('cdk-nag', () => {
  const findings = (scope: IConstruct) =>
    new AwsSolutionsChecks()
      .validateScope(scope)
      .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`));

  it('reports no unacknowledged finding on the scorer and rules constructs', () => {
    const mine = findings(built.app).filter((f) => /\/(Scorer|Engagement)\//.test(f));
    expect(mine).toEqual([]);
  });

  it('acknowledges only the wildcards our grants need, each with a reason', () => {
    const acks = built.app.node
      .findAll()
      .flatMap((c) =>
        c.node.metadata
          .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          .flatMap((m) =>
            Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({
              path: c.node.path,
              id,
              reason,
            })),
          ),
      )
      .filter((a) => /\/(Scorer|Engagement)\//.test(a.path));
    for (const a of acks) {
      expect(a.id).toMatch(
        /IAM5\[(Resource::<StoreTable[A-Z0-9]+\.Arn>\/index\/\*|Action::kms:(ReEncrypt|GenerateDataKey)\*|Resource::arn:.*:execution:.*:\*|Resource::\*)\]|SQS3/,
      );
      expect(a.reason.length).toBeGreaterThanOrEqual(40);
    }
  });
});
