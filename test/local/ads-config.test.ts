/**
 * Local mode reads the deployment's configuration (ABM_CONFIG, else cdk.json's `context.config`)
 * and validates `providers.ads` as synth does, naming the bad key; ABM_SECRETS maps secret names to
 * values (a SecretString, a JSON string or the parsed object).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startLocal } from '../../lib/local/runtime';
import { readSettings } from '../../lib/local/settings';
import { ADS_PROVIDERS_EXAMPLE } from '../support/ads-sync';

const folder = () => mkdtempSync(path.join(tmpdir(), 'abm-ads-config-'));
const config = (ads: unknown) => ({ senderEmail: 'campaigns@example.com', providers: { ads } });
const TOKEN = 'ads-config-token-0123456789';

function withConfigFile(ads: unknown) {
  const dir = folder();
  const file = path.join(dir, 'abm-config.json');
  writeFileSync(file, JSON.stringify(config(ads)));
  return { dir, env: { ABM_DATA_DIR: dir, ABM_API_TOKEN: TOKEN, ABM_CONFIG: file } };
}

describe('local mode configuration', () => {
  it('reads ABM_CONFIG (the config object itself)', () => {
    const { dir, env } = withConfigFile(ADS_PROVIDERS_EXAMPLE);
    const s = readSettings(env, dir);
    expect(s.adsProviders).toEqual(ADS_PROVIDERS_EXAMPLE);
    expect(s.configSource).toBe(env.ABM_CONFIG);
  });

  it("reads cdk.json's context.config from the working folder when ABM_CONFIG is not set", () => {
    const dir = folder();
    writeFileSync(
      path.join(dir, 'cdk.json'),
      JSON.stringify({ context: { stage: 'dev', config: config([ADS_PROVIDERS_EXAMPLE[1]]) } }),
    );
    expect(readSettings({ ABM_API_TOKEN: TOKEN }, dir).adsProviders.map((p) => p.provider)).toEqual(['meta']);
    expect(readSettings({ ABM_API_TOKEN: TOKEN }, folder()).adsProviders).toEqual([]);
  });

  it.each([
    [
      'an unknown provider',
      [{ ...ADS_PROVIDERS_EXAMPLE[1], provider: 'tiktok' }],
      'config.providers.ads.0.provider: Unknown provider',
    ],
    [
      'a missing secret name',
      [{ ...ADS_PROVIDERS_EXAMPLE[1], secretName: undefined }],
      'config.providers.ads.0.secretName: Required',
    ],
    [
      'the old object form',
      { provider: 'eventbridge' },
      'config.providers.ads: Expected an array of ad providers',
    ],
  ])('fails at start on %s, naming the key', (_name, ads, message) => {
    const { dir, env } = withConfigFile(ads);
    expect(() => readSettings(env, dir)).toThrow(message);
  });

  it('reads ABM_SECRETS: a SecretString, a JSON string or an object per secret name', async () => {
    const dir = folder();
    const file = path.join(dir, 'secrets.json');
    writeFileSync(
      file,
      JSON.stringify({
        'abm/meta': { accessToken: 'm' },
        'abm/linkedin': '{"accessToken":"l"}',
        plain: 'token',
      }),
    );
    const secrets = readSettings({ ABM_API_TOKEN: TOKEN, ABM_SECRETS: file }, dir).providerSecrets!;
    expect(await secrets.get('abm/meta')).toEqual({ accessToken: 'm' });
    expect(await secrets.get('abm/linkedin')).toEqual({ accessToken: 'l' });
    expect(await secrets.get('plain')).toBe('token');
    await expect(secrets.get('abm/google')).rejects.toThrow('no secret abm/google');
    writeFileSync(file, '[1]');
    expect(() => readSettings({ ABM_API_TOKEN: TOKEN, ABM_SECRETS: file }, dir)).toThrow('ABM_SECRETS');
  });

  it('serves a provider without baseUrl from its own in-process double, and stops it with local mode', async () => {
    const { dir, env } = withConfigFile([ADS_PROVIDERS_EXAMPLE[1]]);
    const rt = await startLocal(readSettings({ ...env, ABM_PORT: '0', ABM_SES_PORT: '0' }, dir), {
      quiet: true,
    });
    try {
      const res = await fetch(`${rt.url}/_local/providers`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { providers: { provider: string }[] };
      expect(body.providers.map((p) => p.provider)).toEqual(['meta']);
    } finally {
      await rt.stop();
    }
  });
});
