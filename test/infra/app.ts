/**
 * Builds the stack for infrastructure tests. Bundling is skipped (`aws:cdk:bundling-stacks: []`)
 * except where a test asks for it; `bundling.test.ts` is the one test that bundles for real.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AbmStack } from '../../lib/infra/abm-stack';
import { ConfigError, parseConfig, type AppConfig, type Stage } from '../../lib/infra/config';

/** A complete, valid `config` context value. */
export const TEST_CONFIG = {
  senderEmail: 'campaigns@example.com',
  senderDomain: 'example.com',
  alarmEmail: 'ops@example.com',
  logRetentionDays: 30,
  env: { account: '123456789012', region: 'us-east-1' },
} as const;

export interface TestStackOptions {
  readonly stage?: Stage;
  /** Merged over `TEST_CONFIG`. */
  readonly config?: Record<string, unknown>;
  /** Bundle function code with esbuild (slow); default false. */
  readonly bundle?: boolean;
}

export interface TestStack {
  readonly app: App;
  readonly stack: AbmStack;
  readonly config: AppConfig;
  readonly template: () => Template;
}

export function buildTestStack(options: TestStackOptions = {}): TestStack {
  const stage = options.stage ?? 'dev';
  const config = parseConfig({ stage, config: { ...TEST_CONFIG, ...options.config } });
  const app = new App({ context: options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] } });
  const stack = new AbmStack(app, `Abm-${stage}`, { env: config.env, config });
  let template: Template | undefined;
  return { app, stack, config, template: () => (template ??= Template.fromStack(stack)) };
}

type FunctionResource = { Type: string; Properties: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The environment variables of the function with this description (undefined when none is). */
export function functionEnvOf(template: Template, description: string): Record<string, unknown> | undefined {
  const fns = Object.values(template.findResources('AWS::Lambda::Function')) as FunctionResource[];
  return fns.find((f) => f.Properties.Description === description)?.Properties.Environment.Variables;
}

/** The issues `parseConfig` names for `config` over a minimal valid one (none: it is valid). */
export function configIssues(config: Record<string, unknown>): readonly string[] {
  try {
    parseConfig({ stage: 'dev', config: { senderEmail: 'campaigns@example.com', ...config } });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.issues;
  }
  return [];
}
