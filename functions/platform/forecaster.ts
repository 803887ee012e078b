/**
 * The `Forecaster` adapter on AWS: the launch forecast runs in its own Lambda function
 * (functions/engine/handlers/forecast-launch.ts), invoked synchronously (RequestResponse) by the
 * router, so the router's bundle stays small. A function error (`FunctionError` set, the payload
 * the error: https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html) is thrown as one.
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { lambdaSdk, lazyClient } from './aws-sdk';
import type { ForecastRequest, Forecaster, TouchForecast } from '../kernel/forecast';
import { configuredPort } from './compose';

export class LambdaForecaster implements Forecaster {
  constructor(
    private readonly client: LambdaClient,
    private readonly functionName: string,
  ) {}

  async forecast(request: ForecastRequest): Promise<TouchForecast> {
    const { InvokeCommand } = lambdaSdk();
    const out = await this.client.send(
      new InvokeCommand({
        FunctionName: this.functionName,
        InvocationType: 'RequestResponse',
        Payload: Buffer.from(JSON.stringify(request)),
      }),
    );
    const text = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
    if (out.FunctionError) throw new Error(`the forecast function failed (${out.FunctionError}): ${text}`);
    return JSON.parse(text) as TouchForecast;
  }
}

/** The launch forecast's function (`config.forecastFunctionName`). */
export const FORECASTER = /* @__PURE__ */ configuredPort(
  'forecaster',
  'forecastFunctionName',
  (name) =>
    new LambdaForecaster(
      lazyClient(() => new (lambdaSdk().LambdaClient)({})),
      name,
    ),
);
