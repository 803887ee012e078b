/**
 * The launch forecaster's Lambda entry: the router invokes it for a dry run (and for a launch under
 * `config.launch.maxUsd`) with the treated accounts, the sequence and the start; it answers the
 * touch forecast (functions/engine/forecast.ts). Its own function, so the router's bundle carries
 * neither the engine's decisions nor the time-zone library they use. Reads the table only.
 */
import type { ForecastRequest, TouchForecast } from '../../kernel/forecast';
import { composeLambda } from '../../platform/lambda';
import { instrument } from '../../platform/powertools';
import { forecastFeature } from '../forecast';

const { forecaster } = composeLambda(['tableName'], { forecaster: forecastFeature });

export const handler = instrument<ForecastRequest, TouchForecast>(async (event) =>
  forecaster.forecast(event),
);
