/** `abm tasks list` (the SDR queue) and `abm tasks complete TASK_ID --outcome X`. */
import { str, stringOption, type Command, type CommandContext } from '../command';
import { ExitCode } from '../errors';
import { table } from '../format';
import { seg } from '../http';
import { positiveInt, requiredStr, statusColumn } from './shared';

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
}

async function list(ctx: CommandContext): Promise<number> {
  const { body } = await ctx.client().send<{ items?: TaskView[]; cursor?: string | null }>({
    method: 'GET',
    path: '/tasks',
    query: {
      owner: str(ctx.flags, 'owner'),
      status: str(ctx.flags, 'status'),
      limit: positiveInt(str(ctx.flags, 'limit'), 'limit'),
      cursor: str(ctx.flags, 'cursor'),
    },
  });
  const items = body?.items ?? [];
  ctx.out.result(body, () => {
    if (!items.length) return 'no tasks';
    const text = table(
      items,
      [
        { header: 'TASK', value: (t) => t.taskId },
        { header: 'ACCOUNT', value: (t) => t.accountId },
        { header: 'CONTACT', value: (t) => t.contactId },
        { header: 'OWNER', value: (t) => t.owner },
        { header: 'TYPE', value: (t) => t.type },
        statusColumn({ open: 'yellow' }),
        { header: 'PRIO', value: (t) => t.priority, align: 'right' },
        { header: 'DUE', value: (t) => t.dueAt },
        { header: 'REASON', value: (t) => t.reason },
      ],
      ctx.out.paint,
    );
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
    summary: "list SDR tasks (an SDR's queue: by owner and status, highest priority first)",
    options: {
      owner: stringOption('SDR', 'tasks of this owner'),
      status: stringOption('STATUS', 'open, completed or cancelled'),
      limit: stringOption('N', 'page size'),
      cursor: stringOption('CURSOR', 'the next page (printed after a full page)'),
    },
    examples: ['abm tasks list --owner sdr-ana --status open'],
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
