/** `abm campaigns launch|status|pause|resume|stop`. */
import { bool, str, stringOption, type Command, type CommandContext } from '../command';
import { CliError, ExitCode, usageError } from '../errors';
import { keyValues, table, type Paint } from '../format';
import { seg } from '../http';
import { intFlag, positiveInt, requiredStr } from './shared';

export const TERMINAL_STATUSES = new Set(['completed', 'stopped']);
export const DEFAULT_REFRESH_SECONDS = 2;

interface LaunchResponse {
  campaignId?: string;
  enrolled?: number;
  heldOut?: number;
  skipped?: { accountId?: string; reason?: string }[];
  wouldEnroll?: string[];
  wouldHoldOut?: string[];
  dryRun?: boolean;
  minimumDetectableLift?: { points?: number | null; baselineRate?: number };
  forecast?: ForecastView;
}

type Counts = Partial<Record<'email' | 'ads' | 'sdr_task' | 'direct_mail', number>>;

/** The dry run's forecast (docs/api.md "Forecast"), as far as the CLI prints it. */
export interface ForecastView {
  accounts?: number;
  sampled?: number;
  touches?: { byChannel?: Counts; byWeek?: (Counts & { week?: string })[] };
  capped?: { outcome?: string }[];
  cappedTotal?: number;
  finish?: { earliest?: string | null; latest?: string | null };
  cost?: {
    usd?: number;
    byComponent?: { ses?: number; stepFunctions?: number; lambda?: number; directMail?: number };
  };
  quota?: {
    startExecution?: { executions?: number; seconds?: number };
    ses?: { maxSendRate?: number | null; peakBurst?: number; drainSeconds?: number | null };
  };
}

const CHANNEL_COLUMNS = ['email', 'ads', 'sdr_task', 'direct_mail'] as const;
const money = (usd?: number) => `$${(usd ?? 0).toFixed(usd !== undefined && usd < 1 ? 4 : 2)}`;

/** A readable summary of a dry run's forecast. */
export function renderForecast(f: ForecastView, paint: Paint): string {
  const t = f.touches?.byChannel ?? {};
  const c = f.cost?.byComponent ?? {};
  const q = f.quota ?? {};
  const deferred = (f.capped ?? []).filter((x) => x.outcome === 'deferred').length;
  const lines = [
    `forecast with no engagement, ${f.accounts ?? 0} accounts${f.sampled ? ` (a sample of ${f.sampled})` : ''}:`,
    keyValues(
      [
        ['touches', CHANNEL_COLUMNS.map((ch) => `${ch} ${t[ch] ?? 0}`).join(', ')],
        [
          'capped',
          `${f.cappedTotal ?? 0} touches by the frequency cap${f.capped?.length ? ` (listed: ${deferred} deferred, ${f.capped.length - deferred} skipped)` : ''}`,
        ],
        ['finish', `${f.finish?.earliest ?? '-'} .. ${f.finish?.latest ?? '-'}`],
        [
          'cost',
          `${paint('bold', money(f.cost?.usd))} (SES ${money(c.ses)}, Step Functions ${money(c.stepFunctions)}, Lambda ${money(c.lambda)}, direct mail ${money(c.directMail)})`,
        ],
        [
          'quota',
          `StartExecution ${q.startExecution?.executions ?? 0} in ${q.startExecution?.seconds ?? 0} s; SES peak ${q.ses?.peakBurst ?? 0} emails at once${q.ses?.maxSendRate ? ` (${q.ses.drainSeconds} s at ${q.ses.maxSendRate}/s)` : ' (no sending rate configured)'}`,
        ],
      ],
      paint,
    ),
  ];
  const weeks = f.touches?.byWeek ?? [];
  if (weeks.length)
    lines.push(
      table(
        weeks,
        [
          { header: 'WEEK OF', value: (w) => w.week },
          ...CHANNEL_COLUMNS.map((ch) => ({ header: ch.toUpperCase(), value: (w: Counts) => w[ch] ?? 0 })),
        ],
        paint,
      ),
    );
  return lines.join('\n');
}

