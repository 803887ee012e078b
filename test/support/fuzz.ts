/* eslint-disable @typescript-eslint/no-explicit-any -- walks JSON Schema documents and JSON bodies */
/**
 * Property-based fuzzing of the HTTP API (docs/api.md "Fuzzing"): every operation of the OpenAPI
 * document (generated from the zod schemas by functions/api/openapi.ts) gets authenticated
 * requests, valid and invalid mixed, through the real router and services over dynalite
 * (test/support/api.ts), and every answer must be below 500, and every 4xx in the one error shape,
 * a 400 or 413 naming at least one field path (`params.`, `query.`, `body.`).
 *
 * Valid requests are generated from the document's JSON Schemas by `arbitraryOf` below, steered
 * by names where a schema cannot say what is valid here: ids that exist (pools seeded first),
 * refined strings through the `examples` the model declares (durations, time zones), emails,
 * past timestamps. A sequence (its graph must hold together) and a launch (it names a sequence
 * and an audience) have generators of their own built from fast-check's combinators. Invalid
 * requests are valid ones with one mutation: a field dropped, retyped, made huge (5,000
 * characters, 300 KB, 1e308, 1e-200, 2^53), an unknown field, malformed JSON, a wrong media type,
 * a broken or oversized path parameter, a forged cursor, an out-of-range query value.
 *
 * Why not a library: zod-fast-check reads zod 3 internals (this project is on zod 4) and wants
 * fast-check < 4; json-schema-fast-check is built on fast-check 1 and has no 2020-12 or `$ref`
 * support. The generator below covers the keywords z.toJSONSchema emits for these schemas and
 * fails loudly on any other, so a new schema feature cannot silently go unfuzzed.
 */
import fc from 'fast-check';
import { CSV_COLUMNS } from '../../functions/api/csv';
import { buildOpenApi } from '../../functions/api/openapi';
import type { HttpResponse } from '../../functions/api/router';
import { ErrorBody } from '../../functions/kernel/errors';
import { isStorableNumber } from '../../functions/kernel/model';
import { signUnsubscribeToken } from '../../functions/kernel/unsubscribe-token';
import { SIGNING_KEY, startHarness, type Harness } from './api';
import { fitProfile } from './accounts';
import { HmacTestReceiver, signWebhook, TEST_WEBHOOK_KEY, TEST_WEBHOOK_SECRET_NAME } from './webhooks';

type Json = Record<string, any>;

export const FUZZ_TOKEN = 'fuzz-bearer-token';

export interface FuzzRequest {
  operationId: string;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body?: string;
  /** `valid`, or the mutation that made it invalid. */
  kind: string;
}

export interface OperationCounts {
  requests: number;
  s2xx: number;
  s4xx: number;
  s5xx: number;
}

export interface FuzzFailure {
  request: FuzzRequest;
  status: number;
  body: string;
  why: string;
}

export interface FuzzStats {
  requests: number;
  status5xx: number;
  badErrorShape: number;
  valid: number;
  invalid: number;
  perOperation: Record<string, OperationCounts>;
  /** The first failures (at most 20), for the report. */
  failures: FuzzFailure[];
  seconds: number;
}

export interface FuzzOptions {
  seed: number;
  /** Requests per operation, spread over `rounds` (each round visits every operation in turn). */
  perOperation: number;
  rounds: number;
  /** Stop at the first failure, shrunk by fast-check (tests); otherwise count every failure (bench). */
  strict?: boolean;
  log?: (line: string) => void;
}

// ---------------------------------------------------------------------------
// The operations, from the OpenAPI document
// ---------------------------------------------------------------------------

interface Param {
  name: string;
  required: boolean;
  schema: Json;
}

export interface Operation {
  operationId: string;
  method: string;
  path: string;
  pathParams: Param[];
  queryParams: Param[];
  /** The JSON body schema, when the operation takes JSON. */
  body?: Json;
  bodyRequired: boolean;
  mediaTypes: string[];
  ignoresBody: boolean;
}

export function operationsOf(doc: Json): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries<Json>(doc.paths)) {
    for (const [method, op] of Object.entries<Json>(item)) {
      const params: Json[] = op.parameters ?? [];
      const param = (p: Json): Param => ({ name: p.name, required: p.required === true, schema: p.schema });
      const content: Json = op.requestBody?.content ?? {};
      ops.push({
        operationId: op.operationId,
        method: method.toUpperCase(),
        path,
        pathParams: params.filter((p) => p.in === 'path').map(param),
        queryParams: params.filter((p) => p.in === 'query').map(param),
        body: content['application/json']?.schema,
        bodyRequired: op.requestBody?.required === true,
        mediaTypes: Object.keys(content),
        ignoresBody: content['*/*'] !== undefined,
      });
    }
  }
  return ops;
}

// ---------------------------------------------------------------------------
// What exists: the pools valid requests draw their ids from
// ---------------------------------------------------------------------------

export interface Pools {
  accountIds: string[];
  contacts: { accountId: string; contactId: string }[];
  templateIds: string[];
  sequenceIds: string[];
  campaignIds: string[];
  programIds: string[];
  /** Accounts enrolled in a campaign (for the per-enrollment routes). */
  enrollments: { campaignId: string; accountId: string }[];
  taskIds: string[];
  owners: string[];
  tokens: string[];
  /** Sending domains whose breaker is paused (so a resume can succeed), and one never paused. */
  domains: string[];
  cursors: Map<string, string[]>;
}

const OWNER = 'sdr-fuzz';
const ROLES = ['economic_buyer', 'champion', 'technical_evaluator'] as const;

