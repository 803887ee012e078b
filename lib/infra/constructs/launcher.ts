/**
 * The campaign launcher (docs/architecture.md "Components"): a Standard state machine from
 * `statemachines/campaign-launch.asl.json` whose Distributed Map reads the audience (JSON lines)
 * from S3 and sends batches, with bounded concurrency, to the enroll function; a finalize function
 * then counts the campaign. The audience bucket keeps launch files for 7 days.
 */
import * as fs from 'node:fs';
import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Policy, PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, type IBucket } from 'aws-cdk-lib/aws-s3';
import {
  DefinitionBody,
  LogLevel,
  StateMachine,
  StateMachineType,
  type IStateMachine,
} from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { CAMPAIGN_LAUNCH_ASL } from '../../../statemachines';
import { LAMBDAS, type FunctionFactory } from '../functions';
import { ENV } from '../../../functions/platform/env';
import { vendedLogGroupName } from './logs';

export type { FunctionFactory, FunctionRequest } from '../functions';

export const LAUNCHER_ASL_PATH = CAMPAIGN_LAUNCH_ASL;

export interface CampaignLauncherProps {
  readonly table: ITable;
  /** The AccountSequence state machine (the engine's): one execution per enrolled account. */
  readonly sequenceStateMachine: IStateMachine;
  readonly createFunction: FunctionFactory;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** For the bucket and log group. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** Server access logs for the audience bucket, when the stack has a log bucket. */
  readonly accessLogsBucket?: IBucket;
}

export class CampaignLauncher extends Construct {
  public readonly bucket: Bucket;
  public readonly stateMachine: StateMachine;
  public readonly enrollFunction: IFunction;
  public readonly finalizeFunction: IFunction;
  /**
   * Fires when a launcher execution fails, times out or is aborted (a launch left unfinished).
   * The stack wires it to the alarm topic (lib/infra/abm-stack.ts).
   */
  public readonly failedExecutionsAlarm: Alarm;

  constructor(scope: Construct, id: string, props: CampaignLauncherProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.bucket = new Bucket(this, 'Audiences', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(7) }],
      removalPolicy,
      // No autoDeleteObjects (its provider's role carries a managed policy): the launcher deletes
      // each audience file once used, so the bucket of a dev stage is empty and `cdk destroy` can
      // remove it unless a launch is running.
      autoDeleteObjects: false,
      ...(props.accessLogsBucket
        ? { serverAccessLogsBucket: props.accessLogsBucket, serverAccessLogsPrefix: 'audiences/' }
        : {}),
    });
    if (!props.accessLogsBucket) {
      Validations.of(this.bucket).acknowledge({
        id: 'AwsSolutions-S1',
        reason:
          'Holds only transient launch audiences (account ids, expired after 7 days), written by the API role and read by the launcher state machine; every launch is already recorded in Step Functions execution history and CloudTrail. Pass accessLogsBucket to log object access too.',
      });
    }

    this.enrollFunction = props.createFunction(this, 'EnrollBatch', {
      ...LAMBDAS.enrollBatch,
      environment: {
        [ENV.tableName]: props.table.tableName,
        [ENV.sequenceStateMachineArn]: props.sequenceStateMachine.stateMachineArn,
      },
      memorySize: 512,
      // Inside the EnrollBatch task's own 50 s: five attempts and their backoff must fit in the
      // 5-minute limit of the Express child execution that runs it.
      timeoutSeconds: 45,
    });
    props.table.grantReadWriteData(this.enrollFunction);
    props.sequenceStateMachine.grantStartExecution(this.enrollFunction);

    this.finalizeFunction = props.createFunction(this, 'FinalizeLaunch', {
      ...LAMBDAS.finalizeLaunch,
      environment: { [ENV.tableName]: props.table.tableName },
      timeoutSeconds: 60,
    });
    props.table.grantReadWriteData(this.finalizeFunction);

    const logGroup = new LogGroup(this, 'Logs', {
      logGroupName: vendedLogGroupName(this, 'CampaignLauncher'),
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy,
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      // Inlined (not an S3 asset) so the synthesized template shows exactly what runs.
      definitionBody: DefinitionBody.fromString(fs.readFileSync(LAUNCHER_ASL_PATH, 'utf8')),
      definitionSubstitutions: {
        EnrollBatchFunctionArn: this.enrollFunction.functionArn,
        FinalizeFunctionArn: this.finalizeFunction.functionArn,
      },
      tracingEnabled: true,
      logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: false },
      // No `timeout` here: with a definition body from a string the construct does not put it in the
      // definition. The timeout is the ASL's own `TimeoutSeconds` (LAUNCHER_TIMEOUT_SECONDS).
    });
    const period = Duration.minutes(5);
    this.failedExecutionsAlarm = new Alarm(this, 'FailedExecutions', {
      alarmDescription:
        'A campaign launch failed (a batch failed after its retries, or the launcher timed out or was aborted): the campaign stays launching; relaunch it (POST /campaigns, same campaignId) after fixing the cause.',
      metric: new MathExpression({
        expression: 'failed + timedOut + aborted',
        usingMetrics: {
          failed: this.stateMachine.metricFailed({ period, statistic: 'Sum' }),
          timedOut: this.stateMachine.metricTimedOut({ period, statistic: 'Sum' }),
          aborted: this.stateMachine.metricAborted({ period, statistic: 'Sum' }),
        },
        period,
        label: 'launcher executions failed',
      }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.enrollFunction.grantInvoke(this.stateMachine);
    this.finalizeFunction.grantInvoke(this.stateMachine);
    this.bucket.grantRead(this.stateMachine);
    // DropAudience and DropFailedAudience delete the audience file once the launch is done.
    this.bucket.grantDelete(this.stateMachine);

    // A Distributed Map starts child executions of its own state machine and manages its map runs.
    // In a separate policy: the role's default policy cannot name the state machine (a cycle).
    const stack = Stack.of(this);
    const executions = stack.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${this.stateMachine.stateMachineName}/*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const mapRuns = stack.formatArn({
      service: 'states',
      resource: 'mapRun',
      resourceName: `${this.stateMachine.stateMachineName}/*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    new Policy(this, 'DistributedMapPolicy', {
      roles: [this.stateMachine.role],
      statements: [
        new PolicyStatement({
          actions: ['states:StartExecution'],
          resources: [this.stateMachine.stateMachineArn],
        }),
        new PolicyStatement({
          actions: ['states:DescribeExecution', 'states:StopExecution'],
          resources: [executions],
        }),
        new PolicyStatement({
          actions: ['states:DescribeMapRun', 'states:UpdateMapRun'],
          resources: [mapRuns],
        }),
      ],
    });
  }

  /** What the API needs to hand a launch over: write the audience file and start the launcher. */
  grantLaunch(grantee: IGrantable): void {
    this.bucket.grantPut(grantee);
    this.stateMachine.grantStartExecution(grantee);
  }
}
