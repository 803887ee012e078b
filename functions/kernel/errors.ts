/**
 * The API's one error shape (docs/architecture.md "HTTP API"): `{ error: { code, message, details } }`, and the typed
 * errors services throw. `toErrorResponse` is the only place that maps an error to a status code.
 * Pure TypeScript: no AWS imports.
 */
import * as z from 'zod';

export const ErrorDetail = z.object({
  /** Dotted path of the bad field (`body.accounts.3.contacts.0.email`), or "" for the whole input. */
  path: z.string(),
  message: z.string(),
});
export type ErrorDetail = z.infer<typeof ErrorDetail>;

export const ERROR_CODES = [
  'bad_request',
  'unauthorized',
  'not_found',
  'method_not_allowed',
  'conflict',
  /** A launch whose forecast costs more than `config.launch.maxUsd`, sent without `confirm: true`. */
  'over_budget',
  'payload_too_large',
  'unsupported_media_type',
  'not_implemented',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES),
      message: z.string(),
      details: z.array(ErrorDetail),
      /** Present on 500s: quote it when asking for help; the log line carries the same id. */
      requestId: z.string().optional(),
    }),
  })
  .meta({ id: 'Error' });
export type ErrorBody = z.infer<typeof ErrorBody>;

export abstract class ApiError extends Error {
  abstract readonly status: number;
  abstract readonly code: ErrorCode;
  /** Fields the response body carries beside `error` (e.g. the forecast of an over-budget launch). */
  readonly extra?: Record<string, unknown>;
  constructor(
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** An ApiError class of one status and code. */
function apiError<C extends ErrorCode>(status: number, code: C) {
  return class extends ApiError {
    readonly status = status;
    readonly code = code;
  };
}

export class BadRequest extends apiError(400, 'bad_request') {
  constructor(details: ErrorDetail[] | string, message = 'the request is not valid') {
    super(typeof details === 'string' ? details : message, typeof details === 'string' ? [] : details);
  }
}

export class Unauthorized extends apiError(401, 'unauthorized') {}
export class NotFound extends apiError(404, 'not_found') {}
export class MethodNotAllowed extends apiError(405, 'method_not_allowed') {}
export class Conflict extends apiError(409, 'conflict') {}
/** 409 `over_budget`: the launch's forecast costs more than allowed; the body carries the forecast. */
export class OverBudget extends apiError(409, 'over_budget') {
  override readonly extra: { forecast: unknown };
  constructor(message: string, forecast: unknown) {
    super(message);
    this.extra = { forecast };
  }
}
export class PayloadTooLarge extends apiError(413, 'payload_too_large') {}
export class Unsupported extends apiError(415, 'unsupported_media_type') {}
export class NotImplemented extends apiError(501, 'not_implemented') {}

/** zod issues as error details, each path prefixed with where the value came from (body, query...). */
export function detailsFromZod(error: z.ZodError, prefix?: string): ErrorDetail[] {
  return zodIssues(error).map((issue) => ({
    path: [...(prefix ? [prefix] : []), ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
}

type Issue = { path: PropertyKey[]; message: string; code?: string; errors?: Issue[][] };

/**
 * A ZodError's issues, with each union that failed explained by the one option the value was
 * meant for: zod reports a failed union as "Invalid input" at the union; when exactly one option
 * got past the value's type (an array for `["de"]` where the union is a list or `"contact"`),
 * its own issues say what is wrong, at their paths. Otherwise the union's issue stays.
 */
export function zodIssues(error: z.ZodError): { path: PropertyKey[]; message: string }[] {
  const explain = (issue: Issue, base: PropertyKey[]): { path: PropertyKey[]; message: string }[] => {
    const path = [...base, ...issue.path];
    if (issue.code === 'invalid_union' && issue.errors) {
      const typeOnly = (branch: Issue[]) =>
        branch.every((i) => i.path.length === 0 && (i.code === 'invalid_type' || i.code === 'invalid_value'));
      const meant = issue.errors.filter((branch) => branch.length > 0 && !typeOnly(branch));
      if (meant.length === 1) return meant[0].flatMap((i) => explain(i, path));
    }
    return [{ path, message: issue.message }];
  };
  return (error.issues as unknown as Issue[]).flatMap((i) => explain(i, []));
}

export interface ErrorResponse {
  status: number;
  body: ErrorBody;
  /** True when the error was not one of ours: log it with the request id. */
  unexpected: boolean;
}

/** Maps anything thrown to a status and the error shape; unknown errors become a 500 with the request id. */
export function toErrorResponse(err: unknown, requestId: string): ErrorResponse {
  if (err instanceof ApiError) {
    return {
      status: err.status,
      body: { error: { code: err.code, message: err.message, details: err.details }, ...err.extra },
      unexpected: false,
    };
  }
  if (err instanceof z.ZodError) {
    return {
      status: 400,
      body: {
        error: { code: 'bad_request', message: 'the request is not valid', details: detailsFromZod(err) },
      },
      unexpected: false,
    };
  }
  // Cursors are decoded by the table wrapper; a cursor it did not produce is the client's mistake.
  if ((err as { code?: string } | undefined)?.code === 'INVALID_CURSOR') {
    return {
      status: 400,
      body: {
        error: {
          code: 'bad_request',
          message: 'invalid cursor',
          details: [{ path: 'query.cursor', message: 'not a cursor this API returned' }],
        },
      },
      unexpected: false,
    };
  }
  // The store refuses an item above DynamoDB's 400 KB item limit: what the client sent is too large to keep.
  if ((err as { code?: string } | undefined)?.code === 'ITEM_TOO_LARGE') {
    return {
      status: 413,
      body: {
        error: {
          code: 'payload_too_large',
          message: 'too large to store: one item holds at most 400 KB',
          details: [{ path: 'body', message: 'at most 400 KB once stored; make it smaller' }],
        },
      },
      unexpected: false,
    };
  }
  return {
    status: 500,
    body: {
      error: {
        code: 'internal',
        message: 'internal error; quote the request id when reporting it',
        details: [],
        requestId,
      },
    },
    unexpected: true,
  };
}
