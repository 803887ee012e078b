/**
 * How the API and launcher constructs get their Lambda functions: the stack passes a factory
 * (usually one that builds a `BaseFunction` with the stage's log retention and removal policy),
 * so these constructs never repeat runtime, architecture, tracing or bundling settings.
 */
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';

export interface FunctionRequest {
  /** Absolute path of the handler module (exports `handler`). */
  readonly entry: string;
  readonly description: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly memorySize?: number;
  readonly timeoutSeconds?: number;
}

export type FunctionFactory = (scope: Construct, id: string, request: FunctionRequest) => IFunction;
