/**
 * Deployment configuration: read from `cdk.json` context (`stage` and `config`), validated with zod.
 * Any missing or malformed value fails synth with a message naming the key, e.g.
 * `config.senderEmail: Invalid email address`.
 *
 * `parseConfig` is pure (no `process.env`, no file reads) so tests can drive it directly;
 * `bin/app.ts` passes the CDK CLI's default account in through `defaults`.
 */
import * as z from 'zod';
import { DEFAULT_ICP, Icp } from '../../functions/api/domain/fit';
import { AdsProvidersConfig } from '../../functions/kernel/ads-providers';
import { CoverageConfig } from '../../functions/kernel/coverage';
import { CrmProviderSettings } from '../../functions/kernel/crm-provider';
import { DEFAULT_DIRECT_MAIL, DirectMailSettings } from '../../functions/kernel/direct-mail-providers';
import { ReputationConfig } from '../../functions/kernel/reputation';
import { MaxSendRate } from '../../functions/kernel/send-rate';

export const STAGES = ['dev', 'staging', 'prod'] as const;
export type Stage = (typeof STAGES)[number];

/** Retention periods CloudWatch Logs accepts (days). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const DEFAULT_REGION = 'us-east-1';

/** A DNS name such as `mail.example.com` (no scheme, no trailing dot). */
const Hostname = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i, 'Invalid domain name');

const Mqa = z
  .object({
    minScore: z.number().positive().default(60),
    minEngagedContacts: z.number().int().min(1).default(3),
    minEngagedRoles: z.number().int().min(1).default(3),
  })
  .strict();

const ApiAuth = z.union(
  [
    z.literal('iam'),
    z
      .object({
        jwt: z
          .object({
            issuer: z.url({ protocol: /^https$/, error: 'Invalid issuer (an https URL)' }),
            audience: z.array(z.string().min(1)).min(1),
          })
          .strict(),
      })
      .strict(),
  ],
  { error: "Expected 'iam' or { jwt: { issuer, audience } }" },
);

const Env = z
  .object({
    account: z
      .string()
      .regex(/^\d{12}$/, 'Invalid AWS account id (12 digits)')
      .optional(),
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'Invalid AWS region')
      .optional(),
  })
  .strict();

/**
 * API Gateway stage or route throttling (token bucket: steady requests per second, burst); targets,
 * not guarantees: https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-throttling.html
 */
const Throttle = z
  .object({
    rateLimit: z.number().positive().max(10_000),
    burstLimit: z.number().int().min(1).max(5_000),
  })
  .strict();
export const DEFAULT_THROTTLE = { rateLimit: 100, burstLimit: 200 };
export const DEFAULT_PUBLIC_THROTTLE = { rateLimit: 10, burstLimit: 20 };

/**
 * The web console on AWS (lib/infra/constructs/console-site.ts): a private S3 bucket behind
 * CloudFront, users signed in by a Cognito user pool. `domainName` with `certificateArn` (an ACM
 * certificate in us-east-1, as CloudFront requires) serves it under your own name; without them it is
 * on the distribution's cloudfront.net name.
 */
const ConsoleSettings = z
  .object({
    enabled: z.boolean().default(false),
    domainName: Hostname.optional(),
    certificateArn: z
      .string()
      .regex(
        /^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]{36}$/,
        'Invalid certificate ARN (CloudFront takes ACM certificates in us-east-1 only)',
      )
      .optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if ((c.domainName === undefined) !== (c.certificateArn === undefined))
      ctx.addIssue({
        code: 'custom',
        path: [c.domainName === undefined ? 'domainName' : 'certificateArn'],
        message: 'domainName and certificateArn go together (the certificate must cover the domain)',
      });
  });