function fuzzAccount(i: number) {
  const accountId = `fz-acct-${i}`;
  return {
    ...fitProfile(accountId, `Fuzz ${i}`),
    tier: 1 + (i % 3),
    cluster: i % 2 === 0 ? 'even' : 'odd',
    ownerSdr: OWNER,
    contacts: ROLES.map((role, j) => ({
      contactId: `${accountId}-c${j}`,
      name: `Person ${j}`,
      email: `p${j}@${accountId}.example`,
      role,
      consent: { email: true, ads: true, directMail: true },
    })),
  };
}

const FUZZ_TEMPLATE = { subject: 'Hi {{contact.firstName}}', html: '<p>Hello</p>', text: 'Hello' };

/** Seeds accounts, templates, sequences, campaigns and tasks through the API and the store. */
async function seed(
  h: Harness,
  send: (r: Omit<FuzzRequest, 'kind' | 'operationId'>) => Promise<HttpResponse>,
) {
  const json = (method: string, path: string, body: unknown) =>
    send({
      method,
      path,
      query: {},
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const expectOk = async (what: string, res: Promise<HttpResponse>) => {
    const r = await res;
    if (r.status >= 300) throw new Error(`fuzz seeding: ${what} answered ${r.status} ${r.body}`);
  };
  const accounts = Array.from({ length: 8 }, (_, i) => fuzzAccount(i));
  await expectOk('import', json('POST', '/accounts/import', { accounts }));
  const templateIds = ['intro', 'follow-up', 'fz-t2'];
  for (const t of templateIds) await expectOk(`template ${t}`, json('PUT', `/templates/${t}`, FUZZ_TEMPLATE));
  const sequenceIds = ['fz-seq-0', 'fz-seq-1', 'fz-seq-2'];
  for (const [i, s] of sequenceIds.entries())
    await expectOk(
      `sequence ${s}`,
      json('PUT', `/sequences/${s}`, {
        name: `Fuzz ${i}`,
        exclusive: i === 2,
        steps: [
          { id: 'intro', channel: 'email', to: ['economic_buyer'], template: templateIds[i] },
          { id: 'call', channel: 'sdr_task', after: 'P2D', to: ['champion'] },
        ],
      }),
    );
  const campaignIds = ['fz-camp-0', 'fz-camp-1', 'fz-camp-2', 'fz-camp-3'];
  for (const [i, c] of campaignIds.entries())
    await expectOk(
      `campaign ${c}`,
      json('POST', '/campaigns', {
        campaignId: c,
        name: c,
        sequenceId: sequenceIds[i % 2],
        audience: { tier: 1 + (i % 3) },
        holdoutPercent: 10,
      }),
    );
  await h.launch.idle();
  const programIds = ['fz-prog-0', 'fz-prog-1'];
  for (const [i, p] of programIds.entries())
    await expectOk(
      `program ${p}`,
      json('PUT', `/programs/${p}`, {
        name: p,
        sequenceId: sequenceIds[i % 2],
        trigger: { type: 'stage.entered', stage: 'mqa' },
      }),
    );
  const enrollments: Pools['enrollments'] = [];
  for (const campaignId of campaignIds)
    for (const e of (await h.store.enrollments.listOfCampaign(campaignId, { limit: 100 })).items)
      enrollments.push({ campaignId, accountId: e.accountId });
  const taskIds: string[] = [];
  for (let i = 0; i < 12; i++) {
    const taskId = `fz-task-${i}`;
    await h.store.tasks.create({
      taskId,
      accountId: accounts[i % accounts.length].accountId,
      contactId: accounts[i % accounts.length].contacts[1].contactId,
      owner: OWNER,
      type: 'call',
      status: 'open',
      priority: 1 + (i % 3),
      dueAt: h.clock.now().toISOString(),
      reason: 'fuzz',
      context: { talkingPoints: [], recentEngagement: [], lastTouches: [] },
      createdAt: h.clock.now().toISOString(),
    });
    taskIds.push(taskId);
  }
  const contacts = accounts.flatMap((a) =>
    a.contacts.map((c) => ({ accountId: a.accountId, contactId: c.contactId })),
  );
  const domains = Array.from({ length: 24 }, (_, i) => `fz-paused-${i}.example`);
  for (const domain of domains)
    await h.store.reputation.pause({
      domain,
      status: 'paused',
      pausedAt: h.clock.now().toISOString(),
      updatedAt: h.clock.now().toISOString(),
    });
  const exp = Math.floor(h.clock.now().getTime() / 1000) + 30 * 86_400;
  return {
    accountIds: accounts.map((a) => a.accountId),
    contacts,
    templateIds,
    sequenceIds,
    campaignIds,
    programIds,
    enrollments,
    taskIds,
    owners: [OWNER, 'sdr-nobody'],
    tokens: contacts.map((c) => signUnsubscribeToken({ a: c.accountId, c: c.contactId, exp }, SIGNING_KEY)),
    domains: [...domains, 'fz-active.example'],
    cursors: new Map<string, string[]>(),
  } satisfies Pools;
}

// ---------------------------------------------------------------------------
// JSON Schema -> arbitrary (the keywords z.toJSONSchema emits here)
// ---------------------------------------------------------------------------

const HANDLED = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'propertyNames',
  'items',
  'minItems',
  'maxItems',
  'minLength',
  'maxLength',
  'pattern',
  'format',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'enum',
  'const',
  'anyOf',
  'oneOf',
  '$ref',
  'default',
  'examples',
  'description',
  'id',
  'title',
]);

/** A value for a named field that a schema cannot describe (an id that exists, a past time...). */
export type Hint = (name: string, schema: Json) => fc.Arbitrary<unknown> | undefined;

/** Small collections: a fuzz request is not a load test. */
const FEW = 3;

