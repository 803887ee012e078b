/**
 * The sequence engine (docs/architecture.md "The engine", "Sequences", "Data model"): the AccountSequence state machine, loaded from
 * statemachines/account-sequence.asl.json by a `__dirname` path with `definitionSubstitutions`,
 * and its Lambda functions (ExecuteStep, ParkExecution, and CompileTemplate, which ExecuteStep
 * invokes for a template stored without its compiled form). Logging (no execution data: it holds
 * personal data), X-Ray tracing, retries with backoff and jitter in the ASL, an alarm on failed
 * and timed-out executions, the state machine's right to start its own next execution (continue
 * as new), and every other permission through `grant*`.
 */
import { readFileSync } from 'node:fs';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Grant, Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { ConfigurationSet, type IConfigurationSet, type IEmailIdentity } from 'aws-cdk-lib/aws-ses';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { ACCOUNT_SEQUENCE_ASL } from '../../../statemachines';
import { LAMBDAS, type FunctionFactory } from '../functions';
import { ENV } from '../../../functions/platform/env';
import { vendedLogGroupName } from './logs';
import { deadLetterAlarm } from './alarms';

export { ACCOUNT_SEQUENCE_ASL };

export interface SequenceEngineProps {
  readonly table: ITable;
  readonly bus: IEventBus;
  /** Verified sender, e.g. campaigns@example.com. */
  readonly senderEmail: string;
  readonly senderName?: string;
  /** The SES identity to grant ses:SendEmail on; defaults to the sender's domain identity ARN (or the address). */
  readonly identity?: IEmailIdentity;
  readonly senderDomain?: string;
  /** Public unsubscribe endpoint (the API's GET/POST /unsubscribe). */
  readonly unsubscribeBaseUrl: string;
  /** HMAC key of unsubscribe tokens; a generated secret by default. Share it with the unsubscribe handler. */
  readonly unsubscribeSecret?: ISecret;
  /** SES configuration set for event publishing; created when omitted. */
  readonly configurationSet?: IConfigurationSet;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /** Builds the functions (the stack's `BaseFunction` factory). */
  readonly createFunction: FunctionFactory;
  readonly defaultSdrOwner?: string;
  /** The SES account's sends per second ExecuteStep paces email to (`config.ses.maxSendRate`); none when omitted. */
  readonly maxSendRate?: number;
}

export class SequenceEngine extends Construct {
  public readonly stateMachine: StateMachine;
  public readonly executeStep: IFunction;
  public readonly parkExecution: IFunction;
  /** Compiles a template saved without its compiled form; ExecuteStep invokes it. */
  public readonly compileTemplate: IFunction;
  public readonly unsubscribeSecret: ISecret;
  public readonly configurationSet: IConfigurationSet;
  public readonly failedExecutionsAlarm: Alarm;
  /** A wake that EventBridge Scheduler could not deliver after its retries: its execution waits on. */
  public readonly wakeDeadLetterAlarm: Alarm;
  public readonly logGroup: LogGroup;
  /** What another function needs to send as this engine sends (the catalog's template test send). */
  public readonly emailEnvironment: Record<string, string>;
  private readonly props: SequenceEngineProps;

  constructor(scope: Construct, id: string, props: SequenceEngineProps) {
    super(scope, id);

    this.unsubscribeSecret =
      props.unsubscribeSecret ??
      new Secret(this, 'UnsubscribeKey', {
        description: 'HMAC key of signed one-click unsubscribe tokens',
        generateSecretString: { passwordLength: 48, excludePunctuation: true },
        removalPolicy: props.removalPolicy,
      });
    if (!props.unsubscribeSecret) {
      Validations.of(this.unsubscribeSecret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'HMAC key of one-click unsubscribe links: tokens are verified against this one key, so rotating it would break every link already sent, and unsubscribe links must keep working long after the mail (RFC 8058; CAN-SPAM asks for 30 days). It is therefore not rotated automatically.',
      });
    }
    // Named after the stack, so each stage's set (and the SES rule that keeps only its events) is
    // plain to see in the console. SES allows letters, digits, '-' and '_', up to 64 characters:
    // https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_CreateConfigurationSet.html
    this.configurationSet =
      props.configurationSet ??
      new ConfigurationSet(this, 'ConfigurationSet', {
        configurationSetName: `${Stack.of(this).stackName}-mail`.replace(/[^A-Za-z0-9_-]/g, '-').slice(-64),
      });

