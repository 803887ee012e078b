/**
 * The direct-mail provider in the stack (lib/infra/constructs/direct-mail.ts): the configuration in
 * the environment of every function that orders or cancels pieces and of the webhook function; the
 * API-key secret readable by those functions only, the webhook secret by the webhook function only.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../functions/platform/env';
import { mailSettings } from '../support/mail';
import { buildTestStack } from './app';

type Resource = { Type: string; Properties: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any

const functions = (template: Template) =>
  Object.entries(template.findResources('AWS::Lambda::Function') as Record<string, Resource>);

function byDescription(template: Template, description: RegExp): [string, Resource] {
  const found = functions(template).filter(([, f]) =>
    description.test(String(f.Properties.Description ?? '')),
  );
  expect(found).toHaveLength(1);
  return found[0]!;
}

/** The secret names a function's role may read. */
function secretsReadBy(template: Template, functionId: string): string[] {
  const fn = template.findResources('AWS::Lambda::Function')[functionId] as Resource;
  const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
  return Object.values(template.findResources('AWS::IAM::Policy') as Record<string, Resource>)
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap(
      (p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
    )
    .filter((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue'))
    .flatMap((s) => [...JSON.stringify(s.Resource).matchAll(/:secret:([^"]+?)-\?{6}/g)].map((m) => m[1]!));
}

const ORDERING = [/^AccountSequence: executes/, /^Folds engagement per account/, /^HTTP API: every route/];

describe('direct mail through Lob in the stack', () => {
  const lob = mailSettings('lob');
  let template: Template;
  beforeAll(() => {
    template = buildTestStack({ config: { providers: { directMail: lob } } }).template();
  });

  it('hands the configuration to ExecuteStep, the scorer and the router, which read the API key only', () => {
    for (const description of ORDERING) {
      const [id, fn] = byDescription(template, description);
      expect(JSON.parse(fn.Properties.Environment.Variables[ENV.directMailProvider])).toMatchObject({
        provider: 'lob',
        secretName: 'abm/lob',
        pieces: { 'roi-booklet': { priceCents: 180 } },
      });
      expect(secretsReadBy(template, id)).toEqual(['abm/lob']);
    }
  });

  it('the webhook function gets the configuration and reads the webhook secret only', () => {
    const [id, fn] = byDescription(template, /^HTTP API: POST \/webhooks/);
    expect(JSON.parse(fn.Properties.Environment.Variables[ENV.directMailProvider]).provider).toBe('lob');
    expect(secretsReadBy(template, id)).toEqual(['abm/lob-webhook']);
  });

  it('no other function reads a direct-mail secret', () => {
    const allowed = new Set(
      [...ORDERING, /^HTTP API: POST \/webhooks/].map((d) => byDescription(template, d)[0]),
    );
    for (const [id] of functions(template))
      if (!allowed.has(id))
        expect(secretsReadBy(template, id).filter((n) => n.startsWith('abm/lob'))).toEqual([]);
  });
});

describe('the default direct-mail provider in the stack', () => {
  it('passes the pieces (their prices) and grants no secret', () => {
    const template = buildTestStack({
      config: {
        providers: { directMail: { provider: 'eventbridge', pieces: { book: { priceCents: 500 } } } },
      },
    }).template();
    const [id, fn] = byDescription(template, ORDERING[0]!);
    expect(JSON.parse(fn.Properties.Environment.Variables[ENV.directMailProvider])).toEqual({
      provider: 'eventbridge',
      pieces: { book: { priceCents: 500 } },
    });
    expect(secretsReadBy(template, id)).toEqual([]);
  });
});