function resolve(doc: Json, schema: Json): Json {
  let s = schema;
  for (let i = 0; s?.$ref && i < 10; i++)
    s = s.$ref
      .replace(/^#\//, '')
      .split('/')
      .reduce((o: any, k: string) => o?.[k], doc);
  if (!s) throw new Error(`fuzz: unresolvable schema ${JSON.stringify(schema)}`);
  return s;
}

function stringArbitrary(s: Json): fc.Arbitrary<string> {
  const min = s.minLength ?? 0;
  const max = Math.min(s.maxLength ?? 40, Math.max(min, 40));
  if (s.format === 'date-time')
    return fc
      .date({
        min: new Date('2000-01-01T00:00:00Z'),
        max: new Date('2030-01-01T00:00:00Z'),
        noInvalidDate: true,
      })
      .map((d) => d.toISOString());
  if (s.format === 'email') return emailArbitrary;
  if (s.pattern && /\(\?<?[=!]/.test(s.pattern)) {
    // fast-check cannot generate from a pattern with a lookaround: the schema's examples, else
    // generated strings the pattern accepts.
    const re = new RegExp(s.pattern);
    if (s.examples) return fc.constantFrom(...(s.examples as string[]));
    return fc.string({ minLength: min, maxLength: max }).filter((v) => re.test(v));
  }
  if (s.pattern)
    return fc
      .stringMatching(new RegExp(s.pattern))
      .filter((v) => v.length >= min && v.length <= (s.maxLength ?? Infinity));
  return fc.oneof(
    fc.string({ minLength: min, maxLength: max, unit: 'grapheme-ascii' }),
    fc.string({ minLength: min, maxLength: max, unit: 'grapheme' }),
  );
}

const emailArbitrary = fc
  .tuple(
    fc.stringMatching(/^[a-z][a-z0-9.]{0,10}[a-z0-9]$/),
    fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z]$/),
  )
  .filter(([local]) => !local.includes('..'))
  .map(([local, domain]) => `${local}@${domain}.example`);

function numberArbitrary(s: Json, integer: boolean): fc.Arbitrary<number> {
  const lo = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum : -1e6);
  const hi = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum : 1e6);
  const ok = (n: number) =>
    (s.exclusiveMinimum === undefined || n > s.exclusiveMinimum) &&
    (s.exclusiveMaximum === undefined || n < s.exclusiveMaximum);
  if (integer) {
    const small = fc.integer({ min: Math.max(Math.ceil(lo), -1000), max: Math.min(Math.floor(hi), 1000) });
    return fc
      .oneof({ arbitrary: small, weight: 4 }, fc.constantFrom(Math.ceil(lo), Math.floor(hi)))
      .filter(ok);
  }
  return fc
    .oneof(
      {
        arbitrary: fc.integer({ min: Math.max(Math.ceil(lo), -1000), max: Math.min(Math.floor(hi), 1000) }),
        weight: 3,
      },
      fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true }),
    )
    .filter(ok)
    .filter(isStorableNumber); // the model's rule for decimals, which JSON Schema cannot say
}

/** An arbitrary of the values `schema` describes; `name` is the property it sits in, for hints. */
export function arbitraryOf(doc: Json, schema: Json, hint: Hint, name = ''): fc.Arbitrary<unknown> {
  const s = resolve(doc, schema);
  const hinted = hint(name, s);
  if (hinted) return hinted;
  for (const k of Object.keys(s))
    if (!HANDLED.has(k)) throw new Error(`fuzz: schema keyword "${k}" not handled (${name})`);
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  if (s.anyOf || s.oneOf)
    return fc.oneof(...(s.anyOf ?? s.oneOf).map((b: Json) => arbitraryOf(doc, b, hint, name)));
  if (s.examples && s.type === 'string' && !s.pattern) return fc.constantFrom(...s.examples);
  switch (s.type) {
    case 'string':
      return stringArbitrary(s);
    case 'integer':
      return numberArbitrary(s, true);
    case 'number':
      return numberArbitrary(s, false);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const min = s.minItems ?? 0;
      const max = Math.min(s.maxItems ?? FEW, Math.max(min, FEW));
      return fc.array(s.items ? arbitraryOf(doc, s.items, hint, name) : fc.jsonValue(), {
        minLength: min,
        maxLength: max,
      });
    }
    case 'object':
      return objectArbitrary(doc, s, hint);
    case undefined:
      return fc.jsonValue({ maxDepth: 2 });
    default:
      throw new Error(`fuzz: type ${JSON.stringify(s.type)} not handled (${name})`);
  }
}

function objectArbitrary(doc: Json, s: Json, hint: Hint): fc.Arbitrary<Json> {
  const props: Record<string, Json> = s.properties ?? {};
  const required = new Set<string>(s.required ?? []);
  const fixed = fc.record(
    Object.fromEntries(Object.entries(props).map(([k, v]) => [k, arbitraryOf(doc, v, hint, k)])),
    { requiredKeys: [...required] },
  ) as fc.Arbitrary<Json>;
  const extra = s.additionalProperties;
  if (!extra || Object.keys(props).length > 0) return fixed;
  // A record: keys from propertyNames, values from additionalProperties.
  const keys = s.propertyNames
    ? (arbitraryOf(doc, s.propertyNames, hint, 'key') as fc.Arbitrary<string>)
    : fc.string({ maxLength: 12 });
  const values =
    extra === true || Object.keys(extra).length === 0
      ? fc.jsonValue({ maxDepth: 2 })
      : arbitraryOf(doc, extra, hint);
  return fc.dictionary(keys, values, { maxKeys: FEW });
}

// ---------------------------------------------------------------------------
// Valid requests
// ---------------------------------------------------------------------------

const pick = <T>(xs: readonly T[]) => fc.constantFrom(...xs);

