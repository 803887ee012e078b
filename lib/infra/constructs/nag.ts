/**
 * cdk-nag: acknowledge exactly the IAM wildcards our `grant*` calls produce, each with its reason.
 * `acknowledgeGrantWildcards(scope)` runs once every grant is made (the end of the stack); it
 * computes each IAM policy's findings the way cdk-nag does and acknowledges only those matching a
 * reviewed pattern below, so any other wildcard stays reported and fails synth.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import { Policy, Role } from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

export interface ScopedWildcard {
  /** Matches the finding suffix cdk-nag reports for AwsSolutions-IAM5, e.g. `Resource::<T.Arn>/index/*`. */
  readonly finding: RegExp;
  readonly reason: string;
  /** Only for roles assumed by this service principal. */
  readonly principal?: string;
  /** Only for policies whose construct path matches. */
  readonly path?: RegExp;
}

/** The singleton function CDK's BucketDeployment copies the console's files with. */
const BUCKET_DEPLOYMENT = /\/Custom::CDKBucketDeployment[0-9A-Za-z]+\//;

export const REVIEWED_WILDCARDS: readonly ScopedWildcard[] = [
  {
    finding: /^Resource::<[A-Za-z0-9]*Table[A-Za-z0-9]+\.Arn>\/index\/\*$/,
    reason:
      'Added by grantReadData/grantReadWriteData on the account table: its two GSIs (gsi1: email, domain and campaign look-ups; gsi2: contact ids and SDR queues) are addressed as <table>/index/*; no other table is reachable.',
  },
  {
    finding: /^Action::kms:(ReEncrypt|GenerateDataKey)\*$/,
    reason:
      "Added by the table grant for the table's own customer-managed KMS key (the statement's only resource): DynamoDB needs data keys to read and write the encrypted table.",
  },
  {
    finding: /^Resource::arn:.*:states:.*:execution:.*AccountSequence.*:\*$/,
    reason:
      'StopExecution on executions of the AccountSequence state machine only: execution names (campaign--account) are created at launch, so they cannot be listed at deploy time.',
  },
  {
    finding: /^Resource::<[A-Za-z0-9]+Function[A-Za-z0-9]+\.Arn>:\*$/,
    principal: 'scheduler.amazonaws.com',
    reason:
      "EventBridge Scheduler's role for the daily re-score (LambdaInvoke target, grantInvoke): <function ARN>:* covers that function's versions and aliases, nothing else.",
  },
  {
    finding: /^Resource::<[A-Za-z0-9]+Function[A-Za-z0-9]+\.Arn>:\*$/,
    reason:
      "Added by grantInvoke for a state machine's own task function: <function ARN>:* covers that function's versions and aliases, nothing else.",
  },
  {
    finding:
      /^Resource::arn:<AWS::Partition>:scheduler:.*:schedule\/[A-Za-z0-9-]*WakeSchedules[A-Za-z0-9-]*\/\*$/,
    path: /\/ExecuteStepWakePolicy$/,
    reason:
      "ExecuteStep's wake schedules in the engine's own schedule group: each is named at run time after its execution and invocation (functions/engine/hand-over.ts), so they cannot be listed at deploy time.",
  },
  {
    finding: /^Resource::\*$/,
    path: /\/ExecuteStepWakePolicy$/,
    reason:
      'scheduler:ListSchedules only (the statement has no other action): it has no resource type, so AWS requires "*"; ExecuteStep lists a stopped execution\'s pending wake by its name prefix in its own group.',
  },
  {
    finding: /^Resource::\*$/,
    principal: 'states.amazonaws.com',
    reason:
      'State machine role: X-Ray tracing (PutTraceSegments, GetSampling*) and CloudWatch Logs log delivery (CreateLogDelivery and friends) accept no resource ARN; AWS requires "*" for them.',
  },
  {
    finding: /^Action::s3:(GetObject|GetBucket|List|Abort|DeleteObject|PutObject)\*?$/,
    path: BUCKET_DEPLOYMENT,
    reason:
      "The console's file copy (CDK BucketDeployment): S3's action families for reading the staged console build and writing and pruning the console bucket, on those two buckets only.",
  },
  {
    finding: /^Resource::<ConsoleFiles[A-Za-z0-9]+\.Arn>\/\*$/,
    path: BUCKET_DEPLOYMENT,
    reason:
      "Objects of the console's own bucket: the deployment writes the built files (hashed names, unknown at synth) under console/.",
  },
  {
    finding:
      /^Resource::arn:<AWS::Partition>:s3:::cdk-[a-z0-9]+-assets-([0-9]+|<AWS::AccountId>)-([a-z0-9-]+|<AWS::Region>)\/\*$/,
    path: BUCKET_DEPLOYMENT,
    reason:
      "The CDK bootstrap's asset bucket: the deployment reads the console build staged there by cdk deploy (a content-hashed key, unknown at synth).",
  },
  {
    finding: /^Action::s3:(GetObject|GetBucket|List|Abort|DeleteObject|PutObject)\*?$/,
    reason:
      "Added by grantRead/grantPut on the launcher's audience bucket (the statement's only resources are that bucket and its objects): S3's action families for reading and writing launch audiences.",
  },
  {
    finding: /^Resource::<LauncherAudiences[A-Za-z0-9]+\.Arn>\/\*$/,
    reason:
      "Objects of the launcher's audience bucket only: one JSON-lines audience file per launch, named at run time.",
  },
  {
    finding: /^Resource::arn:.*:states:.*:(execution|mapRun):<LauncherStateMachine[A-Za-z0-9]+\.Name>\/\*$/,
    reason:
      "The launcher's Distributed Map child executions and map runs: Step Functions names them at run time under the launcher state machine's own name, so they cannot be listed at deploy time.",
  },
];

