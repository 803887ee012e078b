/**
 * Local-mode settings, from the environment (docs/architecture.md "Local mode"). Bad values fail at start with a
 * message naming the variable.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as z from 'zod';
import type { AdsProviderSettings } from '../../functions/kernel/ads-providers';
import type { CrmProviderSettings } from '../../functions/kernel/crm-provider';
import type { DirectMailSettings } from '../../functions/kernel/direct-mail-providers';
import { ReputationConfig } from '../../functions/kernel/reputation';
import type { CoverageConfig } from '../../functions/kernel/coverage';
import { readSecretsFile, type ProviderSecrets } from '../../functions/platform/providers/secrets';
import { ConfigError, parseConfig } from '../infra/config';
import { CLOCK_MODES, DEFAULT_CLOCK_START, type ClockMode } from './clock';
import { MaxSendRate } from '../../functions/kernel/send-rate';

const Port = z.coerce.number().int().min(0).max(65535);

const EnvSchema = z.object({
  ABM_PORT: Port.default(4000),
  ABM_SES_PORT: Port.default(8005),
  ABM_DATA_DIR: z.string().min(1).default('.abm-data'),
  ABM_API_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  /** interactive | simulate | scaled; unset: scaled when ABM_TIME_SCALE is set, else interactive. */
  ABM_CLOCK: z.enum(CLOCK_MODES).optional(),
  /** Simulated seconds per real second (scaled mode). */
  ABM_TIME_SCALE: z.coerce.number().positive().max(10_000_000).optional(),
  /** Where simulate mode starts (ISO 8601 with an offset); later starts continue from the data folder. */
  ABM_CLOCK_START: z.iso.datetime({ offset: true }).default(DEFAULT_CLOCK_START),
  ABM_HOST: z.string().default('127.0.0.1'),
  /**
   * cdk.json's `config.ses.maxSendRate`, per second of local mode's clock: local SES accepts no
   * more (ThrottlingException past it) and the engine paces its email to it. Unlimited when unset.
   */
  ABM_SES_MAX_SEND_RATE: z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined || text.trim() === '') return undefined;
      const parsed = MaxSendRate.safeParse(Number(text));
      if (parsed.success) return parsed.data;
      ctx.addIssue({ code: 'custom', message: `sends per second, a number in (0, 1000]: ${text}` });
      return z.NEVER;
    }),
  /** JSON, the shape of cdk.json's `config.reputation`: the sender reputation breaker. */
  ABM_REPUTATION: z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined || text.trim() === '') return ReputationConfig.parse({});
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not valid JSON' });
        return z.NEVER;
      }
      const parsed = ReputationConfig.safeParse(json);
      if (parsed.success) return parsed.data;
      for (const i of parsed.error.issues)
        ctx.addIssue({ code: 'custom', message: `${i.path.join('.') || '(root)'}: ${i.message}` });
      return z.NEVER;
    }),
});

export interface LocalSettings {
  port: number;
  sesPort: number;
  host: string;
  dataDir: string;
  apiToken: string;
  /** Whether the token was generated (and saved in the data folder) rather than given. */
  tokenGenerated: boolean;
  /** The clock (lib/local/clock.ts): its mode, its scale (scaled mode) and where a simulation starts. */
  clock: { mode: ClockMode; scale: number; start: number };
  /** The sender reputation breaker's window and thresholds (ABM_REPUTATION, validated; defaults). */
  reputation: ReputationConfig;
  /**
   * The ad providers of the deployment's configuration (`providers.ads`): from the JSON file named
   * by ABM_CONFIG (the `config` object itself), else cdk.json's `context.config` in the working
   * folder, validated as synth validates it; none when neither exists.
   */
  adsProviders: AdsProviderSettings[];
  /** The roles each tier's committee needs (`coverage` of the same configuration); defaults when absent. */
  coverage?: CoverageConfig;
  /**
   * `launch.maxUsd` of the same configuration: a launch whose forecast costs more is refused (409
   * `over_budget`) without `confirm`; no cap when absent.
   */
  launchMaxUsd?: number;
  /** The CRM of the same configuration (`providers.crm`), when it names one. */
  crmProvider?: CrmProviderSettings;
  /**
   * The direct-mail provider of the same configuration (`providers.directMail`); the default
   * provider when absent. Lob or PostGrid without `baseUrl` is served by its local double.
   */
  directMail?: DirectMailSettings;
  /** Where the configuration came from (for the start banner), when it came from somewhere. */
  configSource?: string;
  /** The providers' secrets: the JSON file named by ABM_SECRETS (secretName -> value); none when unset. */
  providerSecrets?: ProviderSecrets;
  /** SES's sending rate, per second of local mode's clock (ABM_SES_MAX_SEND_RATE); unlimited when absent. */
  sesMaxSendRate?: number;
}

export class SettingsError extends Error {}

/** Scaled mode's speed when ABM_TIME_SCALE is not set (ABM_CLOCK=scaled): one simulated day per second. */
export const DEFAULT_TIME_SCALE = 86_400;