function hints(pools: Pools, now: Date): Hint {
  const contactIds = pools.contacts.map((c) => c.contactId);
  const past = fc
    .integer({ min: 0, max: 20 * 86_400 })
    .map((s) => new Date(now.getTime() - s * 1000).toISOString());
  return (name, s) => {
    if (name === 'techStack' && s.type === 'array')
      return fc.array(pick(['snowflake', 'sap', 'salesforce', 'databricks']), { maxLength: FEW });
    if (s.type !== 'string') return undefined;
    switch (name) {
      case 'accountId':
        return fc.oneof({ arbitrary: pick(pools.accountIds), weight: 4 }, stringArbitrary(s));
      case 'contactId':
        return fc.oneof({ arbitrary: pick(contactIds), weight: 3 }, stringArbitrary(s));
      case 'ownerSdr':
        return pick(pools.owners);
      case 'template':
        return pick(pools.templateIds);
      case 'email':
      case 'contactEmail':
      case 'to': // a test send's address
        return fc.oneof(
          emailArbitrary,
          pick(pools.contacts.map((c, i) => `p${i % 3}@${c.accountId}.example`)),
        );
      case 'occurredAt':
        return past;
      case 'country':
        return pick(['US', 'DE', 'FR', 'GB', 'JP']);
      case 'industry':
        return pick(['logistics', 'retail', 'software', 'manufacturing']);
      default:
        return undefined;
    }
  };
}

function paramHint(
  op: Operation,
  pools: Pools,
  name: string,
  s: Json,
  doc: Json,
  hint: Hint,
): fc.Arbitrary<string> {
  const pooled = (xs: string[]) =>
    fc.oneof(
      { arbitrary: pick(xs), weight: 5 },
      arbitraryOf(doc, s, () => undefined) as fc.Arbitrary<string>,
    );
  switch (name) {
    case 'accountId':
      return pooled(pools.accountIds);
    case 'contactId':
      return pooled(pools.contacts.map((c) => c.contactId));
    case 'templateId':
      return pooled(pools.templateIds);
    case 'sequenceId':
      return pooled(pools.sequenceIds);
    case 'campaignId':
      return pooled(pools.campaignIds);
    case 'programId':
      return pooled(pools.programIds);
    case 'taskId':
      return pooled(pools.taskIds);
    case 't':
      return pick(pools.tokens);
    case 'domain':
      return pooled(pools.domains);
    case 'owner':
      return pick(pools.owners);
    case 'version':
      return fc
        .oneof(
          { arbitrary: fc.integer({ min: 1, max: 3 }), weight: 4 },
          fc.integer({ min: 1, max: 99_999_999 }),
        )
        .map(String);
    case 'cursor': {
      const known = pools.cursors.get(op.operationId) ?? [];
      return known.length > 0 ? pick(known) : fc.constant('');
    }
    default:
      return arbitraryOf(doc, s, hint, name).map((v) => String(v));
  }
}

/** A sequence whose graph holds together: forward jumps only, ids unique, templates that exist. */
function sequenceArbitrary(pools: Pools): fc.Arbitrary<Json> {
  const roles = fc.oneof(
    fc.constant('all'),
    fc.uniqueArray(pick(['economic_buyer', 'champion', 'technical_evaluator', 'end_user']), {
      minLength: 1,
      maxLength: 3,
    }),
  );
  const after = pick(['P0D', 'PT4H', 'P1D', 'P3D', 'P1W']);
  const condition = fc.record(
    {
      minScore: fc.integer({ min: 0, max: 100 }),
      stages: fc.uniqueArray(pick(['target', 'engaged', 'mqa']), { minLength: 1, maxLength: 3 }),
      events: fc.uniqueArray(pick(['email.opened', 'web.visit', 'meeting.booked']), {
        minLength: 1,
        maxLength: 2,
      }),
    },
    { requiredKeys: [] },
  );
  const touch = fc.oneof(
    fc.record({ channel: fc.constant('email'), after, to: roles, template: pick(pools.templateIds) }),
    fc.record({
      channel: fc.constant('sdr_task'),
      after,
      to: roles,
      priority: fc.integer({ min: 1, max: 3 }),
    }),
    fc.record({ channel: fc.constant('ads'), after, to: roles, audience: fc.constant('tier1-committee') }),
    fc.record({
      channel: fc.constant('direct_mail'),
      after,
      to: roles,
      piece: fc.constant('roi-booklet'),
      maxCostCents: fc.integer({ min: 1, max: 10_000 }),
    }),
    fc.record({ type: fc.constant('await_engagement'), timeout: after, until: condition }),
  );
  return fc
    .record({
      name: fc.string({ minLength: 1, maxLength: 40 }),
      description: fc.option(fc.string({ maxLength: 60 }), { nil: undefined }),
      exclusive: fc.boolean(),
      steps: fc.array(touch, { minLength: 1, maxLength: 5 }),
      branch: fc.option(condition, { nil: undefined }),
      exit: fc.boolean(),
    })
    .map(({ steps, branch, exit, description, ...rest }) => {
      const ids = steps.map((_, i) => `s${i}`);
      const all: Json[] = steps.map((step, i) => ({ id: ids[i], ...step }));
      if (branch && all.length > 1)
        all.unshift({ id: 'route', type: 'branch', cases: [{ if: branch, goto: ids[ids.length - 1] }] });
      if (exit) all.push({ id: 'end', type: 'exit', reason: 'done' });
      return { ...rest, ...(description === undefined ? {} : { description }), steps: all };
    });
}

function launchArbitrary(pools: Pools): fc.Arbitrary<Json> {
  const audience = fc.oneof(
    fc.record({ tier: fc.integer({ min: 1, max: 3 }) }),
    fc.record({ cluster: pick(['even', 'odd', 'none']) }),
    fc.record({ accountIds: fc.uniqueArray(pick(pools.accountIds), { minLength: 1, maxLength: 4 }) }),
  );
  return fc.record(
    {
      campaignId: fc.oneof(pick(pools.campaignIds), fc.stringMatching(/^fz-new-[a-z0-9]{1,8}$/)),
      name: fc.string({ minLength: 1, maxLength: 40 }),
      sequenceId: fc.oneof(
        { arbitrary: pick(pools.sequenceIds), weight: 5 },
        fc.constant('no-such-sequence'),
      ),
      audience,
      holdoutPercent: fc.oneof(
        fc.integer({ min: 0, max: 90 }),
        fc.double({ min: 0.5, max: 90, noNaN: true }),
      ),
      dryRun: fc.boolean(),
    },
    { requiredKeys: ['name', 'sequenceId', 'audience'] },
  );
}

