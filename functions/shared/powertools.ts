/**
 * One instrumentation style for every handler: module-scope Powertools Logger, Metrics and Tracer,
 * and `instrument(handler)` which wraps a handler in middy with the three Powertools middlewares.
 *
 * Service name, metrics namespace and log level come from the environment the base function sets
 * (`POWERTOOLS_SERVICE_NAME`, `POWERTOOLS_METRICS_NAMESPACE`, `POWERTOOLS_LOG_LEVEL`).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';

export const METRICS_NAMESPACE = 'abm';

export const logger = new Logger();
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
});
export const tracer = new Tracer();

export type Handler<TEvent, TResult> = (event: TEvent, context: Context) => Promise<TResult>;

/** Wraps a handler with tracing (outermost), the Lambda context in logs, and metrics flushing. */
export function instrument<TEvent, TResult>(handler: Handler<TEvent, TResult>) {
  return middy<TEvent, TResult, Error, Context>(handler)
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
}
