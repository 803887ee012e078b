/**
 * The handlers' logs and metrics (functions/platform/powertools.ts) keep the shape Powertools gave
 * them: JSON lines with the Lambda context, the cold-start metric and the audience sync's single
 * metrics in the embedded metric format.
 */
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createTelemetry } from '../../functions/platform/powertools';

const context = {
  functionName: 'abm-ExecuteStep',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:abm-ExecuteStep',
  memoryLimitInMB: '256',
  awsRequestId: 'req-1',
} as Context;

function rig(env: Record<string, string | undefined> = {}) {
  const lines: Record<string, unknown>[] = [];
  const t = createTelemetry({
    env: { POWERTOOLS_SERVICE_NAME: 'abm-ExecuteStep', POWERTOOLS_METRICS_NAMESPACE: 'abm', ...env },
    write: (line) => {
      expect(line.endsWith('\n')).toBe(true);
      lines.push(JSON.parse(line) as Record<string, unknown>);
    },
    now: () => new Date('2026-12-01T06:00:00.000Z'),
  });
  return { ...t, lines };
}

describe('logs and metrics of the handlers', () => {
  it('logs one JSON line with the Lambda context, cold start first, and errors with their stack', async () => {
    const { logger, instrument, lines } = rig({ _X_AMZN_TRACE_ID: 'Root=1-abc-def;Parent=1;Sampled=1' });
    const handler = instrument(async (event: { n: number }) => {
      logger.info('step ran', { n: event.n, error: new TypeError('boom') });
      return event.n * 2;
    });
    expect(await handler({ n: 2 }, context)).toBe(4);
    expect(await handler({ n: 3 }, { ...context, awsRequestId: 'req-2' })).toBe(6);
    const logs = lines.filter((l) => l.level);
    expect(logs[0]).toMatchObject({
      level: 'INFO',
      message: 'step ran',
      timestamp: '2026-12-01T06:00:00.000Z',
      service: 'abm-ExecuteStep',
      cold_start: true,
      function_name: 'abm-ExecuteStep',
      function_arn: context.invokedFunctionArn,
      function_memory_size: 256,
      function_request_id: 'req-1',
      xray_trace_id: '1-abc-def',
      n: 2,
      error: { name: 'TypeError', message: 'boom', stack: expect.stringContaining('TypeError: boom') },
    });
    expect(logs[1]).toMatchObject({ cold_start: false, function_request_id: 'req-2', n: 3 });
    // Outside an invocation the context is gone.
    logger.warn('after');
    expect(lines.at(-1)).not.toHaveProperty('function_request_id');
  });

  it('writes the ColdStart metric once, as Powertools did', async () => {
    const { instrument, lines } = rig();
    const handler = instrument(async () => 'ok');
    await handler({}, context);
    await handler({}, context);
    const metrics = lines.filter((l) => l._aws);
    expect(metrics).toEqual([
      {
        _aws: {
          Timestamp: Date.parse('2026-12-01T06:00:00.000Z'),
          CloudWatchMetrics: [
            {
              Namespace: 'abm',
              Dimensions: [['service', 'function_name']],
              Metrics: [{ Name: 'ColdStart', Unit: 'Count' }],
            },
          ],
        },
        service: 'abm-ExecuteStep',
        function_name: 'abm-ExecuteStep',
        ColdStart: 1,
      },
    ]);
  });

  it('writes each single metric at once with its dimensions (the audience sync)', () => {
    const { singleMetric, lines } = rig();
    const single = singleMetric();
    single.addDimension('provider', 'meta');
    single.addMetric('membersAdded', 'Count', 3);
    expect(lines).toEqual([
      expect.objectContaining({
        _aws: expect.objectContaining({
          CloudWatchMetrics: [
            {
              Namespace: 'abm',
              Dimensions: [['service', 'provider']],
              Metrics: [{ Name: 'membersAdded', Unit: 'Count' }],
            },
          ],
        }),
        service: 'abm-ExecuteStep',
        provider: 'meta',
        membersAdded: 3,
      }),
    ]);
  });

  it('honours the log level (Lambda ALC first) and POWERTOOLS_METRICS_DISABLED', async () => {
    const quiet = rig({ POWERTOOLS_LOG_LEVEL: 'WARN', POWERTOOLS_METRICS_DISABLED: 'true' });
    quiet.logger.info('hidden');
    quiet.logger.debug('hidden');
    quiet.logger.error('shown');
    await quiet.instrument(async () => 1)({}, context);
    expect(quiet.lines.map((l) => l.message)).toEqual(['shown']);
    const alc = rig({ POWERTOOLS_LOG_LEVEL: 'ERROR', AWS_LAMBDA_LOG_LEVEL: 'DEBUG' });
    alc.logger.debug('shown');
    expect(alc.lines).toHaveLength(1);
  });
});