export interface CampaignView {
  campaignId?: string;
  name?: string;
  sequenceId?: string;
  version?: number;
  status?: string;
  enrolled?: number;
  heldOut?: number;
  byStatus?: Record<string, number>;
  steps?: {
    stepId?: string;
    channel?: string;
    sent?: number;
    skipped?: number;
    failed?: number;
    uncertain?: number;
  }[];
}

async function launch(ctx: CommandContext): Promise<number> {
  const f = ctx.flags;
  const sequenceId = requiredStr(
    f,
    'sequence',
    'Usage: abm campaigns launch --sequence ID --tier 1 [--name NAME]',
  );
  const tier = intFlag(str(f, 'tier'), 'tier', { min: 1, max: 3 });
  const cluster = str(f, 'cluster');
  const accountsFlag = str(f, 'accounts');
  const accountIds = accountsFlag
    ?.split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  if (accountsFlag !== undefined && !accountIds?.length) throw usageError('--accounts expects a,b,c');
  if (tier === undefined && cluster === undefined && accountIds === undefined) {
    throw usageError('name the audience: --tier N, --cluster NAME and/or --accounts a,b,c');
  }
  const campaignId = str(f, 'id');
  const body = {
    ...(campaignId ? { campaignId } : {}),
    name: str(f, 'name') ?? campaignId ?? sequenceId,
    sequenceId,
    ...(str(f, 'version') !== undefined ? { version: positiveInt(str(f, 'version'), 'version') } : {}),
    audience: {
      ...(tier !== undefined ? { tier } : {}),
      ...(cluster !== undefined ? { cluster } : {}),
      ...(accountIds ? { accountIds } : {}),
    },
    ...(str(f, 'holdout') !== undefined
      ? { holdoutPercent: intFlag(str(f, 'holdout'), 'holdout', { min: 0, max: 100 }) }
      : {}),
    ...(bool(f, 'dry-run') ? { dryRun: true } : {}),
    ...(bool(f, 'confirm') ? { confirm: true } : {}),
  };
  const { body: res } = await ctx
    .client()
    .send<LaunchResponse>({ method: 'POST', path: '/campaigns', json: body })
    .catch((err: unknown) => {
      if (err instanceof CliError && err.apiError?.code === 'over_budget')
        throw new CliError(
          err.exitCode,
          err.message,
          [...err.detailLines, 'see the forecast with --dry-run; launch anyway with --confirm'],
          err.apiError,
          err.status,
        );
      throw err;
    });
  ctx.out.result(res, () => {
    const p = ctx.out.paint;
    const dry = bool(f, 'dry-run');
    const lines = [
      `${dry ? 'dry run of' : 'launched'} campaign ${p('bold', res.campaignId ?? campaignId ?? '?')}: ${p('green', `${res.enrolled ?? 0} ${dry ? 'would be enrolled' : 'enrolled'}`)}, ${res.heldOut ?? 0} held out, ${res.skipped?.length ?? 0} skipped`,
    ];
    if (res.skipped?.length) {
      lines.push(
        '',
        table(
          res.skipped,
          [
            { header: 'SKIPPED ACCOUNT', value: (s) => s.accountId },
            { header: 'REASON', value: (s) => s.reason, colour: () => 'yellow' },
          ],
          p,
        ),
      );
    }
    const mdl = res.minimumDetectableLift;
    const names = (label: string, ids?: string[]) => {
      if (ids?.length) lines.push(`${label}: ${ids.join(', ')}`);
    };
    names(dry ? 'would enroll' : 'enrolled', res.wouldEnroll);
    names(dry ? 'would hold out' : 'held out', res.wouldHoldOut);
    if (dry && mdl)
      lines.push(
        mdl.points === null || mdl.points === undefined
          ? 'no holdout: the lift over a holdout cannot be measured'
          : `detectable lift: ${mdl.points} points or more (alpha 0.05, power 0.8, around ${((mdl.baselineRate ?? 0) * 100).toFixed(1)}% engaged now)`,
      );
    if (dry && res.forecast) lines.push('', renderForecast(res.forecast, p));
    if (!dry && res.campaignId) lines.push(`watch it with: abm campaigns status ${res.campaignId}`);
    return lines.join('\n');
  });
  return ExitCode.Ok;
}

