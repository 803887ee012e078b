/**
 * EventBridge contract, against moto's EventBridge (MOTO_ENDPOINT, set by
 * test/contract/run.sh): every rule of the synthesized stack whose pattern is one of RULES is created
 * on moto FROM THE SYNTHESIZED TEMPLATE, with an SQS target; the events the handlers publish are
 * put through the production publisher and must all arrive, exactly once; the near misses and the
 * other rules' events must not. (moto 5.2.1 does not implement TestEventPattern: matching is checked
 * by delivery, which runs moto's pattern matcher.)
 */
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { EventBridgePublisher } from '../../functions/platform/bus';
import { RULES, sesEngagementPattern, type BusEvent, type RuleName } from '../../functions/kernel/events';
import { buildTestStack } from '../infra/app';
import { contractCases, type ContractCases, type WireEvent } from './events';

const endpoint = process.env.MOTO_ENDPOINT;
if (!endpoint) throw new Error('MOTO_ENDPOINT is not set: run test/contract/run.sh');
const aws = {
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
};
const eb = new EventBridgeClient(aws);
const sqs = new SQSClient(aws);
const ENGAGEMENT_BUS = 'abm-contract-engagement';

interface SynthRule {
  stack: string;
  logicalId: string;
  pattern: Record<string, unknown>;
  onDefaultBus: boolean;
}

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

/** The synthesized template with each `{ Ref }` to an SES configuration set replaced by its Name. */
function resolveConfigurationSetRefs(resources: Resources, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveConfigurationSetRefs(resources, v));
  if (value && typeof value === 'object') {
    const ref = (value as { Ref?: string }).Ref;
    if (ref && resources[ref]?.Type === 'AWS::SES::ConfigurationSet') return resources[ref]!.Properties.Name;
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, resolveConfigurationSetRefs(resources, v)]),
    );
  }
  return value;
}

/** Every AWS::Events::Rule of the synthesized AbmStack: what CloudFormation deploys. */
function synthesizedRules(): { rules: SynthRule[]; sesConfigurationSet: string } {
  const t = buildTestStack().template().toJSON() as { Resources?: Resources };
  const resources = t.Resources ?? {};
  const sets = Object.values(resources).filter((r) => r.Type === 'AWS::SES::ConfigurationSet');
  if (sets.length !== 1) throw new Error(`expected one SES configuration set, found ${sets.length}`);
  const rules = Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::Events::Rule')
    .map(([logicalId, r]) => ({
      stack: 'AbmStack',
      logicalId,
      pattern: resolveConfigurationSetRefs(resources, r.Properties.EventPattern) as Record<string, unknown>,
      onDefaultBus: r.Properties.EventBusName === undefined || r.Properties.EventBusName === 'default',
    }));
  return { rules, sesConfigurationSet: sets[0]!.Properties.Name as string };
}

/** RULES as the stack deploys them: the SES rule narrowed to the stack's configuration set. */
let deployed: Record<RuleName, unknown>;

const ruleNameOf = (pattern: unknown): RuleName | undefined =>
  (Object.keys(RULES) as RuleName[]).find((n) => JSON.stringify(deployed[n]) === JSON.stringify(pattern));

const keyOf = (detail: Record<string, unknown>): string => String(detail.probe ?? detail.eventId);

async function drain(queueUrl: string): Promise<string[]> {
  const seen: string[] = [];
  let empty = 0;
  for (let i = 0; i < 100 && empty < 2; i++) {
    const out = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    const msgs = out.Messages ?? [];
    if (msgs.length === 0) empty++;
    for (const m of msgs)
      seen.push(keyOf((JSON.parse(m.Body!) as { detail: Record<string, unknown> }).detail));
  }
  return seen;
}

let rules: SynthRule[];
let cases: Record<RuleName, ContractCases>;
const delivered = new Map<string, string[]>(); // `${stack}/${logicalId}` -> keys received

