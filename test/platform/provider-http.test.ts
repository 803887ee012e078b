/**
 * The shared provider HTTP client: URL joining, Retry-After (seconds and HTTP dates), backoff
 * with full jitter inside its bounds, the retry budget, timeouts, token refresh on 401 and the
 * metrics hook. Sleep, randomness and the clock are injected: nothing here waits for real
 * (except the one timeout test, 20 ms).
 */
import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  DEFAULT_RETRY_POLICY,
  parseBaseUrl,
  parseRetryAfter,
  ProviderHttpClient,
  ProviderHttpError,
  type RequestMetric,
} from '../../functions/platform/providers/http';

const NOW = Date.parse('2026-12-01T10:00:00Z');

function harness(
  responses: (() => Response | Promise<Response>)[],
  extra: Partial<ConstructorParameters<typeof ProviderHttpClient>[0]> = {},
) {
  const urls: string[] = [];
  const inits: RequestInit[] = [];
  const sleeps: number[] = [];
  const metrics: RequestMetric[] = [];
  let clock = NOW;
  const client = new ProviderHttpClient({
    provider: 'test',
    baseUrl: 'http://127.0.0.1:9999',
    fetch: async (input, init) => {
      urls.push(String(input));
      inits.push(init ?? {});
      const next = responses.shift();
      if (!next) throw new Error('no more responses');
      return next();
    },
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    random: () => 0.5,
    now: () => clock,
    onRequest: (m) => metrics.push(m),
    ...extra,
  });
  return { client, urls, inits, sleeps, metrics };
}

const json =
  (status: number, body: unknown = {}, headers: Record<string, string> = {}) =>
  () =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json', ...headers },
    });

describe('parseRetryAfter', () => {
  it('reads delta-seconds', () => {
    expect(parseRetryAfter('3', NOW)).toBe(3000);
    expect(parseRetryAfter(' 0 ', NOW)).toBe(0);
  });
  it('reads an HTTP date relative to now, and a past date as 0', () => {
    expect(parseRetryAfter('Tue, 01 Dec 2026 10:00:07 GMT', NOW)).toBe(7000);
    expect(parseRetryAfter('Tue, 01 Dec 2026 09:59:00 GMT', NOW)).toBe(0);
  });
  it('ignores absent and unreadable values', () => {
    expect(parseRetryAfter(null, NOW)).toBeUndefined();
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
    expect(parseRetryAfter('-5', NOW)).toBeUndefined();
    expect(parseRetryAfter('1.5', NOW)).toBeUndefined();
  });
});

describe('backoffDelay (full jitter)', () => {
  const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1000 };
  it('stays in [0, min(cap, base * 2^retry))', () => {
    for (let retry = 0; retry < 8; retry++) {
      const ceiling = Math.min(1000, 100 * 2 ** retry);
      expect(backoffDelay(retry, policy, () => 0)).toBe(0);
      const top = backoffDelay(retry, policy, () => 0.999999);
      expect(top).toBeLessThan(ceiling);
      expect(top).toBeGreaterThanOrEqual(ceiling - 1);
    }
  });
});

describe('parseBaseUrl', () => {
  it('takes scheme://host[:port] and refuses a path', () => {
    expect(parseBaseUrl('http://127.0.0.1:4010')).toBe('http://127.0.0.1:4010');
    expect(parseBaseUrl('https://api.linkedin.com/')).toBe('https://api.linkedin.com');
    expect(() => parseBaseUrl('https://api.linkedin.com/rest')).toThrow(/without a path/);
    expect(() => parseBaseUrl('ftp://x')).toThrow();
    expect(() => parseBaseUrl('not a url')).toThrow(/scheme/);
  });
});

