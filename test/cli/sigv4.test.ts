import { createHash } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ExitCode } from '../../lib/cli/errors';
import { clientOptions } from '../../lib/cli/main';
import { regionFromHost } from '../../lib/cli/sigv4';
import { abm, startFakeApi, testIo, type FakeApi } from '../support/cli';

const KEY = 'AKIDEXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';

describe('SigV4 signing', () => {
  let api: FakeApi;
  beforeAll(async () => {
    api = await startFakeApi();
    api.on('GET /tasks', { body: { items: [], cursor: null } });
    api.on('POST /events', { status: 202, body: { accepted: 1, rejected: [] } });
  });
  afterAll(() => api.close());
  afterEach(() => {
    vi.unstubAllEnvs();
    api.requests.length = 0;
  });

  it('adds an AWS4-HMAC-SHA256 Authorization for execute-api with credentials from the environment', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', KEY);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', SECRET);
    vi.stubEnv('AWS_SESSION_TOKEN', 'session-token');
    const { code, stderr } = await abm(
      api,
      'tasks list --owner sdr-ana --status open --sigv4 --region eu-west-1'.split(' '),
    );
    expect(stderr).toBe('');
    expect(code).toBe(ExitCode.Ok);
    const req = api.requests[0]!;
    const auth = String(req.headers.authorization);
    expect(auth).toMatch(
      new RegExp(
        `^AWS4-HMAC-SHA256 Credential=${KEY}/\\d{8}/eu-west-1/execute-api/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$`,
      ),
    );
    expect(req.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(req.headers['x-amz-security-token']).toBe('session-token');
    expect(req.query).toEqual({ owner: 'sdr-ana', status: 'open' });
  });

  it('produces the signature a verifier computes from the request as received (host, path, query, body)', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', KEY);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', SECRET);
    vi.stubEnv('AWS_SESSION_TOKEN', '');
    const { code } = await abm(
      api,
      ['events', 'send', '--type', 'web.visit', '--account', 'a b/c', '--prop', 'page=/pricing', '--sigv4'],
      testIo({ env: { AWS_REGION: 'us-east-2' } }),
    );
    expect(code).toBe(ExitCode.Ok);
    // (a GET /health reads the server's now for occurredAt first)
    const req = api.requests.find((r) => r.method === 'POST')!;
    const received = String(req.headers.authorization);
    const signedHeaders = /SignedHeaders=([^,]+)/.exec(received)![1]!.split(';');
    const headers = Object.fromEntries(signedHeaders.map((h) => [h, String(req.headers[h])]));
    const amzDate = String(req.headers['x-amz-date']);
    const verifier = new SignatureV4({
      service: 'execute-api',
      region: 'us-east-2',
      credentials: { accessKeyId: KEY, secretAccessKey: SECRET },
      sha256: Sha256,
    });
    const host = String(req.headers.host);
    const expected = await verifier.sign(
      {
        method: req.method,
        protocol: 'http:',
        hostname: host.split(':')[0]!,
        path: req.path,
        query: req.query,
        headers,
        body: req.body,
      },
      {
        signingDate: new Date(
          `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
        ),
      },
    );
    expect(received).toBe(expected.headers.authorization);
    // The signed payload hash is the hash of the body the server received.
    expect(req.headers['x-amz-content-sha256']).toBe(createHash('sha256').update(req.body).digest('hex'));
    expect(JSON.parse(req.body).events[0]).toMatchObject({
      type: 'web.visit',
      accountId: 'a b/c',
      properties: { page: '/pricing' },
    });
  });

  it('does not send a bearer token when signing', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', KEY);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', SECRET);
    await abm(api, ['tasks', 'list', '--sigv4', '--region', 'eu-west-1', '--token', 'local']);
    expect(String(api.requests[0]!.headers.authorization)).toMatch(/^AWS4-HMAC-SHA256 /);
  });

  it('exits 4 when there are no AWS credentials to sign with', async () => {
    for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'])
      vi.stubEnv(k, undefined);
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', '/nonexistent/credentials');
    vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent/config');
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
    const { code, stderr } = await abm(api, ['tasks', 'list', '--sigv4', '--region', 'eu-west-1']);
    expect(code).toBe(ExitCode.Auth);
    expect(stderr).toContain('cannot sign the request with SigV4');
    expect(api.requests).toHaveLength(0);
  });

  it.each([
    [{}, {}, { endpoint: 'http://localhost:4000', token: undefined, sigv4: undefined }],
    [{}, { ABM_API_TOKEN: 't' }, { endpoint: 'http://localhost:4000', token: 't', sigv4: undefined }],
    [
      { endpoint: 'http://127.0.0.1:9' },
      { ABM_ENDPOINT: 'http://other' },
      { endpoint: 'http://127.0.0.1:9' },
    ],
    [
      {},
      { ABM_ENDPOINT: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod' },
      { sigv4: { region: 'eu-west-1' } },
    ],
    [
      { region: 'ap-south-1' },
      { ABM_ENDPOINT: 'https://abc.execute-api.eu-west-1.amazonaws.com' },
      { sigv4: { region: 'ap-south-1' } },
    ],
    [
      {},
      { ABM_ENDPOINT: 'https://api.example.com', AWS_REGION: 'us-west-2' },
      { sigv4: { region: 'us-west-2' } },
    ],
    [{}, { ABM_ENDPOINT: 'https://api.example.com', ABM_API_TOKEN: 't' }, { token: 't', sigv4: undefined }],
    [
      { sigv4: true },
      { AWS_DEFAULT_REGION: 'eu-central-1', ABM_API_TOKEN: 't' },
      { token: undefined, sigv4: { region: 'eu-central-1' } },
    ],
  ])('client options from flags %j and env %j', (flags, env, expected) => {
    expect(clientOptions(flags, env)).toMatchObject(expected);
  });

  it('reads the region from an execute-api host name', () => {
    expect(regionFromHost('abc123.execute-api.eu-west-1.amazonaws.com')).toBe('eu-west-1');
    expect(regionFromHost('api.example.com')).toBeUndefined();
  });
});
