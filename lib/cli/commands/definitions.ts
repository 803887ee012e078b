/** `abm sequences put FILE` and `abm templates put ID FILE` (JSON or YAML). */
import { str, stringOption, type Command, type CommandContext } from '../command';
import { ExitCode, inputFileError } from '../errors';
import { parseStructured, readInput, type InputFile } from '../files';
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