describe('ProviderHttpClient', () => {
  it('joins the base URL with the documented path and query, and sends JSON', async () => {
    const h = harness([json(200, { ok: true })]);
    const res = await h.client.request({
      method: 'POST',
      path: '/v1/audienceMembers:ingest',
      query: { a: 'b' },
      json: { x: 1 },
    });
    expect(res.body).toEqual({ ok: true });
    expect(h.urls).toEqual(['http://127.0.0.1:9999/v1/audienceMembers:ingest?a=b']);
    expect((h.inits[0]!.headers as Record<string, string>)['content-type']).toBe('application/json');
    expect(h.inits[0]!.body).toBe('{"x":1}');
  });

  it('waits what Retry-After says on a 429, then succeeds', async () => {
    const h = harness([json(429, {}, { 'retry-after': '3' }), json(200)]);
    expect((await h.client.request({ method: 'GET', path: '/x' })).status).toBe(200);
    expect(h.sleeps).toEqual([3000]);
    expect(h.metrics.map((m) => [m.status, m.throttled])).toEqual([
      [429, true],
      [200, false],
    ]);
  });

  it('honours a Retry-After HTTP date', async () => {
    const h = harness([json(429, {}, { 'retry-after': 'Tue, 01 Dec 2026 10:00:05 GMT' }), json(200)]);
    await h.client.request({ method: 'GET', path: '/x' });
    expect(h.sleeps).toEqual([5000]);
  });

  it('backs off with jitter on 5xx (random 0.5: half of each ceiling)', async () => {
    const h = harness([json(500), json(503), json(502), json(200)], {
      policy: { baseDelayMs: 100, maxDelayMs: 250 },
    });
    await h.client.request({ method: 'GET', path: '/x' });
    expect(h.sleeps).toEqual([50, 100, 125]);
  });

  it('gives up with a retryable error when the next wait would pass the budget', async () => {
    const h = harness([json(429, {}, { 'retry-after': '40' })], { policy: { budgetMs: 30_000 } });
    const err = await h.client.request({ method: 'POST', path: '/x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderHttpError);
    expect(err).toMatchObject({ retryable: true, status: 429 });
    expect(h.sleeps).toEqual([]);
  });

  it('gives up after maxAttempts with a retryable error', async () => {
    const h = harness([json(503), json(503), json(503)], { policy: { maxAttempts: 3 } });
    const err = await h.client.request({ method: 'POST', path: '/x' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ retryable: true, status: 503 });
    expect(h.urls).toHaveLength(3);
    expect(h.sleeps).toHaveLength(2);
  });

  it('times out a hanging attempt and retries it', async () => {
    const hang = () =>
      new Promise<Response>((_, reject) => {
        const signal = h.inits[h.inits.length - 1]!.signal!;
        signal.addEventListener('abort', () => reject(new Error('aborted')));
      });
    const h = harness([hang, json(200)], { policy: { timeoutMs: 20 } });
    expect((await h.client.request({ method: 'GET', path: '/x' })).status).toBe(200);
    expect(h.metrics.map((m) => m.status)).toEqual([0, 200]);
    expect(h.sleeps).toHaveLength(1);
  });

  it('retries a network error', async () => {
    const h = harness([
      () => {
        throw new TypeError('fetch failed');
      },
      json(200),
    ]);
    expect((await h.client.request({ method: 'GET', path: '/x' })).status).toBe(200);
  });

  it('returns other 4xx at once, for the adapter to read', async () => {
    const h = harness([json(400, { error: 'bad' })]);
    const res = await h.client.request({ method: 'POST', path: '/x' });
    expect(res).toMatchObject({ status: 400, body: { error: 'bad' } });
    expect(h.urls).toHaveLength(1);
  });

  it('on a 401 asks onUnauthorized once, then retries with fresh headers', async () => {
    let token = 'old';
    let refreshes = 0;
    const h = harness([json(401), json(401), json(401)], {
      headers: () => ({ authorization: `Bearer ${token}` }),
      onUnauthorized: async () => {
        refreshes++;
        token = 'new';
        return true;
      },
    });
    const res = await h.client.request({ method: 'GET', path: '/x' });
    expect(res.status).toBe(401);
    expect(refreshes).toBe(1);
    expect(h.inits.map((i) => (i.headers as Record<string, string>).authorization)).toEqual([
      'Bearer old',
      'Bearer new',
    ]);
  });

  it('treats what isThrottled says as a throttle', async () => {
    const h = harness([json(400, { error: { code: 80003 } }), json(200)], {
      isThrottled: (r) => (r.body as { error?: { code?: number } }).error?.code === 80003,
    });
    expect((await h.client.request({ method: 'POST', path: '/x' })).status).toBe(200);
    expect(h.metrics[0]).toMatchObject({ status: 400, throttled: true, path: '/x', method: 'POST' });
  });
});