/** The data folder holds the token and the keys: created owner-only (0700), its parents as usual. */
export function makeOwnerOnlyDir(dir: string): void {
  if (existsSync(dir)) return;
  mkdirSync(path.dirname(dir), { recursive: true });
  mkdirSync(dir, { mode: 0o700 });
  chmodSync(dir, 0o700); // whatever the umask
}

export function readSettings(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): LocalSettings {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new SettingsError(`Invalid local-mode settings:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  const mode: ClockMode = e.ABM_CLOCK ?? (e.ABM_TIME_SCALE !== undefined ? 'scaled' : 'interactive');
  if (mode === 'simulate' && e.ABM_TIME_SCALE !== undefined)
    throw new SettingsError(
      'Invalid local-mode settings:\n  ABM_CLOCK=simulate and ABM_TIME_SCALE cannot go together: ' +
        'a simulation moves only when advanced (POST /_local/clock/advance); unset ABM_TIME_SCALE or use ABM_CLOCK=scaled',
    );
  const dataDir = path.resolve(cwd, e.ABM_DATA_DIR);
  makeOwnerOnlyDir(dataDir);
  let apiToken = e.ABM_API_TOKEN;
  let tokenGenerated = false;
  if (!apiToken) {
    // Generated once and kept with the data, so the CLI keeps working across restarts.
    const tokenFile = path.join(dataDir, 'api-token');
    if (existsSync(tokenFile)) apiToken = readFileSync(tokenFile, 'utf8').trim();
    if (!apiToken) {
      apiToken = randomBytes(24).toString('base64url');
      writeFileSync(tokenFile, `${apiToken}\n`, { mode: 0o600 });
    }
    tokenGenerated = true;
  }
  return {
    port: e.ABM_PORT,
    sesPort: e.ABM_SES_PORT,
    host: e.ABM_HOST,
    dataDir,
    apiToken,
    tokenGenerated,
    clock: {
      mode,
      scale: mode === 'scaled' ? (e.ABM_TIME_SCALE ?? DEFAULT_TIME_SCALE) : 1,
      start: Date.parse(e.ABM_CLOCK_START),
    },
    reputation: e.ABM_REPUTATION,
    sesMaxSendRate: e.ABM_SES_MAX_SEND_RATE,
    ...readConfig(env, cwd),
  };
}

/** The deployment's configuration as local mode reads it (ABM_CONFIG, else cdk.json), validated. */
function readConfig(
  env: NodeJS.ProcessEnv,
  cwd: string,
): Pick<
  LocalSettings,
  | 'adsProviders'
  | 'coverage'
  | 'launchMaxUsd'
  | 'crmProvider'
  | 'directMail'
  | 'configSource'
  | 'providerSecrets'
> {
  let source: string | undefined;
  let config: unknown;
  const fail = (message: string): never => {
    throw new SettingsError(`Invalid local-mode settings:\n  ${message}`);
  };
  const readJson = (file: string, what: string): unknown => {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as unknown;
    } catch (err) {
      return fail(`${what}: cannot read ${file} as JSON (${(err as Error).message})`);
    }
  };
  if (env.ABM_CONFIG) {
    source = path.resolve(cwd, env.ABM_CONFIG);
    config = readJson(source, 'ABM_CONFIG');
  } else if (existsSync(path.join(cwd, 'cdk.json'))) {
    source = path.join(cwd, 'cdk.json');
    config = (readJson(source, 'cdk.json') as { context?: { config?: unknown } }).context?.config;
    if (config === undefined) source = undefined;
  }
  let adsProviders: AdsProviderSettings[] = [];
  let coverage: CoverageConfig | undefined;
  let launchMaxUsd: number | undefined;
  let crmProvider: CrmProviderSettings | undefined;
  let directMail: DirectMailSettings | undefined;
  if (source) {
    try {
      const parsed = parseConfig({ stage: 'dev', config });
      adsProviders = parsed.providers.ads;
      crmProvider = parsed.providers.crm;
      directMail = parsed.providers.directMail;
      coverage = parsed.coverage;
      launchMaxUsd = parsed.launch.maxUsd;
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      fail(`${source}:\n    ${err.issues.join('\n    ')}`);
    }
  }
  let providerSecrets: ProviderSecrets | undefined;
  if (env.ABM_SECRETS) {
    try {
      providerSecrets = readSecretsFile(path.resolve(cwd, env.ABM_SECRETS));
    } catch (err) {
      fail((err as Error).message);
    }
  }
  return {
    adsProviders,
    ...(coverage ? { coverage } : {}),
    ...(launchMaxUsd !== undefined ? { launchMaxUsd } : {}),
    ...(crmProvider ? { crmProvider } : {}),
    ...(directMail ? { directMail } : {}),
    ...(source ? { configSource: source } : {}),
    ...(providerSecrets ? { providerSecrets } : {}),
  };
}