    this.props = props;
    this.emailEnvironment = {
      [ENV.senderEmail]: props.senderEmail,
      ...(props.senderName ? { [ENV.senderName]: props.senderName } : {}),
      [ENV.unsubscribeBaseUrl]: props.unsubscribeBaseUrl,
      [ENV.sesConfigurationSet]: this.configurationSet.configurationSetName,
    };
    const environment = {
      [ENV.tableName]: props.table.tableName,
      [ENV.busName]: props.bus.eventBusName,
      [ENV.senderEmail]: props.senderEmail,
      ...(props.senderName ? { [ENV.senderName]: props.senderName } : {}),
      [ENV.unsubscribeBaseUrl]: props.unsubscribeBaseUrl,
      [ENV.unsubscribeSecretId]: this.unsubscribeSecret.secretArn,
      [ENV.sesConfigurationSet]: this.configurationSet.configurationSetName,
      ...(props.defaultSdrOwner ? { [ENV.defaultSdrOwner]: props.defaultSdrOwner } : {}),
    };
    const wake = this.wakeSchedules(props);
    // Compiles a template stored without its compiled form, for ExecuteStep (which carries no
    // template parser): functions/platform/template-compiler.ts. Reads and writes the template only.
    this.compileTemplate = props.createFunction(this, 'CompileTemplate', {
      ...LAMBDAS.compileTemplate,
      environment: { [ENV.tableName]: props.table.tableName },
      timeoutSeconds: 10,
    });
    props.table.grantReadWriteData(this.compileTemplate);
    this.executeStep = props.createFunction(this, 'ExecuteStep', {
      ...LAMBDAS.executeStep,
      environment: {
        ...environment,
        ...(props.maxSendRate !== undefined ? { [ENV.sesMaxSendRate]: String(props.maxSendRate) } : {}),
        [ENV.templateCompilerFunctionName]: this.compileTemplate.functionName,
        [ENV.wakeScheduleGroup]: wake.group.scheduleGroupName,
        [ENV.wakeRoleArn]: wake.role.roleArn,
        [ENV.wakeDeadLetterArn]: wake.deadLetters.queueArn,
      },
      memorySize: 512,
      timeoutSeconds: 50,
    });
    this.compileTemplate.grantInvoke(this.executeStep);
    this.parkExecution = props.createFunction(this, 'ParkExecution', {
      ...LAMBDAS.parkExecution,
      environment,
      timeoutSeconds: 10,
    });

    for (const fn of [this.executeStep, this.parkExecution]) {
      props.table.grantReadWriteData(fn);
      this.unsubscribeSecret.grantRead(fn);
    }
    props.bus.grantPutEventsTo(this.executeStep);
    this.grantSendEmail(this.executeStep);

