/**
 * The AWS SDK clients that only some paths of a function use, loaded when first used rather than
 * at cold start (`npm run bench -- bundles` measures each function's init): Step Functions (the
 * engine stops an execution only when an enrollment ends from outside; the launch API starts
 * executions only on a launch; ExecuteStep completes its task at the end of a step), EventBridge
 * Scheduler (ExecuteStep, only for a wait), Secrets Manager (the unsubscribe key, only for an email; provider
 * credentials, only for a provider call), Lambda (the forecast, only on a dry run; the template
 * compiler, only for a template stored by an older version), SES (only for an email), EventBridge
 * (the API publishes only on the routes that record something; a step only when it has events),
 * SQS (the scorer's queue, only when there is engagement to regroup or accounts to re-score).
 *
 * A `require`, not `import()`: the same CommonJS build of the SDK the other clients load (under
 * tsx and Vitest `import()` may resolve the ES module build, a second copy that a test's
 * `mockClient` would not see); in a Lambda bundle the SDK is external (the runtime provides it),
 * so esbuild leaves each require where it is. Node caches a module once loaded.
 */
/* eslint-disable @typescript-eslint/no-require-imports */

/**
 * A client made when its first command is sent, so that building an adapter (which some features
 * do when they are composed, at cold start) loads no SDK. The adapters only `send`.
 */
export function lazyClient<C extends { send(command: never): Promise<unknown> }>(make: () => C): C {
  let client: C | undefined;
  const send = (command: never) => (client ??= make()).send(command);
  return { send } as unknown as C;
}

export const sfnSdk = (): typeof import('@aws-sdk/client-sfn') => require('@aws-sdk/client-sfn');

export const schedulerSdk = (): typeof import('@aws-sdk/client-scheduler') =>
  require('@aws-sdk/client-scheduler');

export const secretsManagerSdk = (): typeof import('@aws-sdk/client-secrets-manager') =>
  require('@aws-sdk/client-secrets-manager');

export const lambdaSdk = (): typeof import('@aws-sdk/client-lambda') => require('@aws-sdk/client-lambda');

export const sesSdk = (): typeof import('@aws-sdk/client-sesv2') => require('@aws-sdk/client-sesv2');

export const eventBridgeSdk = (): typeof import('@aws-sdk/client-eventbridge') =>
  require('@aws-sdk/client-eventbridge');

export const sqsSdk = (): typeof import('@aws-sdk/client-sqs') => require('@aws-sdk/client-sqs');