/** A program over a sequence that exists, with any of the triggers and re-entry rules. */
function programArbitrary(pools: Pools): fc.Arbitrary<unknown> {
  return fc.record(
    {
      name: fc.string({ minLength: 1, maxLength: 40 }),
      sequenceId: pools.sequenceIds.length > 0 ? pick(pools.sequenceIds) : fc.constant('seq'),
      trigger: fc.oneof(
        fc.record(
          {
            type: fc.constant('intent.surge'),
            minStrength: fc.integer({ min: 0, max: 100 }),
            topics: fc.array(fc.string({ minLength: 1, maxLength: 20 }), { minLength: 1, maxLength: 3 }),
          },
          { requiredKeys: ['type'] },
        ),
        fc.record({
          type: fc.constant('stage.entered'),
          stage: fc.constantFrom('engaged', 'mqa', 'opportunity'),
        }),
        fc.record({ type: fc.constant('score.crossed'), minScore: fc.integer({ min: 0, max: 200 }) }),
        fc.record({
          type: fc.constant('crm.stage_changed'),
          stage: fc.constantFrom('opportunity', 'customer'),
        }),
        fc.record(
          { type: fc.constant('account.imported'), tiers: fc.subarray([1, 2, 3], { minLength: 1 }) },
          { requiredKeys: ['type'] },
        ),
      ),
      audience: fc.record(
        { tiers: fc.subarray([1, 2, 3]), minFit: fc.integer({ min: 0, max: 100 }) },
        { requiredKeys: [] },
      ),
      reentry: fc.oneof(
        fc.constant({ once: true }),
        fc.record({ after: fc.constantFrom('P30D', 'P1W', 'PT12H') }),
        fc.constant({ exclusive: true }),
      ),
      status: fc.constantFrom('active', 'paused'),
    },
    { requiredKeys: ['name', 'sequenceId', 'trigger'] },
  );
}

/** A delivery of the harness's test webhook provider (test/support/webhooks.ts): engagement or a task outcome. */
function webhookArbitrary(pools: Pools): fc.Arbitrary<unknown> {
  return fc.record({
    id: fc.string({ minLength: 1, maxLength: 40 }),
    accountId: pools.accountIds.length > 0 ? pick(pools.accountIds) : fc.constant('acct-1'),
  });
}

/** A Pinpoint journey (the JourneyResponse shape): an email, then a chain of activities, maybe wrapped. */
function journeyArbitrary(): fc.Arbitrary<unknown> {
  const activity = fc.oneof(
    fc.record({ EMAIL: fc.record({ TemplateName: fc.constantFrom('intro', 'Follow Up', 'x') }) }),
    fc.record({
      Wait: fc.record({ WaitTime: fc.record({ WaitFor: fc.constantFrom('P1D', 'PT4H', 'P2W') }) }),
    }),
    fc.record({ ContactCenter: fc.constant({}) }),
    fc.record({ SMS: fc.record({ TemplateName: fc.constant('sms') }) }),
    fc.record({ Holdout: fc.record({ Percentage: fc.integer({ min: 0, max: 100 }) }) }),
  );
  return fc.tuple(fc.array(activity, { maxLength: 6 }), fc.boolean()).map(([rest, wrapped]) => {
    const chain: Json[] = [{ EMAIL: { TemplateName: 'intro' } }, ...rest];
    const Activities = Object.fromEntries(
      chain.map((a, i) => {
        const [type, body] = Object.entries(a)[0] as [string, Json];
        return [`a${i}`, { [type]: i + 1 < chain.length ? { ...body, NextActivity: `a${i + 1}` } : body }];
      }),
    );
    const journey = { Id: 'fuzz', Name: 'fuzz', StartActivity: 'a0', Activities };
    return wrapped ? { JourneyResponse: journey } : journey;
  });
}

const TEMPLATE_TRY_OUTS = new Set(['previewTemplate', 'testSendTemplate']);

