/**
 * One instrumentation style for every handler: module-scope Powertools Logger and Metrics, and
 * `instrument(handler)` which wraps a handler in middy with their middlewares.
 *
 * Tracing: every function runs with Lambda active tracing and the state machines with X-Ray, so
 * each invocation is a segment in the service map. The Powertools Tracer is not used: it bundles
 * the X-Ray SDK (aws-xray-sdk-core, semver, cls-hooked: 104 KB minified, measured with
 * `npm run bench -- bundles`), which alone put the engine and API bundles over the 400 KB target,
 * for one handler subsegment more than active tracing already records.
 *
 * Service name, metrics namespace and log level come from the environment the base function sets
 * (`POWERTOOLS_SERVICE_NAME`, `POWERTOOLS_METRICS_NAMESPACE`, `POWERTOOLS_LOG_LEVEL`).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';

export const METRICS_NAMESPACE = 'abm';

export const logger = new Logger();
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
});

export type Handler<TEvent, TResult> = (event: TEvent, context: Context) => Promise<TResult>;

/** Wraps a handler with the Lambda context in logs and metrics flushing (cold starts counted). */
export function instrument<TEvent, TResult>(handler: Handler<TEvent, TResult>) {
  return middy<TEvent, TResult, Error, Context>(handler)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
}
