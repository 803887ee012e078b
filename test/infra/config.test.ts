import { DEFAULT_ICP } from '../../functions/api/domain/fit';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../lib/infra/config';

const valid = { senderEmail: 'campaigns@example.com' };

function errorOf(context: Record<string, unknown>): ConfigError {
  try {
    parseConfig(context);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected parseConfig to throw');
}

describe('parseConfig', () => {
  it('applies the documented defaults', () => {
    const config = parseConfig({ stage: 'dev', config: valid });
    expect(config).toMatchObject({
      stage: 'dev',
      senderEmail: 'campaigns@example.com',
      mqa: { minScore: 60, minEngagedContacts: 3, minEngagedRoles: 3 },
      api: { auth: 'iam' },
      providers: { ads: { provider: 'eventbridge' }, directMail: { provider: 'eventbridge' } },
      logRetentionDays: 30,
      env: { region: 'us-east-1' },
    });
    expect(config.env.account).toBeUndefined();
    expect(config.senderDomain).toBeUndefined();
    expect(config.alarmEmail).toBeUndefined();
  });

  it('takes the account from the defaults unless the context sets one', () => {
    expect(parseConfig({ stage: 'prod', config: valid }, { account: '111122223333' }).env).toEqual({
      account: '111122223333',
      region: 'us-east-1',
    });
    const pinned = { ...valid, env: { account: '444455556666', region: 'eu-west-1' } };
    expect(parseConfig({ stage: 'prod', config: pinned }, { account: '111122223333' }).env).toEqual({
      account: '444455556666',
      region: 'eu-west-1',
    });
  });

  it('accepts a JWT authorizer, provider secret names and the config as a JSON string (-c config=...)', () => {
    const config = parseConfig({
      stage: 'staging',
      config: JSON.stringify({
        ...valid,
        api: { auth: { jwt: { issuer: 'https://id.example.com/', audience: ['abm'] } } },
        providers: { ads: { provider: 'linkedin', secretName: 'abm/ads/linkedin' } },
      }),
    });
    expect(config.api.auth).toEqual({ jwt: { issuer: 'https://id.example.com/', audience: ['abm'] } });
    expect(config.providers.ads).toEqual({ provider: 'linkedin', secretName: 'abm/ads/linkedin' });
    expect(config.providers.directMail).toEqual({ provider: 'eventbridge' });
  });

  it.each([
    ['missing sender', { stage: 'dev', config: {} }, 'config.senderEmail: Required'],
    ['missing stage', { config: valid }, 'stage: Required'],
    ['missing config', { stage: 'dev' }, 'config: Required'],
    [
      'malformed sender',
      { stage: 'dev', config: { senderEmail: 'nope' } },
      'config.senderEmail: Invalid email',
    ],
    ['unknown stage', { stage: 'qa', config: valid }, 'stage: Invalid option'],
    [
      'negative threshold',
      { stage: 'dev', config: { ...valid, mqa: { minScore: -5 } } },
      'config.mqa.minScore: Too small',
    ],
    [
      'fractional roles',
      { stage: 'dev', config: { ...valid, mqa: { minEngagedRoles: 1.5 } } },
      'config.mqa.minEngagedRoles:',
    ],
    [
      'bad retention',
      { stage: 'dev', config: { ...valid, logRetentionDays: 31 } },
      'config.logRetentionDays: Invalid retention',
    ],
    [
      'http issuer',
      {
        stage: 'dev',
        config: { ...valid, api: { auth: { jwt: { issuer: 'http://x.example', audience: ['a'] } } } },
      },
      'config.api.auth.jwt.issuer: Invalid issuer',
    ],
    [
      'unknown auth',
      { stage: 'dev', config: { ...valid, api: { auth: 'cognito' } } },
      "config.api.auth: Expected 'iam' or { jwt",
    ],
    [
      'credential in place of a secret name',
      { stage: 'dev', config: { ...valid, providers: { ads: { secretName: 'key: abc def' } } } },
      'config.providers.ads.secretName: Invalid secret name',
    ],
    [
      'unknown key (typo)',
      { stage: 'dev', config: { ...valid, senderEmial: 'x' } },
      'config.senderEmial: Unknown key',
    ],
    [
      'bad account',
      { stage: 'dev', config: { ...valid, env: { account: '12' } } },
      'config.env.account: Invalid',
    ],
    [
      'an ICP weight that is not a number',
      {
        stage: 'dev',
        config: { ...valid, icp: { ...DEFAULT_ICP, regions: { weight: 'high', values: ['na'] } } },
      },
      'config.icp.regions.weight:',
    ],
    ['bad JSON string', { stage: 'dev', config: '{oops' }, 'config: Invalid JSON'],
  ])('rejects %s naming the key', (_name, context, expected) => {
    const error = errorOf(context);
    expect(error.message).toContain(expected);
    expect(error.message).toMatch(/^Invalid cdk.json context:/);
  });

  it('reports every bad key at once', () => {
    const error = errorOf({ stage: 'x', config: { senderEmail: 'x', logRetentionDays: 2 } });
    expect(error.issues.map((i) => i.split(':')[0])).toEqual([
      'stage',
      'config.senderEmail',
      'config.logRetentionDays',
    ]);
  });
});
