/**
 * One instrumentation style for every handler: a module-scope structured `logger` and
 * `instrument(handler)`, which puts the Lambda context in the logs and counts cold starts.
 *
 * The logs and the cold-start metric keep the shape Powertools for AWS Lambda gave them (the same
 * keys: `level`, `message`, `timestamp`, `service`, `cold_start`, `function_name`,
 * `function_request_id`, `xray_trace_id`...; the `ColdStart` metric in the `POWERTOOLS_METRICS_NAMESPACE`
 * namespace with the `service` and `function_name` dimensions), so queries and alarms over them do
 * not change, but they are written here: the Powertools Logger, Metrics and middy took 37 KB of
 * every minified bundle (their commons carry `@aws/lambda-invoke-store` too) and a tenth of its cold start (measured with `npm run bench -- bundles`),
 * for two JSON lines. Both are written straight to stdout, not through `console`: with the JSON log
 * format the Lambda runtime wraps `console` output in its own record, which would hide the fields
 * and break the embedded metric format; a line written to stdout is kept as it is.
 * https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-advanced.html
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 *
 * `metrics` writes the audience sync's per-provider counts the same way (functions/ads/metrics.ts).
 *
 * Tracing: every function runs with Lambda active tracing and the state machines with X-Ray, so
 * each invocation is a segment in the service map. The Powertools Tracer is not used: it bundles
 * the X-Ray SDK (104 KB minified) for one handler subsegment more than active tracing records.
 *
 * Service name, metrics namespace and log level come from the environment the base function sets
 * (`POWERTOOLS_SERVICE_NAME`, `POWERTOOLS_METRICS_NAMESPACE`, `POWERTOOLS_LOG_LEVEL`; Lambda's own
 * `AWS_LAMBDA_LOG_LEVEL` wins when set, as it did for Powertools).
 */
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { EOL } from 'node:os';

export const METRICS_NAMESPACE = 'abm';

// `EOL` (not a '\n' literal, which the minifier turns into a raw line break in the bundle).

const LEVELS = { DEBUG: 8, INFO: 12, WARN: 16, ERROR: 20 } as const;
type Level = keyof typeof LEVELS;

export interface TelemetryOptions {
  env?: Readonly<Record<string, string | undefined>>;
  /** Where each JSON line goes; stdout by default. */
  write?: (line: string) => void;
  now?: () => Date;
}

const stdout = (line: string) => void process.stdout.write(line);

function levelOf(env: Readonly<Record<string, string | undefined>>): number {
  const name = (env.AWS_LAMBDA_LOG_LEVEL ?? env.POWERTOOLS_LOG_LEVEL ?? 'INFO').toUpperCase();
  return name in LEVELS ? LEVELS[name as Level] : name === 'TRACE' ? 0 : name === 'FATAL' ? 24 : LEVELS.INFO;
}

/** Errors as Powertools logged them: name, message and stack (JSON.stringify drops all three). */
function serialisable(value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  return { name: value.name, message: value.message, stack: value.stack };
}

export function createTelemetry(options: TelemetryOptions = {}) {
  const env = options.env ?? process.env;
  const write = options.write ?? stdout;
  const now = options.now ?? (() => new Date());
  const service = env.POWERTOOLS_SERVICE_NAME || 'service_undefined';
  const namespace = env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE;
  const threshold = levelOf(env);
  let coldStart = true;
  let lambda: Record<string, unknown> = {};

  function log(level: Level, message: string, data: Record<string, unknown> = {}): void {
    if (LEVELS[level] < threshold) return;
    const fields: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(data)) fields[k] = serialisable(v);
    const traceId = env._X_AMZN_TRACE_ID?.match(/Root=([^;]+)/)?.[1];
    write(
      `${JSON.stringify({
        level,
        message,
        timestamp: now().toISOString(),
        service,
        ...lambda,
        ...(traceId ? { xray_trace_id: traceId } : {}),
        ...fields,
      })}${EOL}`,
    );
  }

  const logger = {
    debug: (message: string, data?: Record<string, unknown>) => log('DEBUG', message, data),
    info: (message: string, data?: Record<string, unknown>) => log('INFO', message, data),
    warn: (message: string, data?: Record<string, unknown>) => log('WARN', message, data),
    error: (message: string, data?: Record<string, unknown>) => log('ERROR', message, data),
  };

  /** One metric in the embedded metric format, with the `service` dimension and the given ones. */
  function emit(dimensions: Record<string, string>, name: string, unit: string, value: number): void {
    if (env.POWERTOOLS_METRICS_DISABLED === 'true') return;
    const all = { service, ...dimensions };
    write(
      `${JSON.stringify({
        _aws: {
          Timestamp: now().getTime(),
          CloudWatchMetrics: [
            { Namespace: namespace, Dimensions: [Object.keys(all)], Metrics: [{ Name: name, Unit: unit }] },
          ],
        },
        ...all,
        [name]: value,
      })}${EOL}`,
    );
  }

  /**
   * Powertools' `singleMetric()` as the audience sync uses it: dimensions added first, then each
   * metric is written at once with them.
   */
  function singleMetric() {
    const dimensions: Record<string, string> = {};
    return {
      addDimension(name: string, value: string) {
        dimensions[name] = value;
      },
      addMetric(name: string, unit: string, value: number) {
        emit(dimensions, name, unit, value);
      },
    };
  }

  /** Wraps a handler: the Lambda context in every log line of the invocation, cold starts counted. */
  function instrument<TEvent, TResult>(handler: Handler<TEvent, TResult>): Handler<TEvent, TResult> {
    return async (event, context) => {
      const cold = coldStart;
      coldStart = false;
      lambda = {
        cold_start: cold,
        function_arn: context?.invokedFunctionArn,
        function_memory_size: Number(context?.memoryLimitInMB) || undefined,
        function_name: context?.functionName,
        function_request_id: context?.awsRequestId,
      };
      // As Powertools' captureColdStartMetric wrote it.
      if (cold) emit({ function_name: context?.functionName ?? '' }, 'ColdStart', 'Count', 1);
      try {
        return await handler(event, context);
      } finally {
        lambda = {};
      }
    };
  }

  return { logger, instrument, singleMetric };
}

export type Handler<TEvent, TResult> = (event: TEvent, context: Context) => Promise<TResult>;

const telemetry = createTelemetry();

export const logger = telemetry.logger;
export const instrument = telemetry.instrument;

/**
 * The audience sync's per-provider counts (functions/ads/metrics.ts `publish`). Typed as the
 * Powertools object that sink was written against; it calls `addDimension` and `addMetric` on a
 * single metric and nothing else (test/platform/powertools.test.ts checks what they write).
 */
export const metrics = { singleMetric: telemetry.singleMetric } as unknown as Pick<Metrics, 'singleMetric'>;
