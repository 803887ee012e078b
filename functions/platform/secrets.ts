/**
 * Secrets behind a port: Lambda reads them from Secrets Manager once per cold start (cached),
 * local mode and tests pass the value. Used for the unsubscribe HMAC key.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { lazyClient, secretsManagerSdk } from './aws-sdk';
import { configuredPort } from './compose';

export interface SecretSource {
  getSecret(): Promise<string>;
}

export class StaticSecretSource implements SecretSource {
  constructor(private readonly value: string) {
    if (!value) throw new Error('StaticSecretSource: empty secret');
  }
  async getSecret(): Promise<string> {
    return this.value;
  }
}

/**
 * Reads a secret string once and caches it for the life of the execution environment (one read
 * per cold start). A failed read is not cached, so the next invocation tries again.
 */
export class SecretsManagerSecretSource implements SecretSource {
  private cached?: Promise<string>;
  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretId: string,
  ) {}

  getSecret(): Promise<string> {
    this.cached ??= this.read().catch((err) => {
      this.cached = undefined;
      throw err;
    });
    return this.cached;
  }

  private async read(): Promise<string> {
    const { GetSecretValueCommand } = secretsManagerSdk();
    const out = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId }));
    const value =
      out.SecretString ?? (out.SecretBinary ? Buffer.from(out.SecretBinary).toString('utf8') : '');
    if (!value) throw new Error(`secret ${this.secretId} is empty`);
    return value;
  }
}

/** The unsubscribe key port: the Secrets Manager secret named by `config.unsubscribeSecretId`. */
export const UNSUBSCRIBE_KEY = /* @__PURE__ */ configuredPort(
  'unsubscribeKey',
  'unsubscribeSecretId',
  (id) =>
    new SecretsManagerSecretSource(
      lazyClient(() => new (secretsManagerSdk().SecretsManagerClient)({})),
      id,
    ),
);
