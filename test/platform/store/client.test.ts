/**
 * The store's DynamoDB client against a local double of DynamoDB's endpoint that checks what the
 * protocol requires (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.LowLevelAPI.html):
 * a POST of `application/x-amz-json-1.0` naming the operation in `X-Amz-Target`, signed with
 * SigV4 for service `dynamodb` in the client's Region. The signature is checked by recomputing it
 * with the AWS SDK's own signer (@smithy/signature-v4), not the library that made it.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createDynamoClient,
  DynamoError,
  type DynamoRequest,
} from '../../../functions/platform/store/dynamo-client';

const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG',
  sessionToken: 'tok',
};

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  signatureValid: boolean;
}

/** The answers the double gives, in order (then 200 `{}`); `drop` closes the connection unanswered. */
let script: ({ status: number; body: unknown } | 'drop')[] = [];
const seen: Seen[] = [];
let server: http.Server;
let endpoint: string;

async function verifySignature(req: http.IncomingMessage, body: string): Promise<boolean> {
  const authorization = String(req.headers.authorization ?? '');
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      authorization,
    );
  if (!match) return false;
  const [, , , region, service, signedHeaders] = match;
  const headers: Record<string, string> = {};
  for (const name of signedHeaders!.split(';')) headers[name] = String(req.headers[name] ?? '');
  const amzDate = String(req.headers['x-amz-date']);
  const signingDate = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  const signer = new SignatureV4({
    credentials: CREDENTIALS,
    region: region!,
    service: service!,
    sha256: Sha256,
    applyChecksum: false,
  });
  const url = new URL(req.url ?? '/', 'http://x');
  const signed = await signer.sign(
    { method: req.method!, protocol: 'http:', hostname: headers.host!, path: url.pathname, headers, body },
    { signingDate },
  );
  return signed.headers.authorization === authorization && region === 'eu-west-1' && service === 'dynamodb';
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      void verifySignature(req, body).then((signatureValid) => {
        seen.push({ method: req.method!, url: req.url!, headers: req.headers, body, signatureValid });
        const next = script.shift() ?? { status: 200, body: {} };
        if (next === 'drop') {
          req.socket.destroy();
          return;
        }
        res.writeHead(next.status, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(typeof next.body === 'string' ? next.body : JSON.stringify(next.body));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
afterEach(() => {
  script = [];
  seen.length = 0;
  vi.unstubAllEnvs();
});

const sleeps: number[] = [];
const client = () => {
  sleeps.length = 0;
  return createDynamoClient({
    endpoint,
    region: 'eu-west-1',
    credentials: CREDENTIALS,
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
  });
};

describe('the DynamoDB client', () => {
  it('POSTs the operation as JSON 1.0, named in X-Amz-Target, signed with SigV4 for dynamodb in its Region', async () => {
    script = [{ status: 200, body: { Item: { pk: { S: 'a' }, n: { N: '1' } } } }];
    const c = client();
    const input = { TableName: 't', Key: { pk: { S: 'a' }, sk: { S: 'ü' } }, ConsistentRead: true };
    const out = await c.send('GetItem', input);
    c.destroy();
    expect(out).toEqual({ Item: { pk: { S: 'a' }, n: { N: '1' } } });
    expect(seen).toHaveLength(1);
    const [req] = seen;
    expect(req!.method).toBe('POST');
    expect(req!.url).toBe('/');
    expect(req!.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(req!.headers['x-amz-target']).toBe('DynamoDB_20120810.GetItem');
    expect(req!.headers['x-amz-security-token']).toBe('tok');
    expect(JSON.parse(req!.body)).toEqual(input);
    expect(req!.signatureValid).toBe(true);
  });

  it('sends binary values as base64 and gives them back as bytes, as the JSON protocol carries blobs', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    script = [{ status: 200, body: { Item: { z: { B: bytes.toString('base64') }, s: { BS: ['AAE='] } } } }];
    const c = client();
    const out = await c.send<{ Item: { z: { B: Uint8Array }; s: { BS: Uint8Array[] } } }>('PutItem', {
      TableName: 't',
      Item: { z: { B: bytes }, s: { BS: [new Uint8Array([0, 1])] } },
      ReturnValues: 'ALL_OLD',
    });
    c.destroy();
    expect(JSON.parse(seen[0]!.body).Item).toEqual({ z: { B: 'AAEC+v8=' }, s: { BS: ['AAE='] } });
    expect(Buffer.from(out.Item.z.B).equals(bytes)).toBe(true);
    expect([...out.Item.s.BS[0]!]).toEqual([0, 1]);
  });

  it('the double refuses a signature made with other keys (negative control)', async () => {
    const c = createDynamoClient({
      endpoint,
      region: 'eu-west-1',
      credentials: { ...CREDENTIALS, secretAccessKey: 'another' },
    });
    await c.send('DescribeTable', { TableName: 't' });
    c.destroy();
    expect(seen[0]!.signatureValid).toBe(false);
  });

  it("names an error by DynamoDB's __type and throws a failed condition at once", async () => {
    script = [
      {
        status: 400,
        body: {
          __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
          message: 'The conditional request failed',
        },
      },
    ];
    const c = client();
    const error = await c.send('PutItem', { TableName: 't', Item: {} }).catch((e: unknown) => e);
    c.destroy();
    expect(error).toBeInstanceOf(DynamoError);
    expect(error).toMatchObject({
      name: 'ConditionalCheckFailedException',
      message: 'The conditional request failed',
      statusCode: 400,
    });
    expect(seen).toHaveLength(1);
  });

  it('retries throttling after a jittered backoff from 500 ms, and a 5xx from 100 ms, as the SDK does', async () => {
    const throttled = {
      status: 400,
      body: {
        __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
        message: 'slow',
      },
    };
    script = [throttled, throttled];
    const c = client();
    expect(await c.send('Query', { TableName: 't' })).toEqual({});
    expect(seen).toHaveLength(3);
    expect(sleeps).toEqual([250, 500]);

    seen.length = 0;
    sleeps.length = 0;
    script = [
      { status: 500, body: 'oops' },
      { status: 503, body: 'oops' },
      { status: 500, body: 'oops' },
    ];
    const error = await c.send('Query', { TableName: 't' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'InternalServerError', statusCode: 500 });
    expect(seen).toHaveLength(3);
    expect(sleeps).toEqual([50, 100]);
    // 501 is not transient (the SDK retries 500, 502, 503 and 504 only).
    seen.length = 0;
    script = [{ status: 501, body: 'no' }];
    await expect(c.send('Query', { TableName: 't' })).rejects.toMatchObject({ statusCode: 501 });
    expect(seen).toHaveLength(1);
  });

  it('retries a connection dropped without an answer', async () => {
    script = ['drop'];
    const c = client();
    expect(await c.send('GetItem', { TableName: 't', Key: {} })).toEqual({});
    c.destroy();
    expect(seen).toHaveLength(2);
  });

  it("keeps a cancelled transaction's reasons", async () => {
    script = [
      {
        status: 400,
        body: {
          __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
          Message: 'Transaction cancelled',
          CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed', Message: 'no' }],
        },
      },
    ];
    const c = client();
    const error = await c.send('TransactWriteItems', { TransactItems: [] }).catch((e: unknown) => e);
    c.destroy();
    expect(error).toMatchObject({
      name: 'TransactionCanceledException',
      cancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed', Message: 'no' }],
    });
  });

  it("on Lambda: the Region, the keys and the session token from the environment, and the Region's endpoint", async () => {
    vi.stubEnv('AWS_REGION', 'eu-central-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'ASIAENV');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
    vi.stubEnv('AWS_SESSION_TOKEN', 'session');
    const sent: DynamoRequest[] = [];
    const c = createDynamoClient({
      transport: async (request) => {
        sent.push(request);
        return { statusCode: 200, body: '{}' };
      },
    });
    await c.send('GetItem', { TableName: 't', Key: {} });
    expect(sent[0]!.url.href).toBe('https://dynamodb.eu-central-1.amazonaws.com/');
    expect(sent[0]!.headers.Host ?? sent[0]!.headers.host).toBe('dynamodb.eu-central-1.amazonaws.com');
    expect(sent[0]!.headers.Authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=ASIAENV\/\d{8}\/eu-central-1\/dynamodb\/aws4_request, /,
    );
    expect(sent[0]!.headers['X-Amz-Security-Token']).toBe('session');
  });

  it('refuses to call without a Region, naming what to set', async () => {
    vi.stubEnv('AWS_REGION', '');
    vi.stubEnv('AWS_DEFAULT_REGION', '');
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    await expect(createDynamoClient({}).send('GetItem', {})).rejects.toThrow(
      'DynamoDB: no Region (set AWS_REGION or pass a region)',
    );
  });
});
