/**
 * `abm`: the command-line client of the ABM orchestrator's HTTP API (docs/architecture.md "HTTP API").
 * Usage: abm <command> [arguments] [flags]; `abm --help` lists the commands, exit codes are in
 * docs/cli.md and in errors.ts.
 */
import { parseArgs } from 'node:util';
import { COMMANDS } from './commands';
import {
  stringOption,
  type Command,
  type CommandContext,
  type FlagValues,
  type OptionSpecs,
  type Output,
} from './command';
import { CliError, ExitCode, usageError } from './errors';
import { colourEnabled, painter } from './format';
import { createClient, type ApiClient, type ClientOptions } from './http';
import { processIo, type CliIo } from './io';
import { regionFromHost } from './sigv4';

export const DEFAULT_ENDPOINT = 'http://localhost:4000';
export const CLI_VERSION = '0.1.0';

export const GLOBAL_OPTIONS: OptionSpecs = {
  endpoint: stringOption('URL', `API endpoint (env ABM_ENDPOINT; default ${DEFAULT_ENDPOINT})`),
  token: stringOption('TOKEN', 'bearer token for local mode (env ABM_API_TOKEN)'),
  sigv4: {
    type: 'boolean',
    description: 'sign requests with AWS SigV4 (automatic for https endpoints when no token is set)',
  },
  region: stringOption('REGION', 'AWS region for SigV4 (env AWS_REGION)'),
  json: { type: 'boolean', description: 'machine-readable JSON on stdout' },
  help: { type: 'boolean', short: 'h', description: 'show help for the command' },
};

function unionOptions(): Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> {
  const all: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const specs of [GLOBAL_OPTIONS, ...COMMANDS.map((c) => c.options ?? {})]) {
    for (const [name, spec] of Object.entries(specs)) {
      const prev = all[name];
      if (prev && (prev.type !== spec.type || Boolean(prev.multiple) !== Boolean(spec.multiple))) {
        throw new Error(`option --${name} is declared with two different types`);
      }
      all[name] = {
        type: spec.type,
        ...(spec.short ? { short: spec.short } : {}),
        ...(spec.multiple ? { multiple: true } : {}),
      };
    }
  }
  return all;
}

// ---------------------------------------------------------------------------
// Help
// ---------------------------------------------------------------------------

const optionLines = (specs: OptionSpecs): string[] => {
  const rows = Object.entries(specs).map(([name, s]) => [
    `${s.short ? `-${s.short}, ` : ''}--${name}${s.type === 'string' ? ` ${s.valueName ?? 'VALUE'}` : ''}`,
    s.description + (s.multiple ? ' (repeatable)' : ''),
  ]);
  const width = Math.max(...rows.map(([a]) => a!.length));
  return rows.map(([a, b]) => `  ${a!.padEnd(width)}  ${b}`);
};

const synopsis = (c: Command): string =>
  ['abm', ...c.path, ...(c.args ?? []).map((a) => (a.required ? a.name : `[${a.name}]`)), '[flags]'].join(
    ' ',
  );

export function commandHelp(c: Command): string {
  const lines = [`Usage: ${synopsis(c)}`, '', c.summary];
  if (c.description) lines.push('', c.description);
  if (c.args?.length) {
    const width = Math.max(...c.args.map((a) => a.name.length));
    lines.push('', 'Arguments:', ...c.args.map((a) => `  ${a.name.padEnd(width)}  ${a.description}`));
  }
  if (c.options && Object.keys(c.options).length) lines.push('', 'Flags:', ...optionLines(c.options));
  lines.push('', 'Global flags:', ...optionLines(GLOBAL_OPTIONS));
  if (c.examples?.length) lines.push('', 'Examples:', ...c.examples.map((e) => `  ${e}`));
  return lines.join('\n') + '\n';
}

export function generalHelp(group?: string): string {
  const cmds = COMMANDS.filter((c) => !group || c.path[0] === group);
  const names = cmds.map((c) =>
    synopsis(c)
      .replace(/^abm /, '')
      .replace(/ \[flags\]$/, ''),
  );
  const width = Math.max(...names.map((n) => n.length));
  return [
    `Usage: abm ${group ? `${group} <verb>` : '<command>'} [arguments] [flags]`,
    '',
    group
      ? `Commands of "${group}":`
      : 'abm: the command-line client of the ABM orchestrator API.\n\nCommands:',
    ...cmds.map((c, i) => `  ${names[i]!.padEnd(width)}  ${c.summary}`),
    '',
    'Global flags:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    'Run `abm <command> --help` for the flags of one command.',
    'Exit codes: 0 ok, 1 server error, 2 usage, 3 unreachable, 4 auth, 5 partial (rejected rows), 6 input file.',
    'Docs: docs/cli.md',
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------

function makeOutput(io: CliIo, json: boolean): Output {
  const paint = painter(colourEnabled(io.stdout, io.env));
  const paintErr = painter(colourEnabled(io.stderr, io.env));
  const nl = (t: string): string => (t.endsWith('\n') ? t : t + '\n');
  return {
    json,
    paint,
    paintErr,
    print: (text) => void io.stdout.write(nl(text)),
    note: (text) => void io.stderr.write(nl(text)),
    result: (value, human) => void io.stdout.write(nl(json ? JSON.stringify(value, null, 2) : human())),
  };
}

/** Endpoint and auth from flags and environment (docs/architecture.md "HTTP API": IAM on AWS, bearer token locally). */
export function clientOptions(flags: FlagValues, env: CliIo['env']): ClientOptions {
  const s = (k: string): string | undefined =>
    typeof flags[k] === 'string' ? (flags[k] as string) : undefined;
  const endpoint = s('endpoint') ?? (env.ABM_ENDPOINT || undefined) ?? DEFAULT_ENDPOINT;
  const explicitSig = flags.sigv4 === true;
  const token = explicitSig ? undefined : (s('token') ?? (env.ABM_API_TOKEN || undefined));
  const sig = explicitSig || (endpoint.startsWith('https:') && !token);
  let region: string | undefined;
  if (sig) {
    let host = '';
    try {
      host = new URL(endpoint).hostname;
    } catch {
      /* reported by createClient */
    }
    region = s('region') ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined) ?? regionFromHost(host);
    if (!region) {
      throw usageError(
        'SigV4 signing needs a region',
        'Pass --region or set AWS_REGION (or use --token for a local endpoint).',
      );
    }
  }
  const timeout = Number(env.ABM_TIMEOUT_MS);
  return {
    endpoint,
    token,
    sigv4: sig && region ? { region } : undefined,
    timeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout : undefined,
    userAgent: `abm-cli/${CLI_VERSION}`,
  };
}

function findCommand(positionals: readonly string[]): { command?: Command; used: number } {
  let best: Command | undefined;
  for (const c of COMMANDS) {
    if (c.path.every((w, i) => positionals[i] === w) && (!best || c.path.length > best.path.length)) best = c;
  }
  return { command: best, used: best?.path.length ?? 0 };
}

/** node:util parseArgs messages, shortened. */
function parseArgsMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: string }).code;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const flag = /'([^']+)'/.exec(message)?.[1];
    return flag ? `unknown flag ${flag}` : message;
  }
  return message.replace(/^Option '([^']+)' argument missing$/, '$1 needs a value');
}

