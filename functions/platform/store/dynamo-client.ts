/**
 * The DynamoDB client every runtime uses (Lambda, local mode, tests): DynamoDB's JSON protocol
 * spoken directly. Each call is one POST of a JSON body to the Region's endpoint with the
 * operation in `X-Amz-Target: DynamoDB_20120810.<Operation>` and `Content-Type:
 * application/x-amz-json-1.0`, signed with Signature Version 4 (service `dynamodb`); the answer is
 * the operation's JSON output, or an error whose `__type` names it
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.LowLevelAPI.html).
 *
 * Why not the AWS SDK's client (docs/architecture.md "DynamoDB client"): loading
 * `@aws-sdk/client-dynamodb` with `lib-dynamodb` took 100-180 ms of every function's cold start
 * (`npm run bench -- bundles`), and its middleware stack was about a third of local mode's CPU
 * (profiled under `npm run demo`). Why not aws-lite: its transport is fixed to Node's HTTP client,
 * and local mode hands each request to the local DynamoDB engine in process (`transport`). What is
 * kept from the SDK: its item codec, `@aws-sdk/util-dynamodb` (table.ts); the SigV4 signature is
 * made here (sigv4.ts says why) and checked against the SDK's signer.
 *
 * Retries follow the SDK's standard mode
 * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html): at most 3
 * attempts by default; throttling errors, 5xx answers and dropped connections are retried after a
 * full-jitter exponential backoff (base 100 ms, 500 ms for throttling, capped at 20 s); every other
 * error (a failed condition, a validation error) is thrown at once.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { fullJitter } from '../../kernel/async';
import { signRequest } from './sigv4';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** One signed request, as a transport sends it. */
export interface DynamoRequest {
  url: URL;
  headers: Record<string, string>;
  body: string;
}

export interface DynamoResponse {
  statusCode: number;
  body: string;
}

/** How a signed request reaches DynamoDB: HTTPS by default; local mode's engine in process. */
export type DynamoTransport = (request: DynamoRequest) => Promise<DynamoResponse>;

