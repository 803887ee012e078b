/**
 * The shape of a command and what it receives. Commands are plain objects collected in
 * commands/index.ts; main.ts parses argv, finds the command and runs it.
 */
import type { ApiClient } from './http';
import type { CliIo } from './io';
import type { Paint } from './format';

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
  readonly valueName?: string;
  readonly description: string;
}
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** A flag that takes a value, shown as `--name VALUE_NAME` in the help. */
export const stringOption = (valueName: string, description: string): OptionSpec => ({
  type: 'string',
  valueName,
  description,
});

export type FlagValues = Readonly<Record<string, string | boolean | string[] | undefined>>;

export interface ArgSpec {
  readonly name: string;
  readonly required: boolean;
  readonly description: string;
}

export interface Output {
  readonly json: boolean;
  /** Paint for stdout (no-op unless stdout is a TTY and NO_COLOR is unset). */
  readonly paint: Paint;
  readonly paintErr: Paint;
  /** Writes text to stdout (a newline is added when missing). */
  print(text: string): void;
  /** Writes to stderr (notes, progress, warnings). */
  note(text: string): void;
  /** Prints `value` as JSON with --json, else `human()`. */
  result(value: unknown, human: () => string): void;
}

export interface CommandContext {
  readonly io: CliIo;
  /** Positional arguments after the command words. */
  readonly args: readonly string[];
  readonly flags: FlagValues;
  readonly out: Output;
  /** The API client (built on first use from --endpoint/--token/--sigv4/--region). */
  client(): ApiClient;
}

export interface Command {
  /** Command words, e.g. ['campaigns', 'launch']. */
  readonly path: readonly string[];
  readonly summary: string;
  readonly description?: string;
  readonly args?: readonly ArgSpec[];
  readonly options?: OptionSpecs;
  readonly examples?: readonly string[];
  /** Returns the exit code (0 or 5); failures are thrown as CliError. */
  run(ctx: CommandContext): Promise<number>;
}

/** String flag helper: undefined when absent. */
export const str = (flags: FlagValues, name: string): string | undefined => {
  const v = flags[name];
  return typeof v === 'string' ? v : undefined;
};
export const bool = (flags: FlagValues, name: string): boolean => flags[name] === true;
export const list = (flags: FlagValues, name: string): string[] => {
  const v = flags[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
};
