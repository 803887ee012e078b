/**
 * GET /health: liveness and the deployed version. No dependencies, so it answers even when the
 * table or the bus are unavailable.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { requireEnv, type ENV_VERSION } from '../../platform/env';
import { instrument } from '../../platform/powertools';

// The variable's name is checked against ENV_VERSION (what the stack sets) at compile time.
const env = requireEnv(['ABM_VERSION'] satisfies (typeof ENV_VERSION)[]);

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
    version: env.ABM_VERSION,
    time: new Date().toISOString(),
  } satisfies HealthBody),
}));
