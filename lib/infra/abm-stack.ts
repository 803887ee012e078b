/**
 * The ABM stack (docs/architecture.md "Components"): one construct per concern, connected through `grant*` calls.
 *
 *   store + bus ─ engine (AccountSequence) ─ launcher (Distributed Map) ─ API (HTTP API)
 *                    └─ scorer (buffer -> FIFO per account) <─ engagement rules (bus, SES)
 *
 * Every Lambda function comes from the registry in `lib/infra/functions.ts`, built by one factory.
 */
import { CfnOutput, Duration, Lazy, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { version as packageVersion } from '../../package.json';
import type { AppConfig } from './config';
import { AccountStore } from './constructs/account-store';
import { connectDirectMail, directMailWebhooks } from './constructs/direct-mail';
import { AdsSync } from './constructs/ads-sync';
import { ProgramTriggers } from './constructs/programs';
import { CrmSync } from './constructs/crm-sync';
import { AbmApi } from './constructs/api';
import { baseFunctionFactory } from './constructs/base-function';
import { sendingPausedAlarm } from './constructs/alarms';
import { EngagementRules } from './constructs/engagement-rules';
import { EngagementBus } from './constructs/event-bus';
import { CampaignLauncher } from './constructs/launcher';
import { ConsoleSite } from './constructs/console-site';
import { Scorer } from './constructs/scorer';
import { SequenceEngine } from './constructs/sequence-engine';
import { acknowledgeGrantWildcards } from './constructs/nag';
import { audienceKinds } from '../../functions/kernel/ads-providers';
import { ENV } from '../../functions/platform/env';
import { LAMBDAS } from './functions';

export interface AbmStackProps extends StackProps {
  readonly config: AppConfig;
  /** Reported by GET /health; defaults to package.json's version. */
  readonly version?: string;
}

export class AbmStack extends Stack {
  public readonly store: AccountStore;
  public readonly events: EngagementBus;
  public readonly engine: SequenceEngine;
  public readonly launcher: CampaignLauncher;
  public readonly scorer: Scorer;
  public readonly engagement: EngagementRules;
  public readonly api: AbmApi;
  public readonly ads: AdsSync;
  public readonly programs: ProgramTriggers;
  public readonly crm: CrmSync;
  /** The web console (S3, CloudFront, Cognito, its JWT API) when `config.console.enabled`. */
  public readonly console?: ConsoleSite;
  /** Every alarm of the stack notifies this topic (and `alarmEmail`, when configured). */
  public readonly alarmTopic: Topic;

  constructor(scope: Construct, id: string, props: AbmStackProps) {
    super(scope, id, props);
    const { config } = props;
    const isDev = config.stage === 'dev';
    const removalPolicy = isDev ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const logRetention = config.logRetentionDays as RetentionDays;
    const version = props.version ?? packageVersion;
    const createFunction = baseFunctionFactory({ logRetention, removalPolicy });

    this.store = new AccountStore(this, 'AccountStore', { retain: !isDev });
    this.events = new EngagementBus(this, 'Events', {
      archiveRetention: config.eventArchiveDays ? Duration.days(config.eventArchiveDays) : undefined,
    });
    const table = this.store.table;
    const bus = this.events.bus;

    // The engine signs unsubscribe links that point at the API, which is built after it: the
    // URL is resolved lazily (no cycle: the HTTP API resource does not depend on its functions).
    const unsubscribeBaseUrl = Lazy.string({ produce: () => `${this.api.httpApi.apiEndpoint}/unsubscribe` });
    this.engine = new SequenceEngine(this, 'Engine', {
      table,
      bus,
      senderEmail: config.senderEmail,
      senderDomain: config.senderDomain,
      unsubscribeBaseUrl,
      maxSendRate: config.ses.maxSendRate,
      logRetention,
      removalPolicy,
      createFunction,
    });
    this.launcher = new CampaignLauncher(this, 'Launcher', {
      table,
      sequenceStateMachine: this.engine.stateMachine,
      createFunction,
      logRetention,
      removalPolicy,
    });
    // The scorer decides with these; the API shows the MQA progress against the same.
    const scoringConfig = { mqa: config.mqa };
    this.scorer = new Scorer(this, 'Scorer', {
      table,
      bus,
      stateMachine: this.engine.stateMachine,
      createFunction,
      scoringConfig,
    });
    this.engagement = new EngagementRules(this, 'Engagement', {
      table,
      bus,
      scorerBuffer: this.scorer.bufferQueue,
      createFunction,
      configurationSet: this.engine.configurationSet,
      reputation: config.reputation,
      unsubscribeBaseUrl,
    });
    // The audience sync: always deployed (with no provider configured it has nothing to send).
    this.ads = new AdsSync(this, 'Ads', { table, bus, createFunction, providers: config.providers.ads });
    this.programs = new ProgramTriggers(this, 'Programs', {
      table,
      bus,
      sequenceStateMachine: this.engine.stateMachine,
      createFunction,
    });
    // The CRM task sync and completion poll: always deployed, like the audience sync.
    const crm = config.providers.crm;
    this.crm = new CrmSync(this, 'Crm', { table, bus, createFunction, provider: crm });
    const health = createFunction(this, 'Health', {
      ...LAMBDAS.health,
      environment: { [ENV.version]: version },
      memorySize: 128,
      timeoutSeconds: 3,
    });
    const mailWebhooks = directMailWebhooks(config.providers.directMail);
    this.api = new AbmApi(this, 'Api', {
      table,
      bus,
      createFunction,
      sequenceStateMachine: this.engine.stateMachine,
      launcher: this.launcher,
      auth: config.api.auth,
      throttle: config.api.throttle,
      publicThrottle: config.api.publicThrottle,
      reservedConcurrency: config.api.reservedConcurrency,
      version,
      icp: config.icp,
      coverage: config.coverage,
      reputation: config.reputation,
      adsAudiences: audienceKinds(config.providers.ads),
      scoringConfig,
      maxSendRate: config.ses.maxSendRate,
      launchMaxUsd: config.launch.maxUsd,
      testSend: {
        environment: this.engine.emailEnvironment,
        grant: (fn) => this.engine.grantSendEmail(fn),
      },
      // The mail receivers verify with their webhook secret; the CRM's with its webhook secret, and it
      // reads the access secret (a deal's company).
      webhooks: {
        ...mailWebhooks,
        crmProvider: crm,
        secretNames: [...mailWebhooks.secretNames, ...(crm ? [crm.webhookSecretName, crm.secretName] : [])],
      },
      healthFunction: health,
      unsubscribeSecret: this.engine.unsubscribeSecret,
      logRetention,
      removalPolicy,
    });

    if (config.console.enabled)
      this.console = new ConsoleSite(this, 'Console', {
        api: this.api,
        domainName: config.console.domainName,
        certificateArn: config.console.certificateArn,
        logRetentionDays: config.logRetentionDays,
        removalPolicy,
      });

    // Direct mail: ordered by the engine, cancelled by whoever ends an enrollment (exit, stop).
    connectDirectMail(
      [this.engine.executeStep, this.scorer.scoreFunction, this.api.function],
      config.providers.directMail,
    );

    const alarms: Alarm[] = [
      this.engine.failedExecutionsAlarm,
      this.engine.wakeDeadLetterAlarm,
      this.launcher.failedExecutionsAlarm,
      ...this.scorer.deadLetterAlarms,
      this.scorer.rescoreFailedAlarm,
      this.engagement.deadLetterAlarm,
      this.engagement.normaliserFailureAlarm,
      ...this.ads.deadLetterAlarms,
      ...this.programs.deadLetterAlarms,
      ...this.crm.alarms,
    ];
    this.alarmTopic = new Topic(this, 'Alarms', {
      displayName: 'ABM orchestrator alarms',
      masterKey: new Key(this, 'AlarmsKey', {
        description: 'Encrypts the ABM alarm topic',
        enableKeyRotation: true,
        removalPolicy,
      }),
      enforceSSL: true,
    });
    // CloudWatch publishes alarm notifications to the encrypted topic.
    this.alarmTopic.masterKey?.grant(
      new ServicePrincipal('cloudwatch.amazonaws.com'),
      'kms:Decrypt',
      'kms:GenerateDataKey*',
    );
    // `enforceSSL` gives the topic a resource policy holding only the TLS deny, so CloudWatch (which
    // publishes as the cloudwatch.amazonaws.com service principal) must be allowed explicitly, scoped
    // to this account and to these alarms (the confused-deputy guard AWS recommends):
    // https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html
    this.alarmTopic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.alarmTopic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnLike: { 'aws:SourceArn': alarms.map((alarm) => alarm.alarmArn) },
        },
      }),
    );
    if (config.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(config.alarmEmail));
    for (const alarm of alarms) alarm.addAlarmAction(new SnsAction(this.alarmTopic));
    sendingPausedAlarm(this, 'SendingPausedAlarm', {
      bus,
      topic: this.alarmTopic,
      deadLetterQueue: this.engagement.deadLetterQueue,
    });

    // Last, once every grant is made: acknowledge the reviewed wildcards those grants produced.
    acknowledgeGrantWildcards(this);

    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'EventBusName', { value: bus.eventBusName });
    new CfnOutput(this, 'SequenceStateMachineArn', { value: this.engine.stateMachine.stateMachineArn });
  }
}