beforeAll(async () => {
  const synthesized = synthesizedRules();
  rules = synthesized.rules;
  deployed = { ...RULES, sesEngagement: sesEngagementPattern(synthesized.sesConfigurationSet) };
  cases = await contractCases(synthesized.sesConfigurationSet);
  await eb.send(new CreateEventBusCommand({ Name: ENGAGEMENT_BUS }));
  const queues = new Map<string, string>();
  for (const [i, r] of rules.entries()) {
    if (!ruleNameOf(r.pattern)) continue;
    const bus = r.onDefaultBus ? 'default' : ENGAGEMENT_BUS;
    const name = `contract-${i}-${r.logicalId}`.slice(0, 64);
    const q = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    const attrs = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: q.QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    // The pattern exactly as synthesized (not the constant): this is what CloudFormation deploys.
    await eb.send(
      new PutRuleCommand({ Name: name, EventBusName: bus, EventPattern: JSON.stringify(r.pattern) }),
    );
    await eb.send(
      new PutTargetsCommand({
        Rule: name,
        EventBusName: bus,
        Targets: [{ Id: 'q', Arn: attrs.Attributes!.QueueArn }],
      }),
    );
    queues.set(`${r.stack}/${r.logicalId}`, q.QueueUrl!);
  }

  // Put every case on the bus its rule lives on: handler events through the production publisher.
  const engagementPublisher = new EventBridgePublisher(eb, ENGAGEMENT_BUS);
  // An event can be a case of several rules (engagement the scorer takes and a program trigger
  // listens to; a near miss of one rule that another rule matches): it is put on its bus once.
  const listed = (Object.values(cases) as ContractCases[]).flatMap((c) =>
    [...c.matches, ...c.nearMisses].map((e) => ({ e, bus: c.bus })),
  );
  const once = new Map(
    listed.map((x) => [`${x.bus}|${x.e.source}|${x.e.detailType}|${keyOf(x.e.detail)}`, x] as const),
  );
  const all = [...once.values()];
  for (const { e, bus } of all) {
    if (bus === 'engagement' && e.source.startsWith('abm.')) {
      await engagementPublisher.publish([
        { source: e.source, detailType: e.detailType, detail: e.detail } as unknown as BusEvent,
      ]);
    } else {
      const out = await eb.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: bus === 'default' ? 'default' : ENGAGEMENT_BUS,
              Source: e.source,
              DetailType: e.detailType,
              Detail: JSON.stringify(e.detail),
            },
          ],
        }),
      );
      expect(out.FailedEntryCount ?? 0).toBe(0);
    }
  }
  for (const [key, url] of queues) delivered.set(key, await drain(url));
});

describe('EventBridge rules of the synthesized stack, on moto', () => {
  it('synthesizes every rule in RULES at least once', () => {
    const found = new Set(rules.map((r) => ruleNameOf(r.pattern)).filter(Boolean));
    expect([...found].sort()).toEqual((Object.keys(RULES) as RuleName[]).sort());
    const uncovered = rules.filter((r) => !ruleNameOf(r.pattern));
    if (uncovered.length)
      console.warn(
        `rules without contract cases here: ${uncovered.map((r) => `${r.stack}/${r.logicalId}`).join(', ')}`,
      );
  });

  it('puts each RULES rule on the right bus', () => {
    for (const r of rules) {
      const name = ruleNameOf(r.pattern);
      if (name)
        expect({ rule: name, onDefaultBus: r.onDefaultBus }).toEqual({
          rule: name,
          onDefaultBus: cases[name].bus === 'default',
        });
    }
  });

  it('delivers every event the handlers publish, and no near miss', () => {
    for (const r of rules) {
      const name = ruleNameOf(r.pattern);
      if (!name) continue;
      const got = new Set(delivered.get(`${r.stack}/${r.logicalId}`));
      const keys = (events: WireEvent[]) => events.map((e) => keyOf(e.detail));
      expect({ rule: name, missing: keys(cases[name].matches).filter((k) => !got.has(k)) }).toEqual({
        rule: name,
        missing: [],
      });
      expect({ rule: name, leaked: keys(cases[name].nearMisses).filter((k) => got.has(k)) }).toEqual({
        rule: name,
        leaked: [],
      });
      expect(cases[name].matches.length).toBeGreaterThanOrEqual(7);
    }
  });

  it('delivers nothing else: no event meant for another rule or bus leaks in', () => {
    for (const r of rules) {
      const name = ruleNameOf(r.pattern);
      if (!name) continue;
      const expected = new Set(cases[name].matches.map((e) => keyOf(e.detail)));
      const got = delivered.get(`${r.stack}/${r.logicalId}`) ?? [];
      expect({ rule: name, extra: got.filter((k) => !expected.has(k)) }).toEqual({ rule: name, extra: [] });
      // Each matching event exactly once.
      expect({ rule: name, count: got.length }).toEqual({ rule: name, count: expected.size });
    }
  });
});
