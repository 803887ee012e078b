import { Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/**
 * The log group name of a state machine's execution logs: under `/aws/vendedlogs/states/`, so Step
 * Functions does not have to add each log group to the account's CloudWatch Logs resource policy
 * (limited to 5,120 characters; a few stacks would exhaust it and the next deploy would fail):
 * https://docs.aws.amazon.com/step-functions/latest/dg/bp-cwl.html
 */
export function vendedLogGroupName(scope: Construct, stateMachine: string): string {
  return `/aws/vendedlogs/states/${Stack.of(scope).stackName}-${stateMachine}`;
}
