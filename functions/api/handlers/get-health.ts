/**
 * GET /health: liveness and the deployed version. No dependencies, so it answers even when the
 * table or the bus are unavailable.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ENV, requireEnv } from '../../platform/env';
import { instrument } from '../../platform/powertools';

const env = requireEnv([ENV.version]);

export interface HealthBody {
  readonly status: 'ok';
  readonly version: string;
  readonly time: string;
}

export const handler = instrument(async (): Promise<APIGatewayProxyStructuredResultV2> => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  body: JSON.stringify({
    status: 'ok',
    version: env[ENV.version],
    time: new Date().toISOString(),
  } satisfies HealthBody),
}));
