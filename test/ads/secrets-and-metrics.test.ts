/**
 * The provider secrets port on AWS (Secrets Manager, read once per secret and cached; a failed read
 * is retried on the next call) and the sync's per-provider metrics as Powertools publishes them.
 */
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { CountingAdsMetrics } from '../../functions/ads';
import { SecretsManagerProviderSecrets } from '../../functions/platform/providers/secrets';

describe('SecretsManagerProviderSecrets', () => {
  it('reads each secret once, parses JSON, and does not cache a failure', async () => {
    const asked: string[] = [];
    let fail = true;
    const client = {
      send: async (command: GetSecretValueCommand) => {
        const id = command.input.SecretId!;
        asked.push(id);
        if (id === 'abm/google' && fail) {
          fail = false;
          throw new Error('throttled');
        }
        return { SecretString: id === 'abm/meta' ? '{"accessToken":"m"}' : 'plain-token' };
      },
    };
    const secrets = new SecretsManagerProviderSecrets(client as never);
    expect(await secrets.get('abm/meta')).toEqual({ accessToken: 'm' });
    expect(await secrets.get('abm/meta')).toEqual({ accessToken: 'm' });
    await expect(secrets.get('abm/google')).rejects.toThrow('throttled');
    expect(await secrets.get('abm/google')).toBe('plain-token');
    expect(asked).toEqual(['abm/meta', 'abm/google', 'abm/google']);
  });
});

describe('CountingAdsMetrics', () => {
  it('publishes one metric per provider and name, with the provider dimension, then starts again', () => {
    const emitted: { dimensions: Record<string, string>; name: string; value: number }[] = [];
    const powertools = {
      singleMetric() {
        const dimensions: Record<string, string> = {};
        return {
          addDimension: (k: string, v: string) => void (dimensions[k] = v),
          addMetric: (name: string, _unit: string, value: number) =>
            void emitted.push({ dimensions: { ...dimensions }, name, value }),
        };
      },
    };
    const m = new CountingAdsMetrics();
    m.count('meta', 'membersAdded', 3);
    m.count('meta', 'requests', 2);
    m.count('meta', 'throttles');
    m.count('google', 'failures', 1);
    m.publish(powertools as never);
    expect(emitted).toEqual([
      { dimensions: { provider: 'meta' }, name: 'membersAdded', value: 3 },
      { dimensions: { provider: 'meta' }, name: 'requests', value: 2 },
      { dimensions: { provider: 'meta' }, name: 'throttles', value: 1 },
      { dimensions: { provider: 'google' }, name: 'failures', value: 1 },
    ]);
    expect(m.totals()).toEqual({});
  });
});
