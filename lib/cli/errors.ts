/**
 * Exit codes of the `abm` CLI (documented in docs/cli.md) and the one error type that carries them.
 * Commands throw CliError; main() turns it into a message on stderr and the process exit code.
 */
export const ExitCode = {
  Ok: 0,
  /** The server answered with an error (4xx other than 401/403, or 5xx). */
  ServerError: 1,
  /** Unknown command or flag, missing or malformed argument. */
  Usage: 2,
  /** The endpoint cannot be reached (connection refused, DNS failure, timeout). */
  Unreachable: 3,
  /** Authentication or authorisation failed (401/403, or no credentials to sign with). */
  Auth: 4,
  /** Partial success: some rows or events were rejected, the rest were accepted. */
  Partial: 5,
  /** An input file is missing, unreadable or unparseable. */
  InputFile: 6,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The `{ error: { code, message, details } }` body of the API (docs/architecture.md "HTTP API"). */
export interface ApiErrorBody {
  readonly code: string;
  readonly message: string;
  readonly details?: unknown;
}

export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
    /** Extra lines printed under the message (field details, hints). */
    readonly detailLines: readonly string[] = [],
    /** The server's error body, when there was one (printed as-is with --json). */
    readonly apiError?: ApiErrorBody,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string, hint?: string): CliError =>
  new CliError(ExitCode.Usage, message, hint ? [hint] : []);

export const inputFileError = (path: string, message: string, line?: number): CliError =>
  new CliError(ExitCode.InputFile, `${path}${line !== undefined ? `:${line}` : ''}: ${message}`);
