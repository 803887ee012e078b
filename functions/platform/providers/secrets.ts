/**
 * Provider credentials behind a port (README "Connect your ad accounts"): each provider's
 * `secretName` names a secret whose value is a JSON object (an access token, OAuth fields).
 *
 * - On AWS: Secrets Manager `GetSecretValue`, once per secret per execution environment (cached; a
 *   failed read is not cached, so the next call tries again). The function's role may read only the
 *   configured secret names (lib/infra/constructs/ads-sync.ts).
 * - Locally: the JSON file named by `ABM_SECRETS`, mapping each secretName to its value: the
 *   SecretString, a JSON string, or the parsed object.
 */
import { readFileSync } from 'node:fs';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { secretsManagerSdk } from '../aws-sdk';
import { port } from '../compose';

export interface ProviderSecrets {
  /** The secret's value: parsed JSON when it is JSON, else the string. Throws when there is none. */
  get(secretName: string): Promise<unknown>;
}

/** A SecretString as the adapters want it: the JSON object it holds, or the string itself. */
export function secretValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * Secrets Manager, cached per secret for the life of the execution environment.
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html
 */
export class SecretsManagerProviderSecrets implements ProviderSecrets {
  private readonly cache = new Map<string, Promise<unknown>>();
  private client?: Pick<SecretsManagerClient, 'send'>;
  constructor(client?: Pick<SecretsManagerClient, 'send'>) {
    this.client = client;
  }

  get(secretName: string): Promise<unknown> {
    let value = this.cache.get(secretName);
    if (!value) {
      value = this.read(secretName).catch((err: unknown) => {
        this.cache.delete(secretName);
        throw err;
      });
      this.cache.set(secretName, value);
    }
    return value;
  }

  private async read(secretName: string): Promise<unknown> {
    const { GetSecretValueCommand, SecretsManagerClient } = secretsManagerSdk();
    this.client ??= new SecretsManagerClient({});
    const out = await this.client.send(new GetSecretValueCommand({ SecretId: secretName }));
    const text = out.SecretString ?? (out.SecretBinary ? Buffer.from(out.SecretBinary).toString('utf8') : '');
    if (!text) throw new Error(`secret ${secretName} is empty`);
    return secretValue(text);
  }
}

/** The secrets of a map (local mode's ABM_SECRETS file, tests). */
export class StaticProviderSecrets implements ProviderSecrets {
  constructor(private readonly values: Readonly<Record<string, unknown>>) {}

  async get(secretName: string): Promise<unknown> {
    if (!Object.prototype.hasOwnProperty.call(this.values, secretName))
      throw new Error(`no secret ${secretName} (add it to the ABM_SECRETS file)`);
    const value = this.values[secretName];
    return typeof value === 'string' ? secretValue(value) : value;
  }
}

/** Reads the ABM_SECRETS file: a JSON object mapping each secretName to its value. */
export function readSecretsFile(file: string): StaticProviderSecrets {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`ABM_SECRETS: cannot read ${file} as JSON (${(err as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error(`ABM_SECRETS: ${file} must hold an object mapping each secretName to its value`);
  return new StaticProviderSecrets(parsed as Record<string, unknown>);
}

/** The provider secrets port: Secrets Manager on AWS; local mode and tests put a static map behind it. */
export const PROVIDER_SECRETS = /* @__PURE__ */ port(
  'providerSecrets',
  () => new SecretsManagerProviderSecrets(),
);
