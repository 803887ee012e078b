/**
 * The HTTP client of the CLI: one place that adds auth (bearer token in local mode, SigV4 for
 * API Gateway with IAM auth), sends JSON or CSV, and maps failures to exit codes:
 * unreachable -> 3, 401/403 -> 4, any other error answer -> 1 (with the API's
 * `{ error: { code, message, details } }` printed).
 */
import { CliError, ExitCode, type ApiErrorBody } from './errors';
import { createSigner, type RequestSigner } from './sigv4';

export interface ClientOptions {
  readonly endpoint: string;
  readonly token?: string;
  /** Sign with SigV4 (service execute-api); needs a region. */
  readonly sigv4?: { readonly region: string };
  readonly timeoutMs?: number;
  /** Replaces the default signer (fromNodeProviderChain); for tests. */
  readonly signer?: RequestSigner;
  readonly userAgent?: string;
}

export interface ApiRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path below the endpoint, e.g. `/campaigns/q1`. Callers encode path parameters. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  /** Serialised as JSON unless `rawBody` is given. */
  readonly json?: unknown;
  readonly rawBody?: { readonly contentType: string; readonly text: string };
}

export interface ApiResponse<T> {
  readonly status: number;
  readonly body: T;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/** Encodes one path parameter (ids may come from user input). */
export const seg = (value: string): string => encodeURIComponent(value);

export interface ApiClient {
  readonly endpoint: string;
  send<T = unknown>(request: ApiRequest): Promise<ApiResponse<T>>;
}

export function createClient(options: ClientOptions): ApiClient {
  const base = parseEndpoint(options.endpoint);
  const signer = options.sigv4 ? (options.signer ?? createSigner(options.sigv4.region)) : undefined;
  const timeoutMs = options.timeoutMs ?? 60_000;

  return {
    endpoint: base.href.replace(/\/$/, ''),
    async send<T>(request: ApiRequest): Promise<ApiResponse<T>> {
      const url = new URL(base.href.replace(/\/$/, '') + request.path);
      for (const [k, v] of Object.entries(request.query ?? {})) {
        if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
      }
      let body: string | undefined;
      const headers: Record<string, string> = { accept: 'application/json' };
      if (options.userAgent) headers['user-agent'] = options.userAgent;
      if (request.rawBody) {
        body = request.rawBody.text;
        headers['content-type'] = request.rawBody.contentType;
      } else if (request.json !== undefined) {
        body = JSON.stringify(request.json);
        headers['content-type'] = 'application/json';
      }
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      if (signer) Object.assign(headers, await signer.sign(url, request.method, headers, body));

      let response: Response;
      try {
        response = await fetch(url, {
          method: request.method,
          headers,
          body,
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        throw unreachable(err, base.href.replace(/\/$/, ''), timeoutMs);
      }
      const text = await response.text();
      const parsed = parseJson(text);
      if (response.ok) return { status: response.status, body: (parsed ?? text) as T };
      throw httpError(response.status, request, parsed, text);
    },
  };
}

function parseEndpoint(endpoint: string): URL {
  try {
    const url = new URL(endpoint);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
    return url;
  } catch {
    throw new CliError(ExitCode.Usage, `invalid endpoint "${endpoint}": expected an http:// or https:// URL`);
  }
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorCodes(err: unknown, depth = 0): string[] {
  if (!err || typeof err !== 'object' || depth > 4) return [];
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown; name?: unknown };
  const own = typeof e.code === 'string' ? [e.code] : [];
  const nested = Array.isArray(e.errors) ? e.errors.flatMap((x) => errorCodes(x, depth + 1)) : [];
  return [...own, ...nested, ...errorCodes(e.cause, depth + 1)];
}

function unreachable(err: unknown, endpoint: string, timeoutMs: number): CliError {
  const name = (err as { name?: string } | undefined)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new CliError(ExitCode.Unreachable, `no answer from ${endpoint} within ${timeoutMs} ms`);
  }
  const codes = errorCodes(err);
  const code = codes.find((c) => NETWORK_CODES.has(c)) ?? codes[0];
  const hint =
    code === 'ECONNREFUSED'
      ? [
          'Is the API running? For local mode start it with `npm start`, or pass --endpoint / set ABM_ENDPOINT.',
        ]
      : ['Check --endpoint (or ABM_ENDPOINT) and your network.'];
  const cause = (err as { cause?: { message?: string } } | undefined)?.cause?.message;
  const reason = code ?? cause ?? (err instanceof Error ? err.message : String(err));
  return new CliError(ExitCode.Unreachable, `cannot reach ${endpoint} (${reason})`, hint);
}

function isApiError(value: unknown): value is { error: ApiErrorBody } {
  const e = (value as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  return !!e && typeof e === 'object' && typeof e.message === 'string';
}

/** Field details from the API (zod issues: `[{ path, message }]`) as printable lines. */
export function detailLines(details: unknown): string[] {
  if (details === undefined || details === null) return [];
  if (Array.isArray(details)) {
    return details.map((d) => {
      if (d && typeof d === 'object') {
        const { path, message, ...rest } = d as { path?: unknown; message?: unknown };
        const where = Array.isArray(path) ? path.join('.') : path;
        if (message !== undefined)
          return `${where !== undefined && where !== '' ? `${String(where)}: ` : ''}${String(message)}`;
        return JSON.stringify(rest);
      }
      return String(d);
    });
  }
  if (typeof details === 'object') {
    return Object.entries(details as Record<string, unknown>).map(
      ([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`,
    );
  }
  return [String(details)];
}

function httpError(status: number, request: ApiRequest, parsed: unknown, text: string): CliError {
  const where = `${request.method} ${request.path}`;
  const api = isApiError(parsed) ? parsed.error : undefined;
  const code = api?.code ?? `http_${status}`;
  const message = api?.message ?? (text.trim().slice(0, 200) || `HTTP ${status}`);
  const lines = api ? detailLines(api.details) : [];
  if (status === 401 || status === 403) {
    const hint =
      status === 401
        ? 'Authentication failed: pass --token (ABM_API_TOKEN) in local mode, or AWS credentials with --sigv4 for a deployed API.'
        : 'Not authorised: the credentials are valid but not allowed to call this API (check the IAM policy for execute-api:Invoke).';
    return new CliError(
      ExitCode.Auth,
      `${code}: ${message} (${where} -> ${status})`,
      [...lines, hint],
      api,
      status,
    );
  }
  return new CliError(
    ExitCode.ServerError,
    `${code}: ${message} (${where} -> ${status})`,
    lines,
    api,
    status,
  );
}