    this.logGroup = new LogGroup(this, 'ExecutionLogs', {
      logGroupName: vendedLogGroupName(this, 'AccountSequence'),
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.stateMachine = new StateMachine(this, 'AccountSequence', {
      stateMachineType: StateMachineType.STANDARD,
      comment: 'Runs one enrolled account through a sequence snapshot (docs/architecture.md "The engine")',
      // Inlined (not an S3 asset): the template carries exactly the file the tests execute.
      definitionBody: DefinitionBody.fromString(readFileSync(ACCOUNT_SEQUENCE_ASL, 'utf8')),
      definitionSubstitutions: {
        ExecuteStepFunctionArn: this.executeStep.functionArn,
        ParkExecutionFunctionArn: this.parkExecution.functionArn,
      },
      // Execution data holds names and emails: log events, not payloads.
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });
    this.executeStep.grantInvoke(this.stateMachine);
    this.parkExecution.grantInvoke(this.stateMachine);
    // ContinueAsNew starts the next execution of this same state machine for an enrollment before
    // one execution reaches its history or duration limit (functions/engine/continuation.ts); the
    // request-response StartExecution integration needs states:StartExecution on it
    // (https://docs.aws.amazon.com/step-functions/latest/dg/stepfunctions-iam.html). A policy of its
    // own: the role's default policy cannot name the state machine (a cycle).
    new Policy(this, 'ContinueAsNewPolicy', {
      roles: [this.stateMachine.role],
      statements: [
        new PolicyStatement({
          actions: ['states:StartExecution'],
          resources: [this.stateMachine.stateMachineArn],
        }),
      ],
    });

    this.grantWakes(wake);
    this.wakeDeadLetterAlarm = deadLetterAlarm(
      this,
      'WakeDeadLetters',
      wake.deadLetters,
      'A wake of an AccountSequence execution (the end of a wait: SendTaskSuccess by EventBridge Scheduler) failed after its retries; its execution still waits. The message names the schedule and its task token: send its Output with `aws stepfunctions send-task-success` (docs/deploy.md "The alarms")',
    );

    // Failed, and timed out: a Standard execution ends TimedOut at its one-year maximum
    // (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html), which a Failed
    // alarm alone never sees; AWS/States publishes ExecutionsTimedOut beside ExecutionsFailed
    // (https://docs.aws.amazon.com/step-functions/latest/dg/procedure-cw-metrics.html). An execution
    // continues as new well before the year, so a timed-out one means a continuation did not happen.
    const period = Duration.minutes(5);
    this.failedExecutionsAlarm = new Alarm(this, 'FailedExecutions', {
      alarmDescription:
        'AccountSequence executions failed (a step failed and recording the failure failed too, or a continuation could not start) or timed out (a Standard execution lasts at most a year; executions continue as new before, so a continuation did not happen)',
      metric: new MathExpression({
        expression: 'failed + timedOut',
        usingMetrics: {
          failed: this.stateMachine.metricFailed({ period, statistic: 'Sum' }),
          timedOut: this.stateMachine.metricTimedOut({ period, statistic: 'Sum' }),
        },
        period,
        label: 'AccountSequence executions failed or timed out',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }

  /**
   * ExecuteStep's wakes (functions/engine/hand-over.ts, functions/platform/wake.ts): the schedule
   * group they are made in, the role EventBridge Scheduler calls SendTaskSuccess with, and the
   * dead-letter queue of the wakes it could not deliver.
   */
  private wakeSchedules(props: SequenceEngineProps) {
    const group = new ScheduleGroup(this, 'WakeSchedules', { removalPolicy: props.removalPolicy });
    const deadLetters = new Queue(this, 'WakeDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue of the wake schedules; a DLQ of a DLQ adds nothing.',
    });
    const stack = Stack.of(this);
    // The confused-deputy guard EventBridge Scheduler documents for its execution role:
    // https://docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html
    const role = new Role(this, 'WakeRole', {
      description:
        'EventBridge Scheduler completes ExecuteStep tasks (SendTaskSuccess) at the end of their waits',
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    });
    deadLetters.grantSendMessages(role);
    return { group, deadLetters, role };
  }

  /**
   * Who may do what with the wakes: ExecuteStep makes and replaces schedules in the group (passing
   * the role to the scheduler only), completes its own task (SendTaskSuccess), and deletes the
   * pending wake of an execution that was stopped (the status-change rule below); the scheduler's
   * role completes tasks of this state machine. Policies of their own: a role's default policy
   * cannot name the state machine, which names the function (a cycle).
   */
  private grantWakes(wake: ReturnType<SequenceEngine['wakeSchedules']>): void {
    const stack = Stack.of(this);
    const schedules = stack.formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${wake.group.scheduleGroupName}/*`,
    });
    const taskResponse = new PolicyStatement({
      actions: ['states:SendTaskSuccess'],
      resources: [this.stateMachine.stateMachineArn],
    });
    new Policy(this, 'WakePolicy', { roles: [wake.role], statements: [taskResponse] });
    new Policy(this, 'ExecuteStepWakePolicy', {
      roles: [this.executeStep.role!],
      statements: [
        taskResponse,
        new PolicyStatement({
          actions: ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule'],
          resources: [schedules],
        }),
        // ListSchedules has no resource type (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoneventbridgescheduler.html).
        new PolicyStatement({ actions: ['scheduler:ListSchedules'], resources: ['*'] }),
        new PolicyStatement({
          actions: ['iam:PassRole'],
          resources: [wake.role.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
        }),
      ],
    });
    // A stopped execution's pending wake is deleted (StopExecution leaves it): Step Functions
    // publishes each Standard execution's status changes on the default bus
    // (https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html).
    new Rule(this, 'StoppedExecutions', {
      description: 'AccountSequence executions that were stopped -> ExecuteStep deletes their pending wake',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { status: ['ABORTED'], stateMachineArn: [this.stateMachine.stateMachineArn] },
      },
      targets: [
        new LambdaFunction(this.executeStep, { retryAttempts: 185, maxEventAge: Duration.hours(24) }),
      ],
    });
  }

  /**
   * ses:SendEmail (and SendRawEmail) for `grantee` on the sender's identity and on this engine's
   * configuration set, nothing else: the engine's step, and the catalog's template test send.
   */
  grantSendEmail(grantee: IFunction): void {
    const { props } = this;
    const stack = Stack.of(this);
    if (props.identity) props.identity.grantSendEmail(grantee);
    else {
      // SES authorizes a send against the identity it resolves for the sender: the address when
      // it is verified itself, else its domain. Which one is verified is the operator's choice, so
      // both are granted when both are configured:
      // https://docs.aws.amazon.com/ses/latest/dg/control-user-access.html
      const identities = [props.senderEmail, ...(props.senderDomain ? [props.senderDomain] : [])];
      Grant.addToPrincipal({
        grantee,
        actions: ['ses:SendEmail', 'ses:SendRawEmail'],
        resourceArns: identities.map((resourceName) =>
          stack.formatArn({ service: 'ses', resource: 'identity', resourceName }),
        ),
      });
    }
    Grant.addToPrincipal({
      grantee,
      actions: ['ses:SendEmail', 'ses:SendRawEmail'],
      resourceArns: [
        stack.formatArn({
          service: 'ses',
          resource: 'configuration-set',
          resourceName: this.configurationSet.configurationSetName,
        }),
      ],
    });
  }
}
