/**
 * `abm programs list|get|put|pause|resume|report`: always-on programs (docs/api.md "Programs").
 */
import type { Command, CommandContext } from '../command';
import { ExitCode, inputFileError } from '../errors';
import { parseStructured, readInput } from '../files';
import { keyValues, table, type Paint } from '../format';
import { seg } from '../http';
import { withFileLines } from './shared';

interface ProgramView {
  programId?: string;
  name?: string;
  sequenceId?: string;
  sequenceVersion?: number;
  status?: string;
  trigger?: { type?: string; [k: string]: unknown };
  reentry?: Record<string, unknown>;
  entries?: number;
  version?: number;
}

const triggerLine = (t: ProgramView['trigger']) => {
  if (!t) return '?';
  const { type, ...rest } = t;
  const args = Object.entries(rest).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('|') : String(v)}`);
  return [type, ...args].join(' ');
};
const reentryLine = (r: ProgramView['reentry']) =>
  !r ? '?' : 'after' in r ? `after ${String(r.after)}` : 'once' in r ? 'once' : 'unless enrolled exclusively';

function describe(p: ProgramView, paint: Paint): string {
  return keyValues(
    [
      ['program', p.programId],
      ['name', p.name],
      ['status', paint(p.status === 'active' ? 'green' : 'yellow', p.status ?? '?')],
      ['trigger', triggerLine(p.trigger)],
      ['sequence', `${p.sequenceId} v${p.sequenceVersion}`],
      ['re-entry', reentryLine(p.reentry)],
      ['entries', p.entries],
    ],
    paint,
  );
}

const idArg = { name: 'PROGRAM_ID', required: true, description: 'the program id' };

async function list(ctx: CommandContext): Promise<number> {
  const { body } = await ctx.client().send<{ items: ProgramView[] }>({ method: 'GET', path: '/programs' });
  ctx.out.result(body, () =>
    body.items.length === 0
      ? 'no programs'
      : table(
          body.items,
          [
            { header: 'PROGRAM', value: (p) => p.programId },
            { header: 'STATUS', value: (p) => p.status },
            { header: 'TRIGGER', value: (p) => triggerLine(p.trigger) },
            { header: 'SEQUENCE', value: (p) => p.sequenceId },
            { header: 'ENTRIES', value: (p) => p.entries },
          ],
          ctx.out.paint,
        ),
  );
  return ExitCode.Ok;
}

async function get(ctx: CommandContext): Promise<number> {
  const { body } = await ctx
    .client()
    .send<ProgramView>({ method: 'GET', path: `/programs/${seg(ctx.args[0]!)}` });
  ctx.out.result(body, () => describe(body, ctx.out.paint));
  return ExitCode.Ok;
}

async function put(ctx: CommandContext): Promise<number> {
  const [id, path] = [ctx.args[0]!, ctx.args[1]!];
  const file = await readInput(path, ctx.io.cwd);
  const doc = parseStructured(file);
  if (!doc || typeof doc !== 'object' || Array.isArray(doc))
    throw inputFileError(path, 'expected an object (a mapping of fields) at the top level');
  let body: ProgramView;
  try {
    ({ body } = await ctx
      .client()
      .send<ProgramView>({ method: 'PUT', path: `/programs/${seg(id)}`, json: doc }));
  } catch (err) {
    throw withFileLines(err, file);
  }
  ctx.out.result(body, () => `saved program ${ctx.out.paint('bold', id)}\n${describe(body, ctx.out.paint)}`);
  return ExitCode.Ok;
}

const setStatus = (action: 'pause' | 'resume') => async (ctx: CommandContext) => {
  const { body } = await ctx
    .client()
    .send<ProgramView>({ method: 'POST', path: `/programs/${seg(ctx.args[0]!)}/${action}` });
  ctx.out.result(
    body,
    () => `${action === 'pause' ? 'paused' : 'resumed'}\n${describe(body, ctx.out.paint)}`,
  );
  return ExitCode.Ok;
};

async function report(ctx: CommandContext): Promise<number> {
  const { body } = await ctx.client().send<{ program: ProgramView; report: Record<string, unknown> }>({
    method: 'GET',
    path: `/reports/programs/${seg(ctx.args[0]!)}`,
  });
  ctx.out.result(
    body,
    () => `${describe(body.program, ctx.out.paint)}\n\n${JSON.stringify(body.report, null, 2)}`,
  );
  return ExitCode.Ok;
}

export const programCommands: Command[] = [
  { path: ['programs', 'list'], summary: 'every always-on program', run: list },
  { path: ['programs', 'get'], summary: 'one program, with its entries', args: [idArg], run: get },
  {
    path: ['programs', 'put'],
    summary: 'define or replace a program (trigger, audience, sequence, re-entry) from a JSON or YAML file',
    args: [
      idArg,
      { name: 'FILE', required: true, description: 'a .json or .yaml program (docs/api.md "Programs")' },
    ],
    examples: ['abm programs put intent-surge programs/intent-surge.yaml'],
    run: put,
  },
  {
    path: ['programs', 'pause'],
    summary: 'pause a program (no new entries; enrollments pause)',
    args: [idArg],
    run: setStatus('pause'),
  },
  {
    path: ['programs', 'resume'],
    summary: 'resume a paused program',
    args: [idArg],
    run: setStatus('resume'),
  },
  {
    path: ['programs', 'report'],
    summary: "a program's report (its campaign's)",
    args: [idArg],
    run: report,
  },
];
