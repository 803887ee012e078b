/**
 * The one registry of Lambda functions. The stack creates exactly these (through `BaseFunction`),
 * and `bench/bundles.ts` bundles exactly these, so the benchmark cannot drift from what deploys.
 *
 * To add a function: append a `FunctionSpec`; name the environment variables it reads (the stack
 * fills their values) and the access it needs (the stack turns it into `grant*` calls).
 */
import * as path from 'node:path';

/** Environment variables the stack knows how to fill. Extend here and in `AbmStack.envValues`. */
export const WIRED_ENV_VARS = ['TABLE_NAME', 'BUS_NAME', 'ABM_VERSION', 'STAGE'] as const;
export type WiredEnvVar = (typeof WIRED_ENV_VARS)[number];

export interface FunctionSpec {
  /** Construct id (PascalCase, unique); also the benchmark's name for it. */
  readonly name: string;
  /** Absolute path of the handler module (exports `handler`). */
  readonly entry: string;
  readonly description: string;
  /** Variables the handler reads with `requireEnv`; the stack sets each one. */
  readonly environment: readonly WiredEnvVar[];
  /** Table access, granted with `grantReadData` / `grantReadWriteData`. */
  readonly table?: 'read' | 'readWrite';
  /** Bus access, granted with `grantPutEventsTo`. */
  readonly bus?: 'put';
  /** MB; default 256. */
  readonly memorySize?: number;
  /** Seconds; default 10. */
  readonly timeoutSeconds?: number;
}

const FUNCTIONS_DIR = path.join(__dirname, '..', 'functions');

export const FUNCTIONS: readonly FunctionSpec[] = [
  {
    name: 'GetHealth',
    entry: path.join(FUNCTIONS_DIR, 'api', 'get-health.ts'),
    description: 'GET /health: liveness and deployed version',
    environment: ['ABM_VERSION'],
    memorySize: 128,
    timeoutSeconds: 3,
  },
];
