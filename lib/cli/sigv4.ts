/**
 * SigV4 signing for API Gateway with IAM auth (service `execute-api`), using the default AWS
 * credential chain (environment, shared config/SSO, container and instance roles).
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { SignatureV4 } from '@smithy/signature-v4';
import { CliError, ExitCode } from './errors';

export interface RequestSigner {
  /** Returns the headers to add (authorization, x-amz-date, x-amz-security-token...). */
  sign(
    url: URL,
    method: string,
    headers: Readonly<Record<string, string>>,
    body: string | undefined,
  ): Promise<Record<string, string>>;
}

/** `abc.execute-api.eu-west-1.amazonaws.com` -> `eu-west-1`. */
export const regionFromHost = (hostname: string): string | undefined =>
  /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(hostname)?.[1];

export function createSigner(region: string): RequestSigner {
  const signer = new SignatureV4({
    service: 'execute-api',
    region,
    credentials: fromNodeProviderChain(),
    sha256: Sha256,
  });
  return {
    async sign(url, method, headers, body) {
      const query: Record<string, string> = {};
      url.searchParams.forEach((v, k) => (query[k] = v));
      const request = {
        method,
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port ? Number(url.port) : undefined,
        path: url.pathname,
        query,
        // `host` is signed; fetch sends the same value (URL.host) on the wire.
        headers: { ...headers, host: url.host },
        body,
      };
      let signed: { headers: Record<string, string> };
      try {
        signed = await signer.sign(request);
      } catch (err) {
        throw new CliError(
          ExitCode.Auth,
          `cannot sign the request with SigV4: ${err instanceof Error ? err.message : String(err)}`,
          [
            'Set AWS credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or SSO), or use --token.',
          ],
        );
      }
      const added: Record<string, string> = {};
      for (const [k, v] of Object.entries(signed.headers)) {
        if (k.toLowerCase() !== 'host' && headers[k] !== v) added[k] = v;
      }
      return added;
    },
  };
}