const statusColour = (status?: string): 'green' | 'yellow' | 'red' | 'cyan' | undefined =>
  status === 'running'
    ? 'green'
    : status === 'paused'
      ? 'yellow'
      : status === 'stopped'
        ? 'red'
        : status === 'completed'
          ? 'cyan'
          : undefined;

export function renderCampaign(c: CampaignView, paint: Paint): string {
  const head = keyValues(
    [
      ['campaign', c.campaignId + (c.name && c.name !== c.campaignId ? ` (${c.name})` : '')],
      [
        'sequence',
        c.sequenceId !== undefined
          ? `${c.sequenceId}${c.version !== undefined ? ` v${c.version}` : ''}`
          : undefined,
      ],
      [
        'status',
        c.status !== undefined && statusColour(c.status)
          ? paint(statusColour(c.status)!, c.status)
          : c.status,
      ],
      ['enrolled', c.enrolled],
      ['held out', c.heldOut],
      [
        'by status',
        c.byStatus && Object.keys(c.byStatus).length
          ? Object.entries(c.byStatus)
              .map(([k, v]) => `${k} ${v}`)
              .join(', ')
          : undefined,
      ],
    ],
    paint,
  );
  const steps = c.steps ?? [];
  if (!steps.length) return head + '(no step progress yet)\n';
  const total = (k: 'sent' | 'skipped' | 'failed' | 'uncertain'): number =>
    steps.reduce((n, s) => n + (s[k] ?? 0), 0);
  return (
    head +
    '\n' +
    table(
      [
        ...steps,
        {
          stepId: 'total',
          channel: '',
          sent: total('sent'),
          skipped: total('skipped'),
          failed: total('failed'),
          uncertain: total('uncertain'),
        },
      ],
      [
        { header: 'STEP', value: (s) => s.stepId },
        { header: 'CHANNEL', value: (s) => s.channel },
        { header: 'SENT', value: (s) => s.sent ?? 0, align: 'right' },
        { header: 'SKIPPED', value: (s) => s.skipped ?? 0, align: 'right' },
        {
          header: 'FAILED',
          value: (s) => s.failed ?? 0,
          align: 'right',
          colour: (s) => ((s.failed ?? 0) > 0 ? 'red' : undefined),
        },
        {
          // Handed over without an answer: may have gone out, never sent again.
          header: 'UNCERTAIN',
          value: (s) => s.uncertain ?? 0,
          align: 'right',
          colour: (s) => ((s.uncertain ?? 0) > 0 ? 'yellow' : undefined),
        },
      ],
      paint,
    )
  );
}

async function status(ctx: CommandContext): Promise<number> {
  const id = ctx.args[0]!;
  const seconds = intFlag(str(ctx.flags, 'interval'), 'interval', { min: 0.01 }) ?? DEFAULT_REFRESH_SECONDS;
  const once = bool(ctx.flags, 'once') || ctx.out.json;
  const live = Boolean(ctx.io.stdout.isTTY);
  const client = ctx.client();
  let previous: string | undefined;
  let previousLines = 0;
  for (;;) {
    const { body } = await client.send<CampaignView>({ method: 'GET', path: `/campaigns/${seg(id)}` });
    if (ctx.out.json) {
      ctx.out.result(body, () => '');
      return ExitCode.Ok;
    }
    const done = TERMINAL_STATUSES.has(body.status ?? '');
    const text = renderCampaign(body, ctx.out.paint);
    if (once || done) {
      if (live && previousLines) ctx.io.stdout.write(`\u001b[${previousLines}A\u001b[J`);
      ctx.io.stdout.write(text);
      return ExitCode.Ok;
    }
    const footer = ctx.out.paint(
      'dim',
      `refreshing every ${seconds}s, Ctrl-C to stop (${ctx.io.now().toISOString()})`,
    );
    if (live) {
      // Redraw in place: move up over the previous render and clear to the end of the screen.
      if (previousLines) ctx.io.stdout.write(`\u001b[${previousLines}A\u001b[J`);
      ctx.io.stdout.write(`${text}${footer}\n`);
      previousLines = text.split('\n').length;
    } else if (text !== previous) {
      // Not a terminal (piped, CI): print a new table only when something changed.
      ctx.io.stdout.write(`${previous === undefined ? '' : '\n'}${ctx.io.now().toISOString()}\n${text}`);
    }
    previous = text;
    await ctx.io.sleep(seconds * 1000, ctx.io.interrupt);
    if (ctx.io.interrupt?.aborted) return ExitCode.Ok;
  }
}

