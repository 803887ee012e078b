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
      providers: { ads: [], directMail: { provider: 'eventbridge' } },
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
        providers: { ads: [{ provider: 'linkedin', secretName: 'abm/ads/linkedin', audiences: {} }] },
      }),
    });
    expect(config.api.auth).toEqual({ jwt: { issuer: 'https://id.example.com/', audience: ['abm'] } });
    expect(config.providers.ads).toEqual([
      { provider: 'linkedin', secretName: 'abm/ads/linkedin', audiences: {} },
    ]);
    expect(config.providers.directMail).toEqual({ provider: 'eventbridge', pieces: {} });
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
      {
        stage: 'dev',
        config: {
          ...valid,
          providers: { ads: [{ provider: 'meta', secretName: 'key: abc def', audiences: {} }] },
        },
      },
      'config.providers.ads.0.secretName: Invalid secret name',
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

describe('providers.ads (issue 11)', () => {
  const ads = (list: unknown) => ({ stage: 'dev', config: { ...valid, providers: { ads: list } } });
  const linkedin = {
    provider: 'linkedin',
    secretName: 'abm/linkedin',
    audiences: { 'tier1-committee': { contacts: '123456', companies: '654321' } },
  };
  const google = {
    provider: 'google',
    secretName: 'abm/google',
    customerId: '1234567890',
    audiences: { 'tier1-committee': { contacts: '8675309' } },
  };
  const meta = {
    provider: 'meta',
    secretName: 'abm/meta',
    baseUrl: 'http://127.0.0.1:9100',
    audiences: { 'tier1-committee': { contacts: '23851234567890' } },
  };

  it('takes the array form of the issue, each provider with its own keys', () => {
    expect(parseConfig(ads([linkedin, meta, google])).providers.ads).toEqual([linkedin, meta, google]);
  });

  it('refuses the old object form with a message that shows the array form', () => {
    const message = errorOf(ads({ provider: 'eventbridge' })).message;
    expect(message).toContain('config.providers.ads: Expected an array of ad providers');
    expect(message).toContain('"ads": [{ "provider": "linkedin", "secretName": "abm/linkedin"');
  });

  it.each([
    [
      'an unknown provider',
      [{ ...meta, provider: 'tiktok' }],
      'config.providers.ads.0.provider: Unknown provider',
    ],
    [
      'a missing secret name',
      [linkedin, { ...meta, secretName: undefined }],
      'config.providers.ads.1.secretName: Required',
    ],
    [
      'google without customerId',
      [{ ...google, customerId: undefined }],
      'config.providers.ads.0.customerId: Required',
    ],
    [
      'companies on a provider without company lists',
      [{ ...meta, audiences: { t1: { contacts: '1', companies: '2' } } }],
      'config.providers.ads.0.audiences.t1.companies: Unknown key',
    ],
    [
      'a baseUrl with a path',
      [{ ...meta, baseUrl: 'https://graph.facebook.com/v21.0' }],
      'config.providers.ads.0.baseUrl: Invalid baseUrl',
    ],
    [
      'a baseUrl that is not a URL',
      [{ ...meta, baseUrl: 'localhost' }],
      'config.providers.ads.0.baseUrl: Invalid baseUrl',
    ],
    ['an unknown key', [{ ...linkedin, accountId: '5' }], 'config.providers.ads.0.accountId: Unknown key'],
    [
      'an audience mapped to nothing',
      [{ ...linkedin, audiences: { t1: {} } }],
      'config.providers.ads.0.audiences.t1: Map the audience',
    ],
    ['the same provider twice', [meta, meta], 'config.providers.ads.1.provider: meta is configured twice'],
  ])('refuses %s, naming the key', (_name, list, message) => {
    expect(errorOf(ads(list)).message).toContain(message);
  });

  it('accepts a baseUrl with a port and a trailing slash', () => {
    const [p] = parseConfig(ads([{ ...meta, baseUrl: 'https://sandbox.example:8443/' }])).providers.ads;
    expect(p?.baseUrl).toBe('https://sandbox.example:8443/');
  });
});

describe('providers.directMail (issue 12)', () => {
  const mail = (directMail: unknown) => ({
    stage: 'dev',
    config: { ...valid, providers: { directMail } },
  });
  const lob = {
    provider: 'lob',
    secretName: 'abm/lob',
    webhookSecretName: 'abm/lob-webhook',
    from: 'adr_210a8d4b0b76d77b',
    pieces: {
      'roi-booklet': { type: 'letter', template: 'tmpl_abc', color: true, priceCents: 180 },
      'thank-you': { type: 'postcard', template: 'tmpl_front', back: 'tmpl_back', priceCents: 90 },
    },
  };

  it('takes the issue form, with the documented defaults of each piece', () => {
    const config = parseConfig(mail(lob)).providers.directMail;
    expect(config).toEqual({
      ...lob,
      useType: 'marketing',
      pieces: {
        'roi-booklet': {
          type: 'letter',
          template: 'tmpl_abc',
          color: true,
          doubleSided: true,
          priceCents: 180,
        },
        'thank-you': {
          type: 'postcard',
          template: 'tmpl_front',
          back: 'tmpl_back',
          size: '4x6',
          priceCents: 90,
        },
      },
    });
    expect(
      parseConfig(mail({ ...lob, provider: 'postgrid', from: 'contact_1' })).providers.directMail.provider,
    ).toBe('postgrid');
    // The default provider takes piece prices only (its pieces are a team's own fulfilment).
    expect(
      parseConfig(mail({ provider: 'eventbridge', pieces: { book: { priceCents: 500 } } })).providers
        .directMail,
    ).toEqual({ provider: 'eventbridge', pieces: { book: { priceCents: 500 } } });
  });

  it.each([
    [
      'an unknown provider',
      { ...lob, provider: 'stannp' },
      'config.providers.directMail.provider: Unknown provider',
    ],
    ['no secretName', { ...lob, secretName: undefined }, 'config.providers.directMail.secretName: Required'],
    [
      'no webhookSecretName',
      { ...lob, webhookSecretName: undefined },
      'config.providers.directMail.webhookSecretName: Required',
    ],
    [
      'a baseUrl with a path',
      { ...lob, baseUrl: 'https://api.lob.com/v1' },
      'directMail.baseUrl: Invalid baseUrl',
    ],
    [
      'a piece without a price',
      { ...lob, pieces: { p: { type: 'letter', template: 'tmpl_abc' } } },
      'config.providers.directMail.pieces.p.priceCents: Required',
    ],
    [
      'a piece of an unknown type',
      { ...lob, pieces: { p: { type: 'booklet', template: 'tmpl_abc', priceCents: 1 } } },
      'config.providers.directMail.pieces.p.type: Unknown piece type',
    ],
    [
      'a postcard without its back',
      { ...lob, pieces: { p: { type: 'postcard', template: 'tmpl_abc', priceCents: 1 } } },
      'config.providers.directMail.pieces.p.back: Required',
    ],
    [
      'a colour option on a postcard',
      { ...lob, pieces: { p: { type: 'postcard', template: 'a', back: 'b', color: true, priceCents: 1 } } },
      'config.providers.directMail.pieces.p.color: Unknown key',
    ],
    ['no pieces', { ...lob, pieces: {} }, 'config.providers.directMail.pieces: Configure at least one piece'],
    [
      'a secret on the default provider (it selects nothing)',
      { provider: 'eventbridge', secretName: 'abm/x' },
      'config.providers.directMail.secretName: Unknown key',
    ],
  ])('refuses %s, naming the key', (_name, directMail, message) => {
    expect(errorOf(mail(directMail)).message).toContain(message);
  });
});