export interface DynamoConnection {
  /** Another endpoint than the Region's (a local engine). */
  endpoint?: string;
  /** Default: AWS_REGION, then AWS_DEFAULT_REGION. */
  region?: string;
  /** Default: the environment's keys (Lambda sets them to the function role's). */
  credentials?: AwsCredentials | (() => Promise<AwsCredentials>);
  /** Default: Node's fetch (HTTPS, or HTTP for an http:// endpoint), over keep-alive connections. */
  transport?: DynamoTransport;
  /** Attempts in all, the first included (default 3, as the SDK). */
  maxAttempts?: number;
  /** Injected for tests. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** The operations the store calls (table management included: local mode and tests create the table). */
export type DynamoOperation =
  | 'GetItem'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'Query'
  | 'Scan'
  | 'BatchGetItem'
  | 'BatchWriteItem'
  | 'TransactWriteItems'
  | 'CreateTable'
  | 'DescribeTable'
  | 'DeleteTable';

export interface DynamoClient {
  /** Sends one operation (input and output in DynamoDB's wire form: attribute values typed). */
  send<O = Record<string, unknown>>(operation: DynamoOperation, input: Record<string, unknown>): Promise<O>;
  /** Closes idle connections. */
  destroy(): void;
}

/** An error DynamoDB answered (or the connection failed with): `name` is DynamoDB's error type. */
export class DynamoError extends Error {
  constructor(
    name: string,
    message: string,
    /** The HTTP status (undefined when no answer came). */
    readonly statusCode: number | undefined,
    /** TransactWriteItems: why each action was cancelled, in request order. */
    readonly cancellationReasons?: { Code?: string; Message?: string }[],
  ) {
    super(message);
    this.name = name;
  }
}

/**
 * DynamoDB's throttling errors (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html),
 * and TransactionInProgressException: a retried transaction whose first attempt still runs.
 */
const THROTTLING =
  /^(ProvisionedThroughputExceededException|ThrottlingException|RequestLimitExceeded|LimitExceededException|TransactionInProgressException)$/;
/** A connection that failed or dropped before the answer (UND_ERR_SOCKET: undici's name for the latter). */
const CONNECTION_ERRORS =
  /^(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|UND_ERR_SOCKET|UND_ERR_(CONNECT|HEADERS|BODY)_TIMEOUT)$/;
const BASE_DELAY_MS = 100;
const THROTTLING_BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 20_000;

export function createDynamoClient(connection: DynamoConnection = {}): DynamoClient {
  const credentials = credentialSource(connection.credentials);
  const maxAttempts = connection.maxAttempts ?? 3;
  const sleep = connection.sleep ?? delay;
  const random = connection.random ?? Math.random;
  // Resolved at the first call, as the SDK does (a function built without a Region fails when used).
  let target: { region: string; endpoint: URL; transport: DynamoTransport } | undefined;
  const resolve = () => {
    if (target) return target;
    const region = connection.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    if (!region) throw new Error('DynamoDB: no Region (set AWS_REGION or pass a region)');
    const endpoint = new URL(
      connection.endpoint ??
        // The Region's endpoint (https://docs.aws.amazon.com/general/latest/gr/ddb.html).
        `https://dynamodb.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`,
    );
    return (target = { region, endpoint, transport: connection.transport ?? fetchTransport });
  };

  async function attempt(operation: DynamoOperation, body: string): Promise<DynamoResponse> {
    const { region, endpoint, transport } = resolve();
    const headers = signRequest({
      method: 'POST',
      host: endpoint.host,
      path: endpoint.pathname || '/',
      headers: {
        'Content-Type': 'application/x-amz-json-1.0',
        'X-Amz-Target': `DynamoDB_20120810.${operation}`,
      },
      body,
      region,
      service: 'dynamodb',
      credentials: await credentials(),
    });
    return transport({ url: endpoint, headers, body });
  }

  return {
    async send<O>(operation: DynamoOperation, input: Record<string, unknown>): Promise<O> {
      // One body for every attempt: a TransactWriteItems whose input carries a ClientRequestToken
      // (as it must: the SDK adds one) is retried with it, so one that committed but whose answer
      // was lost is not applied twice (the token holds for 10 minutes,
      // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html).
      const body = JSON.stringify(input, blobsAsBase64);
      for (let n = 1; ; n++) {
        let error: DynamoError;
        try {
          const res = await attempt(operation, body);
          if (res.statusCode === 200) return parseOutput<O>(res.body);
          error = answeredError(res);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code ?? '';
          if (!CONNECTION_ERRORS.test(code)) throw err;
          error = new DynamoError(code, `DynamoDB ${operation}: ${(err as Error).message}`, undefined);
        }
        const throttled = THROTTLING.test(error.name) || error.statusCode === 429;
        // Transient answers as the SDK counts them: 500, 502, 503, 504.
        const retryable =
          throttled || error.statusCode === undefined || /^50[0234]$/.test(`${error.statusCode}`);
        if (!retryable || n >= maxAttempts) throw error;
        const base = throttled ? THROTTLING_BASE_DELAY_MS : BASE_DELAY_MS;
        await sleep(fullJitter(n - 1, base, MAX_DELAY_MS, random));
      }
    },
    destroy() {
      // fetch's connections are pooled by Node and close when idle.
    },
  };
}

/**
 * Binary attribute values (`B`, `BS`) travel as base64 strings in the JSON protocol; in memory they
 * are bytes (what the item codec makes of a Buffer and gives back). The replacer reads the value
 * before its `toJSON` (a Buffer's would be `{type, data}`).
 */
function blobsAsBase64(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  return raw instanceof Uint8Array
    ? Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64')
    : value;
}

/**
 * The output, binary values decoded. Only an attribute value's type can be `B` with a string or
 * `BS` with an array of strings: an attribute named B or BS has a typed object as its value.
 */
function parseOutput<O>(text: string): O {
  if (!text) return {} as O;
  if (!text.includes('"B":') && !text.includes('"BS":')) return JSON.parse(text) as O;
  return JSON.parse(text, (key, value: unknown) => {
    if (key === 'B' && typeof value === 'string') return Buffer.from(value, 'base64');
    if (key === 'BS' && Array.isArray(value) && value.every((v) => typeof v === 'string'))
      return value.map((v: string) => Buffer.from(v, 'base64'));
    return value;
  }) as O;
}

/** DynamoDB's error body: `{"__type":"com.amazonaws.dynamodb.v20120810#Name","message":"..."}`. */
function answeredError({ statusCode, body }: DynamoResponse): DynamoError {
  let e: { __type?: string; message?: string; Message?: string; CancellationReasons?: [] } = {};
  try {
    e = JSON.parse(body) as typeof e;
  } catch {
    // not JSON (a proxy's page): named by its status
  }
  const type = e.__type ?? (statusCode >= 500 ? '#InternalServerError' : '#UnknownError');
  const message = e.message ?? e.Message ?? `DynamoDB answered ${statusCode}`;
  return new DynamoError(type.slice(type.indexOf('#') + 1), message, statusCode, e.CancellationReasons);
}

function credentialSource(given: DynamoConnection['credentials']): () => Promise<AwsCredentials> {
  if (typeof given === 'function') return given;
  // Lambda sets the function role's keys in the environment for the life of the execution
  // environment: read at the first call, then kept.
  let fromEnv: AwsCredentials | undefined;
  return async () => {
    if (given) return given;
    if (fromEnv) return fromEnv;
    const {
      AWS_ACCESS_KEY_ID: accessKeyId,
      AWS_SECRET_ACCESS_KEY: secretAccessKey,
      AWS_SESSION_TOKEN,
    } = process.env;
    if (!accessKeyId || !secretAccessKey)
      throw new Error('DynamoDB: no credentials (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)');
    return (fromEnv = { accessKeyId, secretAccessKey, sessionToken: AWS_SESSION_TOKEN });
  };
}

/**
 * Node's own `fetch` (undici: keep-alive connections, pooled per origin). Built in, so no bundle
 * carries an HTTP client: every byte counts against the 250 KB budget. A dropped connection is a
 * TypeError whose cause has the socket's code.
 */
const fetchTransport: DynamoTransport = async ({ url, headers, body }) => {
  try {
    const res = await fetch(url, { method: 'POST', headers, body });
    return { statusCode: res.status, body: await res.text() };
  } catch (err) {
    const code = ((err as { cause?: { code?: string } }).cause ?? (err as { code?: string })).code;
    throw Object.assign(new Error(`${(err as Error).message} (${code})`), { code });
  }
};
