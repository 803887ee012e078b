/** `abm tasks list` (the SDR queue) and `abm tasks complete TASK_ID --outcome X`. */
import { bool, str, stringOption, type Command, type CommandContext } from '../command';
import { ExitCode } from '../errors';
import { seg } from '../http';
import { positiveInt, requiredStr } from './shared';

interface TaskView {
  taskId?: string;
  accountId?: string;
  contactId?: string;
  owner?: string;
  type?: string;
  status?: string;
  priority?: number;
  dueAt?: string;
  reason?: string;
  overdue?: boolean;
  accountName?: string;
  call?: { name?: string; role?: string; phone?: string; timeZone?: string; localTime?: string };
  context?: { talkingPoints?: string[] };
}

async function list(ctx: CommandContext): Promise<number> {
  const { body } = await ctx.client().send<{ items?: TaskView[]; cursor?: string | null }>({
    method: 'GET',
    path: '/tasks',
    query: {
      owner: str(ctx.flags, 'owner'),
      status: str(ctx.flags, 'status'),
      overdue: bool(ctx.flags, 'overdue') ? 'true' : undefined,
      limit: positiveInt(str(ctx.flags, 'limit'), 'limit'),
      cursor: str(ctx.flags, 'cursor'),
    },
  });
  const items = body?.items ?? [];
  ctx.out.result(body, () => {
    if (!items.length) return 'no tasks';
    const p = ctx.out.paint;
    const text =
      items
        .map((t) => {
          const due = t.overdue ? p('red', `OVERDUE since ${t.dueAt}`) : `due ${t.dueAt}`;
          const call = t.call
            ? `${t.call.name} (${t.call.role})${t.call.phone ? `, ${t.call.phone}` : ''}, ${t.call.localTime} their time (${t.call.timeZone})`
            : undefined;
          const lines = [
            `${p('bold', t.taskId ?? '?')}  ${t.type} P${t.priority}  ${due}  ${t.status}  owner ${t.owner}`,
            `  account: ${t.accountName ? `${t.accountName} (${t.accountId})` : t.accountId}  abm accounts get ${t.accountId}`,
            ...(call ? [`  call:    ${call}`] : []),
            `  why now: ${t.reason}`,
            ...(t.context?.talkingPoints ?? []).map((point) => `  - ${point}`),
          ];
          return lines.join('\n');
        })
        .join('\n\n') + '\n';
    return body.cursor ? `${text}more: abm tasks list --cursor ${body.cursor}` : text;
  });
  return ExitCode.Ok;
}

async function complete(ctx: CommandContext): Promise<number> {
  const taskId = ctx.args[0]!;
  const outcome = requiredStr(
    ctx.flags,
    'outcome',
    'e.g. --outcome meeting_booked (connected, voicemail, no_answer, meeting_booked, not_interested, bad_number)',
  );
  const notes = str(ctx.flags, 'notes');
  const { body } = await ctx.client().send({
    method: 'POST',
    path: `/tasks/${seg(taskId)}/complete`,
    json: { outcome, ...(notes !== undefined ? { notes } : {}) },
  });
  ctx.out.result(body ?? {}, () => `task ${ctx.out.paint('bold', taskId)} completed: ${outcome}`);
  return ExitCode.Ok;
}

export const taskCommands: Command[] = [
  {
    path: ['tasks', 'list'],
    summary:
      "list SDR tasks: an SDR's queue (highest priority first), or without --owner every open task by due time",
    options: {
      owner: stringOption('SDR', 'tasks of this owner (default: every owner)'),
      status: stringOption('STATUS', 'open, completed (done) or cancelled'),
      overdue: { type: 'boolean', description: 'only the tasks due before now' },
      limit: stringOption('N', 'page size'),
      cursor: stringOption('CURSOR', 'the next page (printed after a full page)'),
    },
    examples: ['abm tasks list', 'abm tasks list --owner sdr-ana --overdue'],
    run: list,
  },
  {
    path: ['tasks', 'complete'],
    summary: 'log the outcome of an SDR task (feeds the account score)',
    args: [{ name: 'TASK_ID', required: true, description: 'the task id' }],
    options: {
      outcome: stringOption(
        'OUTCOME',
        'connected, voicemail, no_answer, meeting_booked, not_interested or bad_number (required)',
      ),
      notes: stringOption('TEXT', 'free-text notes'),
    },
    examples: ['abm tasks complete t-123 --outcome meeting_booked --notes "demo on Tuesday"'],
    run: complete,
  },
];
