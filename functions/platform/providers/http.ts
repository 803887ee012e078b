/**
 * The shared HTTP client of the provider adapters (ad platforms today; mail and CRM providers
 * next). One request goes to `baseUrl` (`scheme://host[:port]`) joined with the provider's
 * documented path (which carries its version), with a per-attempt timeout, and is retried:
 *
 * - 429 after the response's `Retry-After` (delta-seconds or an HTTP date, RFC 9110 section 10.2.3,
 *   https://www.rfc-editor.org/rfc/rfc9110#field.retry-after), or after a backoff when it has none;
 * - 5xx, network errors and timeouts after an exponential backoff with full jitter
 *   (delay = random(0, min(cap, base * 2^attempt)), "Exponential Backoff And Jitter",
 *   https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/);
 * - 401 once, after `onUnauthorized` (the adapter refreshes its access token), when given.
 *
 * Retries stop at `maxAttempts` or when the next wait would end past `budgetMs` from the first
 * attempt; the client then throws `ProviderHttpError` with `retryable: true`, so the caller's
 * queue redelivers the work later. Any other status is returned to the adapter, which reads the
 * provider's own error body (partial failures live there).
 *
 * Hand-written rather than a retry library (p-retry, got, ky): Retry-After as an HTTP date, an
 * injectable clock, sleep and randomness for tests, and a per-request metrics hook are all needed
 * and none of those libraries offers all of them without wrapping; this file is the wrapper.
 * It uses Node's global fetch (Node 20+), injectable for tests.
 */

import { fullJitter } from '../../kernel/async';

export interface RequestMetric {
  method: string;
  /** The path without the query string (no tokens in metrics). */
  path: string;
  /** The response status; 0 for a network error or a timeout. */
  status: number;
  ms: number;
  throttled: boolean;
}

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Backoff base (the first retry waits up to this long). */
  baseDelayMs: number;
  /** Cap of one backoff wait (not of a Retry-After, which the budget bounds). */
  maxDelayMs: number;
  /** Time from the first attempt past which no retry starts. */
  budgetMs: number;
  /** Per-attempt timeout (AbortSignal). */
  timeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  budgetMs: 30_000,
  timeoutMs: 15_000,
};

export interface HttpDeps {
  fetch?: typeof globalThis.fetch;
  sleep?: (ms: number) => Promise<void>;
  /** [0, 1): the jitter. */
  random?: () => number;
  /** Milliseconds since the epoch: the budget and Retry-After dates. */
  now?: () => number;
  onRequest?: (metric: RequestMetric) => void;
  policy?: Partial<RetryPolicy>;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The documented path, version included (`/rest/dmpSegments/1/users`, `/v26.0/1/users`). */
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** A JSON body (sent as application/json). */
  json?: unknown;
  /** A form body (sent as application/x-www-form-urlencoded). */
  form?: Record<string, string>;
  /**
   * Called before the request is sent again after an attempt whose outcome is open (a 5xx, a
   * timeout, a network error: the provider may have acted). A response returned here ends the
   * request with it (e.g. the resource the first attempt made, found by the adapter); undefined
   * sends the request again. Not called after a 429 (the provider did not act).
   */
  beforeRetry?: () => Promise<HttpResponse | undefined>;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  /** The parsed JSON body, or the text when it is not JSON (undefined when empty). */
  body: unknown;
}

/** A provider call that could not complete (the adapters turn it into the feature's error type). */
export class ProviderHttpError extends Error {
  constructor(
    readonly provider: string,
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(`${provider}: ${message}`);
    this.name = 'ProviderHttpError';
  }
}

/** `scheme://host[:port]` only: the adapters append the documented path. */
export function parseBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new Error(`baseUrl must be scheme://host[:port], got ${JSON.stringify(baseUrl)}`);
  }
  const bare = url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
  if (!/^https?:$/.test(url.protocol) || !bare)
    throw new Error(`baseUrl must be scheme://host[:port] without a path, got ${JSON.stringify(baseUrl)}`);
  return `${url.protocol}//${url.host}`;
}