const control =
  (verb: 'pause' | 'resume' | 'stop') =>
  async (ctx: CommandContext): Promise<number> => {
    const id = ctx.args[0]!;
    const { body } = await ctx
      .client()
      .send<CampaignView>({ method: 'POST', path: `/campaigns/${seg(id)}/${verb}` });
    ctx.out.result(body ?? {}, () => {
      const past = { pause: 'paused', resume: 'resumed', stop: 'stopped' }[verb];
      return `campaign ${ctx.out.paint('bold', id)} ${past}${body?.status ? ` (status: ${body.status})` : ''}`;
    });
    return ExitCode.Ok;
  };

const idArg = [{ name: 'CAMPAIGN_ID', required: true, description: 'the campaign id' }];

export const campaignCommands: Command[] = [
  {
    path: ['campaigns', 'launch'],
    summary: 'launch a sequence for an audience (tier, cluster and/or named accounts)',
    description:
      'Idempotent on --id: launching the same id again does not enrol twice. --dry-run reports who would be\nenrolled and skipped (with reasons) and the forecast with no engagement (touches by channel and week,\ncapped touches, finish, cost, quotas) without starting anything. Over config.launch.maxUsd a launch\nneeds --confirm.',
    options: {
      id: stringOption('CAMPAIGN_ID', 'campaign id (generated by the server when absent)'),
      name: stringOption('NAME', 'display name (default: the id or the sequence id)'),
      sequence: stringOption('SEQUENCE_ID', 'the sequence to run (required)'),
      version: stringOption('N', 'sequence version (default: the latest)'),
      tier: stringOption('1|2|3', 'audience: accounts of this tier'),
      cluster: stringOption('NAME', 'audience: accounts of this cluster'),
      accounts: stringOption('a,b,c', 'audience: these account ids'),
      holdout: stringOption('PERCENT', 'hold out this percentage of the audience (0-100)'),
      'dry-run': {
        type: 'boolean',
        description:
          'show who would be enrolled and the forecast (touches, caps, finish, cost), start nothing',
      },
      confirm: {
        type: 'boolean',
        description: 'launch even when the forecast costs more than config.launch.maxUsd',
      },
    },
    examples: [
      'abm campaigns launch --id q1-tier1 --name "Q1 tier 1" --sequence tier1-strategic --tier 1 --holdout 10',
      'abm campaigns launch --sequence tier1-strategic --accounts northwind-retail,contoso --dry-run',
    ],
    run: launch,
  },
  {
    path: ['campaigns', 'status'],
    summary: 'live progress per step and channel (refreshes until completed/stopped, Ctrl-C or --once)',
    args: idArg,
    options: {
      once: { type: 'boolean', description: 'print once and exit' },
      interval: stringOption('SECONDS', `refresh interval (default ${DEFAULT_REFRESH_SECONDS})`),
    },
    examples: ['abm campaigns status q1-tier1', 'abm campaigns status q1-tier1 --once --json'],
    run: status,
  },
  { path: ['campaigns', 'pause'], summary: 'pause a running campaign', args: idArg, run: control('pause') },
  { path: ['campaigns', 'resume'], summary: 'resume a paused campaign', args: idArg, run: control('resume') },
  {
    path: ['campaigns', 'stop'],
    summary: 'stop a campaign (its enrollments end)',
    args: idArg,
    run: control('stop'),
  },
];