/** Acknowledges, on every IAM policy under `scope`, the IAM5 findings that match a reviewed wildcard. */
export function acknowledgeGrantWildcards(
  scope: IConstruct,
  allowed: readonly ScopedWildcard[] = REVIEWED_WILDCARDS,
): void {
  let flatten: (value: unknown) => string;
  try {
    // cdk-nag's own flattening, so the finding ids match what it reports.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    flatten = require('cdk-nag/lib/utils/flatten-cfn-reference').flattenCfnReference;
  } catch {
    return; // cdk-nag is not installed: its findings are not computed either.
  }
  for (const policy of scope.node.findAll().filter((c): c is Policy => c instanceof Policy)) {
    const role = policy.node.scope instanceof Role ? policy.node.scope : undefined;
    const doc = Stack.of(policy).resolve(policy.document) as {
      Statement?: { Effect: string; Action: unknown; Resource: unknown }[];
    };
    const findings = new Set<string>();
    for (const st of doc.Statement ?? []) {
      if (st.Effect !== 'Allow') continue;
      for (const a of [st.Action].flat() as string[]) if (a.includes('*')) findings.add(`Action::${a}`);
      for (const r of [st.Resource].flat()) {
        const flat = flatten(r);
        if (flat.includes('*')) findings.add(`Resource::${flat}`);
      }
    }
    for (const finding of findings) {
      const rule = allowed.find(
        (w) =>
          w.finding.test(finding) &&
          (!w.principal || (role && principalOf(role) === w.principal)) &&
          (!w.path || w.path.test(policy.node.path)),
      );
      if (rule)
        Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason: rule.reason });
    }
  }
}

function principalOf(role: Role): string | undefined {
  const doc = Stack.of(role).resolve(role.assumeRolePolicy) as
    { Statement?: { Principal?: { Service?: unknown } }[] } | undefined;
  const service = doc?.Statement?.[0]?.Principal?.Service;
  return typeof service === 'string' ? service : undefined;
}