/**
 * Milliseconds to wait from a Retry-After value: delta-seconds or an HTTP date (RFC 9110 10.2.3);
 * undefined when absent or unreadable. A date in the past waits 0.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  if (!/[a-z]/i.test(v)) return undefined;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** Full jitter: a uniform wait in [0, min(cap, base * 2^retry)). `retry` counts from 0. */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number): number {
  return fullJitter(retry, policy.baseDelayMs, policy.maxDelayMs, random);
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface ProviderHttpClientOptions extends HttpDeps {
  provider: string;
  baseUrl: string;
  /** Headers on every request (auth, version); read before each attempt, so a refreshed token is used. */
  headers?: () => Record<string, string> | Promise<Record<string, string>>;
  /** Called once on a 401; returning true retries the request (the adapter refreshed its token). */
  onUnauthorized?: () => Promise<boolean>;
  /**
   * A response the provider means as a throttle although its status is not 429 (Meta answers some
   * rate limits with 400 and an error code): retried like a 429.
   */
  isThrottled?: (response: HttpResponse) => boolean;
}

export class ProviderHttpClient {
  readonly baseUrl: string;
  readonly policy: RetryPolicy;
  private readonly fetchFn: typeof globalThis.fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(private readonly options: ProviderHttpClientOptions) {
    this.baseUrl = parseBaseUrl(options.baseUrl);
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
    this.fetchFn = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  /** Sends the request with retries; returns the first response that is not retried. */
  async request(req: HttpRequest): Promise<HttpResponse> {
    const { provider } = this.options;
    const started = this.now();
    let refreshed = false;
    let lastProblem = '';
    for (let attempt = 0; attempt < this.policy.maxAttempts; attempt++) {
      const outcome = await this.attempt(req);
      let wait: number;
      if (outcome.kind === 'response') {
        const { response } = outcome;
        if (response.status === 401 && !refreshed && this.options.onUnauthorized) {
          refreshed = true;
          if (await this.options.onUnauthorized()) {
            attempt--; // a refreshed token is a fresh start, not a retry of a failure
            continue;
          }
        }
        if (response.status === 429 || this.options.isThrottled?.(response)) {
          lastProblem = `throttled (${response.status})`;
          wait =
            parseRetryAfter(response.headers.get('retry-after'), this.now()) ??
            backoffDelay(attempt, this.policy, this.random);
        } else if (response.status >= 500) {
          lastProblem = `server error (${response.status})`;
          wait = backoffDelay(attempt, this.policy, this.random);
        } else {
          return response;
        }
      } else {
        lastProblem = outcome.problem;
        wait = backoffDelay(attempt, this.policy, this.random);
      }
      if (attempt + 1 >= this.policy.maxAttempts) break;
      if (this.now() - started + wait > this.policy.budgetMs) {
        throw new ProviderHttpError(
          provider,
          `${req.method} ${req.path}: ${lastProblem}; the next try (in ${wait} ms) is past the retry budget of ${this.policy.budgetMs} ms`,
          true,
          statusOf(lastProblem),
        );
      }
      await this.sleep(wait);
      if (req.beforeRetry && !lastProblem.startsWith('throttled')) {
        const settled = await req.beforeRetry();
        if (settled) return settled;
      }
    }
    throw new ProviderHttpError(
      provider,
      `${req.method} ${req.path}: ${lastProblem} after ${this.policy.maxAttempts} attempts`,
      true,
      statusOf(lastProblem),
    );
  }

  private async attempt(
    req: HttpRequest,
  ): Promise<{ kind: 'response'; response: HttpResponse } | { kind: 'failed'; problem: string }> {
    const throttled = (response: HttpResponse) =>
      response.status === 429 || (this.options.isThrottled?.(response) ?? false);
    const url = new URL(req.path, this.baseUrl);
    for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, v);
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...(this.options.headers ? await this.options.headers() : {}),
      ...req.headers,
    };
    let body: string | undefined;
    if (req.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.json);
    } else if (req.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(req.form).toString();
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.policy.timeoutMs);
    const t0 = performance.now();
    const metric = (status: number, isThrottle: boolean) =>
      this.options.onRequest?.({
        method: req.method,
        path: url.pathname,
        status,
        ms: Math.round(performance.now() - t0),
        throttled: isThrottle,
      });
    try {
      const res = await this.fetchFn(url, { method: req.method, headers, body, signal: controller.signal });
      const text = await res.text();
      const response = { status: res.status, headers: res.headers, body: parseBody(text) };
      metric(res.status, throttled(response));
      return { kind: 'response', response };
    } catch (error) {
      metric(0, false);
      const timedOut = controller.signal.aborted;
      return {
        kind: 'failed',
        problem: timedOut
          ? `timed out after ${this.policy.timeoutMs} ms`
          : `network error (${error instanceof Error ? error.message : String(error)})`,
      };
    } finally {
      clearTimeout(timer);
    }
  }
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function statusOf(problem: string): number | undefined {
  const m = /\((\d{3})\)/.exec(problem);
  return m ? Number(m[1]) : undefined;
}
