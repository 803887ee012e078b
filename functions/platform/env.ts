/**
 * Environment read once at cold start. A handler module calls `requireEnv` at module scope, so a
 * missing variable fails the init phase with one clear message instead of a confusing error later.
 */

export class MissingEnvironmentError extends Error {
  constructor(readonly missing: readonly string[]) {
    super(`Missing required environment variable(s): ${missing.join(', ')}`);
    this.name = 'MissingEnvironmentError';
  }
}

export type RequiredEnv<K extends string> = { readonly [P in K]: string };

/**
 * Returns the named variables as a frozen, typed object, or throws naming every missing (or empty) one.
 * @example const env = requireEnv(['TABLE_NAME', 'BUS_NAME']); env.TABLE_NAME // string
 */
export function requireEnv<const K extends string>(
  names: readonly K[],
  source: NodeJS.ProcessEnv = process.env,
): RequiredEnv<K> {
  const missing = names.filter((name) => (source[name] ?? '').trim() === '');
  if (missing.length > 0) throw new MissingEnvironmentError(missing);
  const values = Object.fromEntries(names.map((name) => [name, source[name] as string]));
  return Object.freeze(values) as RequiredEnv<K>;
}

/**
 * The environment variables of every Lambda function, named once: the CDK constructs set them
 * (lib/infra/constructs) and `environmentConfig` reads them, so the two cannot drift.
 */
/** The version GET /health reports (its own constant: the health function reads nothing else). */
export const ENV_VERSION = 'ABM_VERSION';

export const ENV = {
  tableName: 'TABLE_NAME',
  busName: 'BUS_NAME',
  version: ENV_VERSION,
  sequenceStateMachineArn: 'SEQUENCE_STATE_MACHINE_ARN',
  launcherStateMachineArn: 'LAUNCHER_STATE_MACHINE_ARN',
  audienceBucket: 'AUDIENCE_BUCKET',
  scorerQueueUrl: 'SCORER_QUEUE_URL',
  unsubscribeSecretId: 'UNSUBSCRIBE_SECRET_ID',
  senderEmail: 'SENDER_EMAIL',
  senderName: 'SENDER_NAME',
  unsubscribeBaseUrl: 'UNSUBSCRIBE_BASE_URL',
  sesConfigurationSet: 'SES_CONFIGURATION_SET',
  defaultSdrOwner: 'DEFAULT_SDR_OWNER',
  /** JSON: overrides of the default scoring configuration (e.g. the MQA thresholds of cdk.json). */
  scoringConfig: 'SCORING_CONFIG',
  /** JSON: the ideal-customer profile of cdk.json, for fit scores on import. */
  icp: 'ABM_ICP',
  /** JSON: cdk.json's `config.coverage` (the roles each tier's committee needs). */
  coverage: 'ABM_COVERAGE',
  /** JSON: cdk.json's `config.reputation` (the sender reputation breaker's window and thresholds). */
  reputation: 'ABM_REPUTATION',
  /** JSON: cdk.json's `config.providers.ads` (the audience sync's providers and their lists). */
  adsProviders: 'ABM_ADS_PROVIDERS',
  /** JSON: the audience names those providers map, with the member kinds (the router's check of ads steps). */
  adsAudiences: 'ABM_ADS_AUDIENCES',
  /** JSON: cdk.json's `config.providers.directMail` (the print-and-mail provider, its pieces, its webhook secret). */
  directMailProvider: 'ABM_DIRECT_MAIL_PROVIDER',
  /** JSON: cdk.json's `config.providers.crm` (the CRM, its owners and stage mapping, its webhook secret). */
  crmProvider: 'ABM_CRM_PROVIDER',
  /** cdk.json's `config.ses.maxSendRate`: the SES account's sends per second the email channel paces to. */
  sesMaxSendRate: 'SES_MAX_SEND_RATE',
  /** The launch forecast's Lambda function (the router invokes it for dry runs). */
  forecastFunctionName: 'FORECAST_FUNCTION_NAME',
  /** The function that compiles a template saved without its compiled form (ExecuteStep invokes it). */
  templateCompilerFunctionName: 'TEMPLATE_COMPILER_FUNCTION_NAME',
  /** ExecuteStep's wake schedules (functions/platform/wake.ts): their group, role and dead-letter queue. */
  wakeScheduleGroup: 'WAKE_SCHEDULE_GROUP',
  wakeRoleArn: 'WAKE_ROLE_ARN',
  wakeDeadLetterArn: 'WAKE_DEAD_LETTER_ARN',
  /** cdk.json's `config.launch.maxUsd`: a launch forecast to cost more is refused without `confirm`. */
  launchMaxUsd: 'LAUNCH_MAX_USD',
} as const;
export type EnvKey = keyof typeof ENV;
