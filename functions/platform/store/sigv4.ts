/**
 * Signature Version 4 for a JSON POST to an AWS service, as documented in "Create a signed AWS API
 * request" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv4-create-signed-request.html):
 * a canonical request (method, path, empty query, the signed headers, the body's SHA-256), the
 * string to sign over the credential scope, and the HMAC chain of the signing key.
 *
 * Written here rather than taken from a library: the Lambda bundles have a 250 KB budget (`npm run
 * bench -- bundles`) that aws4 (8 KB minified) or the SDK's signer (140 KB) would break, and the
 * requests signed here have one shape (POST to `/`, no query). Checked against the AWS SDK's own
 * signer (@smithy/signature-v4) in test/platform/store/client.test.ts, and against the AWS SigV4
 * test suite's vanilla cases in test/platform/store/sigv4.test.ts.
 */
import { createHash, createHmac } from 'node:crypto';
import type { AwsCredentials } from './dynamo-client';

const sha256Hex = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** The signing key of a day, kept: derived once a day per key, Region and service, not per request. */
let cached: { id: string; key: Buffer } | undefined;

function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const id = `${secret}\n${date}\n${region}\n${service}`;
  if (cached?.id !== id) {
    const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
    cached = { id, key };
  }
  return cached.key;
}

export interface SignInput {
  method: string;
  host: string;
  path: string;
  /** Signed too; names in any case. */
  headers: Record<string, string>;
  body: string;
  region: string;
  service: string;
  credentials: AwsCredentials;
  now?: Date;
}

/** The request's headers with `Host`, `X-Amz-Date`, `X-Amz-Security-Token` (with a session) and `Authorization`. */
export function signRequest(input: SignInput): Record<string, string> {
  const amzDate = (input.now ?? new Date()).toISOString().replace(/[:-]|\.\d{3}/g, '');
  const date = amzDate.slice(0, 8);
  const headers: Record<string, string> = { ...input.headers, Host: input.host, 'X-Amz-Date': amzDate };
  if (input.credentials.sessionToken) headers['X-Amz-Security-Token'] = input.credentials.sessionToken;
  const canonical = Object.entries(headers)
    .map(([name, value]) => [name.toLowerCase(), value.trim().replace(/\s+/g, ' ')] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const signedHeaders = canonical.map(([name]) => name).join(';');
  const canonicalRequest = [
    input.method,
    input.path,
    '',
    ...canonical.map(([name, value]) => `${name}:${value}`),
    '',
    signedHeaders,
    sha256Hex(input.body),
  ].join('\n');
  const scope = `${date}/${input.region}/${input.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = signingKey(input.credentials.secretAccessKey, date, input.region, input.service);
  const signature = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  headers.Authorization = `AWS4-HMAC-SHA256 Credential=${input.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}