function validRequest(op: Operation, pools: Pools, doc: Json, now: Date): fc.Arbitrary<FuzzRequest> {
  const hint = hints(pools, now);
  const independent = fc.record(
    Object.fromEntries(op.pathParams.map((p) => [p.name, paramHint(op, pools, p.name, p.schema, doc, hint)])),
  ) as fc.Arbitrary<Record<string, string>>;
  // An enrollment is a campaign and an account that go together.
  const names = op.pathParams
    .map((p) => p.name)
    .sort()
    .join();
  const pathParams: fc.Arbitrary<Record<string, string>> =
    names === 'accountId,campaignId' && pools.enrollments.length > 0
      ? fc.oneof({ arbitrary: pick(pools.enrollments.map((e) => ({ ...e }))), weight: 3 }, independent)
      : independent;
  const query = fc.record(
    Object.fromEntries(
      op.queryParams.map((p) => [p.name, paramHint(op, pools, p.name, p.schema, doc, hint)]),
    ),
    { requiredKeys: op.queryParams.filter((p) => p.required).map((p) => p.name) },
  ) as fc.Arbitrary<Record<string, string>>;
  const body: fc.Arbitrary<unknown> =
    op.operationId === 'putSequence'
      ? sequenceArbitrary(pools)
      : op.operationId === 'launchCampaign'
        ? launchArbitrary(pools)
        : op.operationId === 'importPinpointJourney'
          ? journeyArbitrary()
          : op.operationId === 'receiveWebhook'
            ? webhookArbitrary(pools)
            : op.operationId === 'putProgram'
              ? programArbitrary(pools)
              : op.body
                ? arbitraryOf(doc, op.body, hint)
                : fc.constant(undefined);
  const asCsv = op.mediaTypes.includes('text/csv') ? fc.boolean() : fc.constant(false);
  // A preview or a test send names an account and one of its contacts: drawn independently, the
  // two rarely go together, so half the valid bodies take a contact of the pool with its account.
  const pair: fc.Arbitrary<{ accountId: string; contactId: string } | null> =
    TEMPLATE_TRY_OUTS.has(op.operationId) && pools.contacts.length > 0
      ? fc.option(pick(pools.contacts), { freq: 2 })
      : fc.constant(null);
  return fc.tuple(pathParams, query, body, asCsv, pair).map(([params, q, b0, csv, contact]) => {
    // A contact's id in the body, when given, is the one in the path.
    const b =
      op.operationId === 'putContact' && (b0 as Json).contactId
        ? { ...(b0 as Json), contactId: params.contactId }
        : contact && b0 && typeof b0 === 'object'
          ? { ...(b0 as Json), accountId: contact.accountId, contactId: contact.contactId }
          : b0;
    // A webhook goes to the provider the harness configures, signed as that provider signs.
    if (op.operationId === 'receiveWebhook') params.provider = 'lob';
    const path = op.path.replace(/\{(\w+)\}/g, (_, k: string) => encodeURIComponent(params[k]));
    const cleaned = Object.fromEntries(Object.entries(q).filter(([, v]) => v !== ''));
    const headers: Record<string, string> = { accept: 'application/json' };
    let text: string | undefined;
    if (b !== undefined) {
      text = csv ? toCsv((b as { accounts: Json[] }).accounts) : JSON.stringify(b);
      headers['content-type'] = csv ? 'text/csv' : 'application/json';
      if (op.operationId === 'receiveWebhook') headers['x-signature'] = signWebhook(text);
    }
    return {
      operationId: op.operationId,
      method: op.method,
      path,
      query: cleaned,
      headers,
      body: text,
      kind: 'valid',
    };
  });
}

/** Import rows as the CSV the API also takes: one row per contact, account columns repeated. */
function toCsv(accounts: Json[]): string {
  const columns = [...CSV_COLUMNS, 'techStack'];
  const cell = (v: unknown) =>
    v === undefined || v === null
      ? ''
      : `"${String(Array.isArray(v) ? v.join(';') : v).replace(/"/g, '""')}"`;
  const rows = accounts.flatMap((a) =>
    (a.contacts?.length ? a.contacts : [{}]).map((c: Json) =>
      columns
        .map((col) => cell(col === 'contactName' ? c.name : col in c && col !== 'name' ? c[col] : a[col]))
        .join(','),
    ),
  );
  return [columns.join(','), ...rows].join('\r\n');
}

// ---------------------------------------------------------------------------
// Invalid requests: one mutation of a valid one
// ---------------------------------------------------------------------------

const HUGE_STRINGS = [
  (n: number) => 'x'.repeat(n),
  (n: number) => '€'.repeat(n),
  (n: number) => '\u0000'.repeat(n),
  (n: number) => '\ud800'.repeat(n),
];
const HUGE_NUMBERS = [1e308, -1e308, 1e-200, -1e-200, 2 ** 53, -(2 ** 53), 2 ** 53 + 2, 1.5, -1, 0, 1e126];
const WRONG_VALUES: unknown[] = [null, true, 0, -1, '', 'x', [], {}, [[]], { a: 1 }, '1e308'];

/** Every location in a JSON value: [] is the root. */
function locations(value: unknown, at: (string | number)[] = [], out: (string | number)[][] = []) {
  out.push(at);
  if (Array.isArray(value)) value.forEach((v, i) => locations(v, [...at, i], out));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) locations(v, [...at, k], out);
  return out;
}

function getAt(value: any, at: (string | number)[]) {
  return at.reduce((o, k) => o?.[k], value);
}

function setAt(value: any, at: (string | number)[], next: unknown, remove = false): unknown {
  if (at.length === 0) return next;
  const copy = structuredClone(value);
  const parent = getAt(copy, at.slice(0, -1));
  const key = at[at.length - 1];
  if (parent && typeof parent === 'object') {
    if (remove) {
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
    } else parent[key] = next;
  }
  return copy;
}