function reportError(err: CliError, out: Output, io: CliIo): void {
  if (out.json) {
    io.stderr.write(
      JSON.stringify({
        error: err.apiError ?? { code: `exit_${err.exitCode}`, message: err.message },
        status: err.status,
        exitCode: err.exitCode,
      }) + '\n',
    );
    return;
  }
  const p = out.paintErr;
  io.stderr.write(`${p('red', 'abm:')} ${err.message}\n`);
  for (const line of err.detailLines) io.stderr.write(`  ${p('dim', '-')} ${line}\n`);
}

/** Runs the CLI; returns the exit code (never calls process.exit). */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  let out = makeOutput(io, argv.includes('--json'));
  try {
    const options = unionOptions();
    let parsed: { values: Record<string, unknown>; positionals: string[] };
    try {
      parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
    } catch (err) {
      throw usageError(parseArgsMessage(err), 'Run `abm --help` for usage.');
    }
    const flags = parsed.values as FlagValues;
    out = makeOutput(io, flags.json === true);
    let positionals = parsed.positionals;
    let help = flags.help === true;
    if (positionals[0] === 'help') {
      help = true;
      positionals = positionals.slice(1);
    }
    if (positionals.length === 0) {
      io.stdout.write(generalHelp());
      return help ? ExitCode.Ok : ExitCode.Usage;
    }
    const { command, used } = findCommand(positionals);
    if (!command) {
      const group = COMMANDS.some((c) => c.path[0] === positionals[0]) ? positionals[0] : undefined;
      if (group && help && positionals.length === 1) {
        io.stdout.write(generalHelp(group));
        return ExitCode.Ok;
      }
      if (group) {
        const verbs = COMMANDS.filter((c) => c.path[0] === group).map((c) => c.path.slice(1).join(' '));
        throw usageError(
          positionals[1] ? `unknown command "${group} ${positionals[1]}"` : `"${group}" needs a command`,
          `Try one of: ${verbs.map((v) => `abm ${group} ${v}`).join(', ')}.`,
        );
      }
      throw usageError(`unknown command "${positionals[0]}"`, 'Run `abm --help` for the list of commands.');
    }
    if (help) {
      io.stdout.write(commandHelp(command));
      return ExitCode.Ok;
    }
    const allowed = { ...GLOBAL_OPTIONS, ...(command.options ?? {}) };
    for (const name of Object.keys(flags)) {
      if (!(name in allowed)) {
        throw usageError(
          `--${name} is not a flag of "abm ${command.path.join(' ')}"`,
          `Run \`abm ${command.path.join(' ')} --help\`.`,
        );
      }
    }
    const args = positionals.slice(used);
    const specs = command.args ?? [];
    const missing = specs.filter((a, i) => a.required && args[i] === undefined);
    if (missing.length) {
      throw usageError(`missing ${missing.map((a) => a.name).join(', ')}`, `Usage: ${synopsis(command)}`);
    }
    if (args.length > specs.length) {
      throw usageError(`unexpected argument "${args[specs.length]}"`, `Usage: ${synopsis(command)}`);
    }
    let client: ApiClient | undefined;
    const ctx: CommandContext = {
      io,
      args,
      flags,
      out,
      client: () => (client ??= createClient(clientOptions(flags, io.env))),
    };
    return await command.run(ctx);
  } catch (err) {
    if (err instanceof CliError) {
      reportError(err, out, io);
      return err.exitCode;
    }
    io.stderr.write(
      `abm: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    return ExitCode.ServerError;
  }
}

/** Process entry (bin/abm.js). Ctrl-C aborts live commands (campaigns status) cleanly. */
export async function main(): Promise<void> {
  const interrupt = new AbortController();
  let interrupted = false;
  process.on('SIGINT', () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    interrupt.abort();
  });
  const code = await run(process.argv.slice(2), processIo(interrupt.signal));
  process.exitCode = code;
}

if (require.main === module) void main();
