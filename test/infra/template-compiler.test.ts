/**
 * The template compiler's own function (functions/api/handlers/compile-template.ts): ExecuteStep,
 * which carries no template parser, knows its name and may invoke it; it reads and writes the
 * table (the compiled form is stored with the template) and is given nothing else.
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ENV } from '../../functions/platform/env';
import { LAMBDAS } from '../../lib/infra/functions';
import { buildTestStack, functionEnvOf } from './app';

function functionId(template: Template, description: string): string {
  const ids = Object.keys(
    template.findResources('AWS::Lambda::Function', { Properties: { Description: description } }),
  );
  expect(ids).toHaveLength(1);
  return ids[0]!;
}

describe('the template compiler function', () => {
  const template = buildTestStack().template();
  const compiler = functionId(template, LAMBDAS.compileTemplate.description);

  it('is named to ExecuteStep, and only to it', () => {
    expect(
      functionEnvOf(template, LAMBDAS.executeStep.description)?.[ENV.templateCompilerFunctionName],
    ).toEqual({
      Ref: compiler,
    });
    const named = Object.values(LAMBDAS).filter(
      (l) => functionEnvOf(template, l.description)?.[ENV.templateCompilerFunctionName] !== undefined,
    );
    expect(named).toEqual([LAMBDAS.executeStep]);
    expect(functionEnvOf(template, LAMBDAS.compileTemplate.description)).toMatchObject({
      [ENV.tableName]: expect.anything(),
    });
  });

  it('ExecuteStep may invoke it; it reads and writes the table, and has no other grant', () => {
    const executeStep = functionId(template, LAMBDAS.executeStep.description);
    const roleOf = (id: string) =>
      template.findResources('AWS::Lambda::Function')[id]!.Properties.Role['Fn::GetAtt'][0] as string;
    const actionsOf = (role: string) =>
      Object.values(
        template.findResources('AWS::IAM::Policy', {
          Properties: { Roles: Match.arrayWith([{ Ref: role }]) },
        }),
      ).flatMap((p) =>
        (p.Properties.PolicyDocument.Statement as { Action: string | string[] }[]).flatMap((s) => s.Action),
      );
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: Match.arrayWith([{ Ref: roleOf(executeStep) }]),
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'lambda:InvokeFunction',
            Resource: Match.arrayWith([{ 'Fn::GetAtt': [compiler, 'Arn'] }]),
          }),
        ]),
      },
    });
    const actions = actionsOf(roleOf(compiler));
    // The table's own grant: its items and the key that encrypts them.
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:UpdateItem']));
    expect(
      actions.filter(
        (a) =>
          !a.startsWith('dynamodb:') &&
          !a.startsWith('kms:') &&
          !a.startsWith('xray:') &&
          !a.startsWith('logs:'),
      ),
    ).toEqual([]);
  });
});