function forgedCursor(known: string[]): fc.Arbitrary<string> {
  const b64 = (v: unknown) =>
    Buffer.from(typeof v === 'string' ? v : JSON.stringify(v), 'utf8').toString('base64url');
  const keyNames = pick(['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 't', 'c', '__proto__', '']);
  const keyValue = fc.oneof(
    fc.string({ maxLength: 20 }),
    fc.integer(),
    fc.constant('x'.repeat(1100)),
    fc.constant(null),
  );
  const object = fc.dictionary(keyNames, keyValue, { maxKeys: 6 });
  return fc.oneof(
    fc.string({ minLength: 1, maxLength: 60 }),
    object.map(b64),
    object.map((inner) => b64({ t: 1, c: b64(inner) })),
    fc.constantFrom('e30', 'W10', 'bnVsbA', b64('"x"'), b64({ t: 9 }), b64({ t: 1, c: 7 })),
    ...(known.length > 0
      ? [
          fc
            .tuple(pick(known), fc.nat())
            .map(([c, i]) => c.slice(0, i % c.length) + 'A' + c.slice((i % c.length) + 1)),
        ]
      : []),
  );
}

function mutation(op: Operation, pools: Pools): fc.Arbitrary<(r: FuzzRequest) => FuzzRequest> {
  const withBody = (
    f: (body: unknown, sel: number, arg: any) => unknown,
    arg: fc.Arbitrary<any>,
    name: string,
  ) =>
    fc.tuple(fc.nat(), arg).map(([sel, a]) => (r: FuzzRequest) => {
      if (r.body === undefined) return { ...r, kind: `${name}(no body)` };
      if (r.headers['content-type'] === 'text/csv') {
        // CSV: the same mutation on one cell, as text.
        const lines = r.body.split('\r\n');
        const line = 1 + (sel % Math.max(lines.length - 1, 1));
        const cells = (lines[line] ?? '').split(',');
        cells[sel % cells.length] = JSON.stringify(f('x', sel, a) ?? '');
        lines[line] = cells.join(',');
        return { ...r, body: lines.join('\r\n'), kind: `${name}(csv)` };
      }
      const body = JSON.parse(r.body);
      return { ...r, body: JSON.stringify(f(body, sel, a)), kind: name };
    });
  const choose = (body: unknown, sel: number) => {
    const all = locations(body);
    return all[sel % all.length];
  };
  const bodyMutations = [
    withBody(
      (b, sel) => {
        const at = choose(b, sel);
        return at.length === 0 ? {} : setAt(b, at, undefined, true);
      },
      fc.constant(0),
      'drop-field',
    ),
    withBody((b, sel, v) => setAt(b, choose(b, sel), v), pick(WRONG_VALUES), 'wrong-type'),
    withBody(
      (b, sel, [make, n]) => {
        const strings = locations(b).filter((at) => typeof getAt(b, at) === 'string');
        return strings.length === 0 ? b : setAt(b, strings[sel % strings.length], make(n));
      },
      fc.tuple(pick(HUGE_STRINGS), pick([65, 255, 1100, 5000, 70_000, 300_000])),
      'huge-string',
    ),
    withBody(
      (b, sel, n) => {
        const numbers = locations(b).filter((at) => typeof getAt(b, at) === 'number');
        return setAt(b, numbers.length === 0 ? choose(b, sel) : numbers[sel % numbers.length], n);
      },
      pick(HUGE_NUMBERS),
      'huge-number',
    ),
    withBody(
      (b, sel, v) => {
        const objects = locations(b).filter((at) => {
          const x = getAt(b, at);
          return x && typeof x === 'object' && !Array.isArray(x);
        });
        if (objects.length === 0) return b;
        const at = objects[sel % objects.length];
        return setAt(b, [...at, v], 'unexpected');
      },
      pick(['unknown', '__proto__', 'constructor', '']),
      'extra-field',
    ),
    withBody(
      (b, sel, n) => {
        const arrays = locations(b).filter((at) => Array.isArray(getAt(b, at)));
        if (arrays.length === 0) return b;
        const at = arrays[sel % arrays.length];
        const items: unknown[] = getAt(b, at);
        return setAt(
          b,
          at,
          Array.from({ length: n }, (_, i) => items[i % Math.max(items.length, 1)] ?? {}),
        );
      },
      pick([0, 101, 600, 2500]),
      'many-items',
    ),
  ];
  // Nesting deeper than a call stack goes, spliced in as text (JSON.stringify could not write it).
  const deep = fc.tuple(fc.nat(), pick([40, 5000, 100_000])).map(([sel, depth]) => (r: FuzzRequest) => {
    if (r.body === undefined || r.headers['content-type'] !== 'application/json')
      return { ...r, kind: 'deep(no json)' };
    const body = JSON.parse(r.body);
    const marker = '"\u0000deep\u0000"';
    const text = JSON.stringify(setAt(body, choose(body, sel), '\u0000deep\u0000'));
    return { ...r, body: text.replace(marker, '['.repeat(depth) + ']'.repeat(depth)), kind: 'deep' };
  });
  const raw = fc
    .tuple(
      pick([
        '{"unterminated',
        'null',
        '[]',
        '"string"',
        '{"a":' + '['.repeat(5000) + ']'.repeat(5000) + '}',
        '\u0000',
        '1e400',
        '{"__proto__":{"x":1}}',
      ]),
      pick([
        'application/json',
        'text/csv',
        'text/xml',
        'application/octet-stream',
        'application/x-www-form-urlencoded',
        '',
      ]),
    )
    .map(([body, type]) => (r: FuzzRequest) => ({
      ...r,
      body,
      headers: { ...r.headers, 'content-type': type },
      kind: `raw-body(${type || 'none'})`,
    }));
  const noBody = fc.constant((r: FuzzRequest) => {
    const { 'content-type': _ignored, ...headers } = r.headers;
    return { ...r, body: undefined, headers, kind: 'no-body' };
  });
  const paramMutation = fc
    .tuple(
      fc.nat(),
      pick([
        'c'.repeat(5000),
        '%ZZ',
        '%E0%A4%A',
        '..',
        '%00',
        'a b',
        '€'.repeat(70),
        'x'.repeat(65),
        '-leading',
        '%2F',
      ]),
    )
    .map(([sel, value]) => (r: FuzzRequest) => {
      const names = [...op.path.matchAll(/\{(\w+)\}/g)];
      if (names.length === 0) return { ...r, kind: 'param(none)' };
      const parts = r.path.split('/');
      const templateParts = op.path.split('/');
      const slots = templateParts.map((p, i) => (p.startsWith('{') ? i : -1)).filter((i) => i >= 0);
      parts[slots[sel % slots.length]] = value;
      return { ...r, path: parts.join('/'), kind: 'param' };
    });
  const queryMutation = fc
    .tuple(
      fc.nat(),
      fc.oneof(
        forgedCursor(pools.cursors.get(op.operationId) ?? []).map((v) => ['cursor', v] as const),
        pick(['0', '101', '-1', '1e308', 'abc', '1.5', '', 'x'.repeat(3000)]).map(
          (v) => ['limit', v] as const,
        ),
        pick(['', 'x'.repeat(5000), '1', '99999999999', 'AAAA.BBBB', 'a.b.c']).map(
          (v) => ['any', v] as const,
        ),
      ),
    )
    .map(([sel, [name, value]]) => (r: FuzzRequest) => {
      const params = op.queryParams.map((p) => p.name);
      const key = name === 'any' ? (params.length > 0 ? params[sel % params.length] : 'unknown') : name;
      return { ...r, query: { ...r.query, [key]: value }, kind: `query(${key})` };
    });
  const options: fc.Arbitrary<(r: FuzzRequest) => FuzzRequest>[] = [paramMutation, queryMutation];
  if (op.body || op.ignoresBody) options.push(...bodyMutations, deep, raw, noBody);
  return fc.oneof(...options);
}

export function requestArbitrary(
  op: Operation,
  pools: Pools,
  doc: Json,
  now: Date,
): fc.Arbitrary<FuzzRequest> {
  const valid = validRequest(op, pools, doc, now);
  return fc.oneof(
    { arbitrary: valid, weight: 1 },
    { arbitrary: fc.tuple(valid, mutation(op, pools)).map(([r, m]) => m(r)), weight: 1 },
  );
}

// ---------------------------------------------------------------------------
// The check and the run
// ---------------------------------------------------------------------------

/** Why an answer breaks the contract, or undefined when it keeps it. */
export function judge(res: HttpResponse): string | undefined {
  if (res.status >= 500) return `status ${res.status}`;
  if (res.status < 400) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(res.body);
  } catch {
    return 'a 4xx that is not JSON';
  }
  const shape = ErrorBody.safeParse(json);
  if (!shape.success) return 'a 4xx not in the error shape';
  if (res.status === 400 || res.status === 413) {
    const { details } = shape.data.error;
    if (details.length === 0) return `a ${res.status} without field paths`;
    const bad = details.find((d) => !/^(params|query|body)(\.|$)/.test(d.path));
    if (bad) return `a ${res.status} whose path "${bad.path}" does not say where the field is`;
  }
  return undefined;
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzStats> {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  const h = await startHarness({
    bearerToken: FUZZ_TOKEN,
    webhookReceivers: () => new Map([['lob', new HmacTestReceiver('lob')]]),
    providerSecrets: { [TEST_WEBHOOK_SECRET_NAME]: { key: TEST_WEBHOOK_KEY } },
    // A From address, so a template test send can succeed (the harness's email port only records).
    senderEmail: 'fuzz@seller.example',
  });
  const send = (r: Omit<FuzzRequest, 'kind' | 'operationId'>) =>
    h.router.handleHttp({
      method: r.method,
      path: r.path,
      query: r.query,
      headers: { ...r.headers, authorization: `Bearer ${FUZZ_TOKEN}` },
      body: r.body,
    });
  const stats: FuzzStats = {
    requests: 0,
    status5xx: 0,
    badErrorShape: 0,
    valid: 0,
    invalid: 0,
    perOperation: {},
    failures: [],
    seconds: 0,
  };
  try {
    const pools = await seed(h, send);
    const doc = buildOpenApi(h.router.routes, { version: 'fuzz' });
    const ops = operationsOf(doc);
    for (const op of ops) stats.perOperation[op.operationId] = { requests: 0, s2xx: 0, s4xx: 0, s5xx: 0 };
    const perRound = Math.ceil(options.perOperation / options.rounds);
    for (let round = 0; round < options.rounds; round++) {
      for (const [i, op] of ops.entries()) {
        const arbitrary = requestArbitrary(op, pools, doc, h.clock.now());
        await fc.assert(
          fc.asyncProperty(arbitrary, async (request) => {
            const res = await send(request);
            const counts = stats.perOperation[op.operationId];
            stats.requests++;
            counts.requests++;
            if (request.kind === 'valid') stats.valid++;
            else stats.invalid++;
            if (res.status >= 500) {
              stats.status5xx++;
              counts.s5xx++;
            } else if (res.status >= 400) counts.s4xx++;
            else if (res.status >= 200 && res.status < 300) counts.s2xx++;
            learn(pools, request, res);
            const why = judge(res);
            if (why === undefined) return true;
            if (res.status < 500) stats.badErrorShape++;
            if (stats.failures.length < 20)
              stats.failures.push({
                request: clip(request),
                status: res.status,
                body: res.body.slice(0, 500),
                why,
              });
            return !options.strict;
          }),
          { seed: options.seed + round * 1000 + i, numRuns: perRound, endOnFailure: true },
        );
      }
      log(`fuzz: round ${round + 1}/${options.rounds}, ${stats.requests} requests, ${stats.status5xx} 5xx`);
    }
  } finally {
    await h.stop();
  }
  stats.seconds = Math.round((performance.now() - started) / 100) / 10;
  return stats;
}

/** What a 2xx teaches: cursors to page on, campaigns that now exist. */
function learn(pools: Pools, request: FuzzRequest, res: HttpResponse) {
  if (res.status < 200 || res.status >= 300 || !res.body.startsWith('{')) return;
  const json = JSON.parse(res.body);
  if (typeof json.cursor === 'string') {
    const known = pools.cursors.get(request.operationId) ?? [];
    if (known.length < 20 && !known.includes(json.cursor)) known.push(json.cursor);
    pools.cursors.set(request.operationId, known);
  }
  if (request.operationId === 'launchCampaign' && typeof json.campaignId === 'string' && !json.dryRun) {
    if (!pools.campaignIds.includes(json.campaignId)) pools.campaignIds.push(json.campaignId);
  }
}

function clip(r: FuzzRequest): FuzzRequest {
  const cut = (s: string) => (s.length > 300 ? `${s.slice(0, 300)}... (${s.length} chars)` : s);
  return {
    ...r,
    path: cut(r.path),
    query: Object.fromEntries(Object.entries(r.query).map(([k, v]) => [k, cut(v)])),
    ...(r.body === undefined ? {} : { body: cut(r.body) }),
  };
}
