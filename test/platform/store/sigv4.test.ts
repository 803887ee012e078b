/**
 * The SigV4 signer against the "vanilla" cases of the AWS Signature Version 4 test suite (a GET
 * and a POST of `/` to example.amazonaws.com, service `service`, us-east-1, 2015-08-30T12:36:00Z,
 * the suite's example keys), and its session token and header rules
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv4-create-signed-request.html).
 */
import { describe, expect, it } from 'vitest';
import { signRequest } from '../../../functions/platform/store/sigv4';

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const base = {
  host: 'example.amazonaws.com',
  path: '/',
  headers: {},
  body: '',
  region: 'us-east-1',
  service: 'service',
  credentials,
  now: new Date('2015-08-30T12:36:00Z'),
};
const scope = 'AKIDEXAMPLE/20150830/us-east-1/service/aws4_request';

describe('signRequest', () => {
  it('get-vanilla', () => {
    const headers = signRequest({ ...base, method: 'GET' });
    expect(headers['X-Amz-Date']).toBe('20150830T123600Z');
    expect(headers.Authorization).toBe(
      `AWS4-HMAC-SHA256 Credential=${scope}, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31`,
    );
  });

  it('post-vanilla', () => {
    expect(signRequest({ ...base, method: 'POST' }).Authorization).toBe(
      `AWS4-HMAC-SHA256 Credential=${scope}, SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b`,
    );
  });

  it('signs every header it is given, the session token too, names lowercased and sorted', () => {
    const headers = signRequest({
      ...base,
      method: 'POST',
      headers: { 'X-Amz-Target': 'DynamoDB_20120810.GetItem', 'Content-Type': 'application/x-amz-json-1.0' },
      body: '{}',
      credentials: { ...credentials, sessionToken: 'token' },
    });
    expect(headers['X-Amz-Security-Token']).toBe('token');
    expect(headers.Authorization).toContain(
      'SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target,',
    );
  });

  it('another day, another key: a signature is not reused across dates (the cached key is per day)', () => {
    const a = signRequest({ ...base, method: 'GET' }).Authorization;
    const b = signRequest({ ...base, method: 'GET', now: new Date('2015-08-31T12:36:00Z') }).Authorization;
    expect(b).toContain('AKIDEXAMPLE/20150831/us-east-1/service/aws4_request');
    expect(b.slice(-64)).not.toBe(a.slice(-64));
    expect(signRequest({ ...base, method: 'GET' }).Authorization).toBe(a);
  });
});
