/**
 * `secretsmanager:GetSecretValue` on named secrets only (the providers' `secretName`s), by the
 * name's ARN with Secrets Manager's six-character suffix
 * (https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples.html,
 * "Secret names and ARNs": the wildcard `-??????` matches the suffix and nothing longer).
 * Nothing is granted when no name is given.
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';

export function grantSecretsByName(fn: IFunction, names: readonly string[]): void {
  const unique = [...new Set(names)];
  if (unique.length === 0) return;
  const stack = Stack.of(fn);
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: ['secretsmanager:GetSecretValue'],
      resources: unique.map((name) =>
        stack.formatArn({
          service: 'secretsmanager',
          resource: 'secret',
          resourceName: `${name}-??????`,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ),
    }),
  );
}
