/**
 * `abm clock status` and `abm clock advance P3D | --to TIME`: local mode's clock
 * (docs/architecture.md "Local mode"): its mode and now, and a skip ahead that runs every step,
 * timeout and re-score falling due, in order, before it answers. Local mode only (404 on AWS).
 */
import { stringOption, str, type Command, type CommandContext } from '../command';
import { CliError, ExitCode } from '../errors';

interface ClockView {
  mode?: string;
  now?: string;
}

const describe = (view: ClockView) => `${view.now ?? '?'} (${view.mode ?? '?'})`;

async function status(ctx: CommandContext): Promise<number> {
  const { body } = await ctx.client().send<ClockView>({ method: 'GET', path: '/_local/clock' });
  ctx.out.result(body, () => describe(body));
  return ExitCode.Ok;
}

async function advance(ctx: CommandContext): Promise<number> {
  const by = ctx.args[0];
  const to = str(ctx.flags, 'to');
  if ((by === undefined) === (to === undefined))
    throw new CliError(ExitCode.Usage, 'give a duration (abm clock advance P3D) or --to TIME, not both');
  const { body } = await ctx.client().send<ClockView>({
    method: 'POST',
    path: '/_local/clock/advance',
    json: by !== undefined ? { by } : { to },
  });
  ctx.out.result(body, () => `now ${describe(body)}`);
  return ExitCode.Ok;
}

export const clockCommands: Command[] = [
  {
    path: ['clock', 'status'],
    summary: "local mode's clock: its mode (interactive, simulate, scaled) and now",
    examples: ['abm clock status'],
    run: status,
  },
  {
    path: ['clock', 'advance'],
    summary: 'skip local mode ahead: what falls due (steps, timeouts, re-scores) runs in order first',
    args: [{ name: 'DURATION', required: false, description: 'ISO 8601 duration, e.g. P3D or PT4H' }],
    options: { to: stringOption('TIME', 'skip to this ISO 8601 time instead') },
    examples: ['abm clock advance P3D', 'abm clock advance --to 2026-03-09T09:00:00Z'],
    run: advance,
  },
];
