/**
 * The console's only way to the data: the public HTTP API (docs/api.md) with a bearer token: the
 * one the user typed once in local mode, or the Cognito access token on AWS (auth.ts), kept in
 * sessionStorage (gone when the browser session ends). On AWS the API is on its own origin. A route this
 * server does not have yet answers 404 "no route" or 405: that is `unavailable`, which pages show
 * as "not available on this server" instead of data.
 */
const TOKEN_KEY = 'abm.console.token';
/** The API's origin, no trailing slash: '' (this one) in local mode, the console's API on AWS (auth.ts). */
let apiBase = '';

export function setApiBase(url: string): void {
  apiBase = url;
}

/** Where a call's token comes from: the stored one, or (on AWS) one renewed before it expires. */
let tokenSource: () => Promise<string | null> = async () => getToken();

export function setTokenSource(source: () => Promise<string | null>): void {
  tokenSource = source;
}

export interface ErrorDetail {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[],
  ) {
    super(message);
  }
  /** The server has no such route (an older server, or a route not built yet). */
  get unavailable(): boolean {
    return (this.status === 404 && /^no route for /.test(this.message)) || this.status === 405;
  }
}

export function getToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(token: string | null): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
  window.dispatchEvent(new Event('abm-token'));
}

/** `body` is sent as JSON, or as is with `contentType` (a CSV file). */
export async function api<T>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = await tokenSource();
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = contentType ?? 'application/json';
  const res = await fetch(`${apiBase}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : contentType ? String(body) : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const err = (json as { error?: { code?: string; message?: string; details?: ErrorDetail[] } } | undefined)
      ?.error;
    if (res.status === 401) setToken(null);
    throw new ApiError(
      res.status,
      err?.code ?? 'http_error',
      err?.message ?? `HTTP ${res.status}`,
      err?.details ?? [],
    );
  }
  return json as T;
}

/** `?a=1&b=x` from the defined, non-empty values. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const enc = encodeURIComponent;