const ConfigSchema = z
  .object({
    /** Verified SES sender identity, e.g. `campaigns@example.com`. */
    senderEmail: z.email(),
    /** Domain identity to verify for DKIM; defaults to none (email identity only). */
    senderDomain: Hostname.optional(),
    /** Where alarms are sent; no subscription when omitted. */
    alarmEmail: z.email().optional(),
    mqa: Mqa.default({ minScore: 60, minEngagedContacts: 3, minEngagedRoles: 3 }),
    api: z
      .object({
        auth: ApiAuth.default('iam'),
        /** Throttling of every route of the HTTP API's stage. */
        throttle: Throttle.default(DEFAULT_THROTTLE),
        /** Throttling of each public route (GET /health, GET|POST /unsubscribe): anonymous traffic. */
        publicThrottle: Throttle.default(DEFAULT_PUBLIC_THROTTLE),
        /**
         * Reserved concurrency of the API router, so API traffic cannot take the concurrency the
         * engine and scorer need. Opt-in: Lambda keeps 100 of an account's concurrency unreserved,
         * and a new account's quota may be as low as 10, so a default could fail the first deploy.
         */
        reservedConcurrency: z.number().int().min(1).max(10_000).optional(),
      })
      .strict()
      .default({ auth: 'iam', throttle: DEFAULT_THROTTLE, publicThrottle: DEFAULT_PUBLIC_THROTTLE }),
    providers: z
      .object({
        /**
         * The ad platforms audiences sync to (functions/kernel/ads-providers.ts, README "Connect
         * your ad accounts"); none by default: ads steps then only publish `ads.audience.changed`.
         */
        ads: AdsProvidersConfig.default([]),
        /**
         * The print-and-mail provider (functions/kernel/direct-mail-providers.ts, README "Connect
         * direct mail"): `eventbridge` by default (direct-mail steps publish `direct_mail.requested`).
         */
        directMail: DirectMailSettings.default(DEFAULT_DIRECT_MAIL),
        /**
         * The CRM SDR tasks are created in and sales stages come from (functions/kernel/crm-provider.ts,
         * README "Connect your CRM"); none by default: tasks stay in the API and the CLI.
         */
        crm: CrmProviderSettings.optional(),
      })
      .strict()
      .default({ ads: [], directMail: DEFAULT_DIRECT_MAIL }),
    logRetentionDays: z
      .number()
      .int()
      .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
        message: `Invalid retention (one of ${LOG_RETENTION_DAYS.join(', ')})`,
      })
      .default(30),
    /**
     * The roles each tier's committee needs (functions/kernel/coverage.ts): an account missing one
     * gets an SDR research task. Defaults: tier 1 the five core roles, tier 2 buyer and champion,
     * tier 3 none.
     */
    coverage: CoverageConfig.optional(),
    /** The ideal-customer profile for fit scoring and suggested tiers on import (functions/api/domain/fit.ts). */
    icp: Icp.default(DEFAULT_ICP),
    /**
     * The sender reputation circuit breaker: per sending domain, the hard-bounce and complaint rates
     * of the last `windowHours` hours, judged from `minSends` sends on (functions/kernel/reputation.ts).
     */
    reputation: ReputationConfig.default(ReputationConfig.parse({})),
    /**
     * SES sending. `maxSendRate`: the sends per second the email channel paces to (a token per
     * slot in the table; functions/kernel/send-rate.ts): the account's maximum sending rate in
     * this Region (`aws sesv2 get-account`, SendQuota.MaxSendRate: 1 in the sandbox), or this
     * stage's share of it when stages share an account. No pacing when omitted (a throttled send
     * is still deferred and tried again, never failed).
     */
    ses: z.object({ maxSendRate: MaxSendRate.optional() }).strict().default({}),
    /**
     * Launches. `maxUsd`: a launch whose forecast (docs/api.md "Forecast") costs more is refused with
     * 409 `over_budget` unless its body says `confirm: true`; no cap when omitted.
     */
    launch: z
      .object({ maxUsd: z.number().positive().max(1_000_000_000).optional() })
      .strict()
      .default({}),
    /** The web console on AWS (README "Open the console"); not deployed unless `enabled`. */
    console: ConsoleSettings.default({ enabled: false }),
    /** Keep an EventBridge archive of the bus for this many days (replay); no archive when omitted. */
    eventArchiveDays: z.number().int().min(1).max(3650).optional(),
    env: Env.default({}),
  })
  .strict();

const ContextSchema = z.object({
  stage: z.enum(STAGES),
  config: ConfigSchema,
});

type ParsedContext = z.infer<typeof ContextSchema>;
type ParsedConfig = ParsedContext['config'];

export type ApiAuth = z.infer<typeof ApiAuth>;
export type ThrottleSettings = z.infer<typeof Throttle>;
export type ConsoleSettings = z.infer<typeof ConsoleSettings>;
export type { DirectMailSettings };
export type MqaThresholds = z.infer<typeof Mqa>;
export type { ReputationConfig };

export interface AppConfig extends Omit<ParsedConfig, 'env'> {
  readonly stage: Stage;
  /** The CDK `env` of the stack: region defaults to us-east-1, account to the CLI's default account. */
  readonly env: { readonly account?: string; readonly region: string };
}

/** Thrown when the context is invalid; the message lists every bad key, one per line. */
export class ConfigError extends Error {
  constructor(readonly issues: readonly string[]) {
    super(`Invalid cdk.json context:\n${issues.map((i) => `  ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface ConfigDefaults {
  /** Usually `process.env.CDK_DEFAULT_ACCOUNT`. */
  readonly account?: string;
}

/** Reads a context value that the CDK CLI may hand over as a JSON string (`-c config='{...}'`). */
function maybeJson(key: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    throw new ConfigError([`${key}: Invalid JSON`]);
  }
}

/**
 * Validates the `stage` and `config` context values and returns the typed configuration.
 * @param context an object holding at least `stage` and `config` (for example `app.node.getAllContext()`)
 */
export function parseConfig(context: Record<string, unknown>, defaults: ConfigDefaults = {}): AppConfig {
  const input = { stage: context.stage, config: maybeJson('config', context.config) };
  const result = ContextSchema.safeParse(input, {
    error: (issue) => (issue.input === undefined ? 'Required' : undefined),
  });
  if (!result.success) {
    throw new ConfigError(result.error.issues.flatMap((issue) => describe(issue, [])));
  }
  const { stage, config } = result.data;
  const account = config.env.account ?? nonEmpty(defaults.account);
  return {
    ...config,
    stage,
    env: { ...(account ? { account } : {}), region: config.env.region ?? DEFAULT_REGION },
  };
}

/** One line per bad key; unions report the branch that got furthest, unknown keys are named. */
function describe(issue: z.core.$ZodIssue, prefix: readonly PropertyKey[]): string[] {
  const path = [...prefix, ...issue.path];
  const key = (extra: readonly PropertyKey[] = []) => [...path, ...extra].map(String).join('.') || '(root)';
  if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => `${key([k])}: Unknown key`);
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    // The branch whose issues sit deepest is the one the user was trying to write.
    const depth = (branch: readonly z.core.$ZodIssue[]) => Math.max(...branch.map((i) => i.path.length));
    const best = [...issue.errors].sort((a, b) => depth(b) - depth(a))[0];
    if (best && depth(best) > 0) return best.flatMap((i) => describe(i, path));
  }
  return [`${key()}: ${issue.message}`];
}

function nonEmpty(value: string | undefined): string | undefined {
  return value && value.trim() !== '' ? value : undefined;
}
