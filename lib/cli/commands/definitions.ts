/**
 * `abm sequences put FILE`, `abm sequences import-pinpoint FILE [--out FILE]` and
 * `abm templates put ID FILE` (JSON or YAML).
 */
import { writeFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { str, stringOption, type Command, type CommandContext } from '../command';
import { ExitCode, inputFileError } from '../errors';
import { parseStructured, readInput, type InputFile } from '../files';
import { table } from '../format';
import { seg } from '../http';
import { withFileLines } from './shared';

async function readDocument(
  ctx: CommandContext,
  path: string,
): Promise<{ file: InputFile; doc: Record<string, unknown> }> {
  const file = await readInput(path, ctx.io.cwd);
  const doc = parseStructured(file);
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    throw inputFileError(path, 'expected an object (a mapping of fields) at the top level');
  }
  return { file, doc: doc as Record<string, unknown> };
}

async function putSequence(ctx: CommandContext): Promise<number> {
  const { file, doc } = await readDocument(ctx, ctx.args[0]!);
  const id = str(ctx.flags, 'id') ?? (typeof doc.id === 'string' ? doc.id : undefined);
  if (!id) throw inputFileError(file.path, 'the sequence has no "id" (add `id:` to the file or pass --id)');
  const body = { ...doc, id };
  let res: { body: { id?: string; version?: number; [k: string]: unknown } };
  try {
    res = await ctx.client().send({ method: 'PUT', path: `/sequences/${seg(id)}`, json: body });
  } catch (err) {
    throw withFileLines(err, file);
  }
  ctx.out.result(res.body, () => {
    const version = res.body?.version;
    return `saved sequence ${ctx.out.paint('bold', id)}${version !== undefined ? ` version ${version}` : ''}`;
  });
  return ExitCode.Ok;
}

interface PinpointImport {
  sequence?: { id?: string; steps?: unknown[]; [k: string]: unknown };
  unconverted?: { path: string; reason: string }[];
}

/** Converts a Pinpoint journey on the server (POST /sequences/import/pinpoint); saves nothing. */
async function importPinpoint(ctx: CommandContext): Promise<number> {
  const { file, doc } = await readDocument(ctx, ctx.args[0]!);
  let res: { body: PinpointImport };
  try {
    res = await ctx
      .client()
      .send<PinpointImport>({ method: 'POST', path: '/sequences/import/pinpoint', json: doc });
  } catch (err) {
    throw withFileLines(err, file);
  }
  const { sequence = {}, unconverted = [] } = res.body ?? {};
  const outPath = str(ctx.flags, 'out');
  if (outPath !== undefined) {
    const full = isAbsolute(outPath) ? outPath : resolve(ctx.io.cwd, outPath);
    const text = /\.ya?ml$/i.test(outPath) ? toYaml(sequence) : `${JSON.stringify(sequence, null, 2)}\n`;
    try {
      await writeFile(full, text, 'utf8');
    } catch (err) {
      throw inputFileError(
        outPath,
        `cannot write the sequence (${(err as { code?: string }).code ?? String(err)})`,
      );
    }
  }
  const listed = () =>
    table(
      unconverted,
      [
        { header: 'NOT CONVERTED', value: (u) => u.path },
        { header: 'WHY', value: (u) => u.reason },
      ],
      ctx.out.paint,
    );
  if (ctx.out.json) {
    ctx.out.result(outPath !== undefined ? { ...res.body, sequenceFile: outPath } : res.body, () => '');
    return ExitCode.Ok;
  }
  if (outPath === undefined) {
    // The sequence on stdout (pipe it to a file), the rest on stderr.
    ctx.out.print(JSON.stringify(sequence, null, 2));
    if (unconverted.length > 0) ctx.out.note(listed());
    return ExitCode.Ok;
  }
  const steps = Array.isArray(sequence.steps) ? sequence.steps.length : 0;
  ctx.out.print(
    [
      `converted into sequence ${ctx.out.paint('bold', String(sequence.id))}: ${steps} steps, ${unconverted.length} items not converted; written to ${outPath}`,
      ...(unconverted.length > 0 ? [listed()] : []),
      `review it, then save it: abm sequences put ${outPath}`,
    ].join('\n'),
  );
  return ExitCode.Ok;
}

async function putTemplate(ctx: CommandContext): Promise<number> {
  const id = ctx.args[0]!;
  const { file, doc } = await readDocument(ctx, ctx.args[1]!);
  let res: { body: { version?: number; [k: string]: unknown } };
  try {
    res = await ctx.client().send({ method: 'PUT', path: `/templates/${seg(id)}`, json: doc });
  } catch (err) {
    throw withFileLines(err, file);
  }
  ctx.out.result(res.body, () => `saved template ${ctx.out.paint('bold', id)}`);
  return ExitCode.Ok;
}

export const definitionCommands: Command[] = [
  {
    path: ['sequences', 'put'],
    summary: 'save a new version of a sequence from a YAML or JSON file',
    description:
      'The sequence id comes from the file (`id:`) or --id. The server validates the sequence; field errors\nare printed with the line in the file where they can be found.',
    args: [
      {
        name: 'FILE',
        required: true,
        description: 'a .yaml/.yml or .json sequence (docs/architecture.md "Sequences")',
      },
    ],
    options: {
      id: stringOption('ID', 'sequence id (overrides the id in the file)'),
    },
    examples: ['abm sequences put sequences/tier1-strategic.yaml'],
    run: putSequence,
  },
  {
    path: ['sequences', 'import-pinpoint'],
    summary: 'convert an Amazon Pinpoint journey (aws pinpoint get-journey output) into a sequence',
    description:
      'The server converts the journey (POST /sequences/import/pinpoint) and saves nothing. Without --out the\nsequence is printed as JSON on stdout and what was not converted on stderr; with --out it is written to\nthe file (YAML for .yaml/.yml) for `abm sequences put`.',
    args: [
      {
        name: 'FILE',
        required: true,
        description: 'the journey: `aws pinpoint get-journey` output (JourneyResponse) or the bare journey',
      },
    ],
    options: {
      out: stringOption('FILE', 'write the sequence to FILE (.json, or .yaml/.yml)'),
    },
    examples: [
      'aws pinpoint get-journey --application-id APP --journey-id J > journey.json',
      'abm sequences import-pinpoint journey.json --out sequences/nurture.yaml',
    ],
    run: importPinpoint,
  },
  {
    path: ['templates', 'put'],
    summary: 'save an email template (subject, html, text, byRole, byAccount) from a JSON or YAML file',
    args: [
      { name: 'TEMPLATE_ID', required: true, description: 'the template id used by sequence steps' },
      {
        name: 'FILE',
        required: true,
        description: 'a .json or .yaml template (docs/architecture.md "HTTP API")',
      },
    ],
    examples: ['abm templates put intro templates/intro.yaml'],
    run: putTemplate,
  },
];
