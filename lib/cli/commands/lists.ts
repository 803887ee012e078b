/**
 * The console's lists on the command line: `abm accounts list`, `abm campaigns list`,
 * `abm sequences list|get`, `abm templates list|get` (docs/cli.md). Human output shows what the
 * JSON has that a person reads: names, counts, progress, coverage.
 */
import { str, stringOption, type Command, type CommandContext } from '../command';
import { ExitCode } from '../errors';
import { keyValues, table } from '../format';
import { seg } from '../http';
import { positiveInt, statusColumn } from './shared';

interface AccountRow {
  accountId?: string;
  name?: string;
  tier?: number;
  stage?: string;
  cluster?: string | null;
  ownerSdr?: string;
  fit?: { score?: number };
  score?: { now?: number | null; weekAgo?: number | null; change?: number | null };
  coverage?: { mapped?: string[]; reached?: string[]; missing?: string[] };
}

const more = (text: string, cursor: string | null | undefined, command: string) =>
  cursor ? `${text}more: ${command} --cursor ${cursor}` : text;

const trend = (s: AccountRow['score']) => {
  if (!s || s.now === null || s.now === undefined) return '-';
  const change = s.change ?? 0;
  return `${s.now.toFixed(1)} (${change >= 0 ? '+' : ''}${change.toFixed(1)} in 7d)`;
};

async function listAccounts(ctx: CommandContext): Promise<number> {
  const f = ctx.flags;
  const { body } = await ctx.client().send<{ items?: AccountRow[]; cursor?: string | null }>({
    method: 'GET',
    path: '/accounts',
    query: {
      tier: str(f, 'tier'),
      cluster: str(f, 'cluster'),
      stage: str(f, 'stage'),
      owner: str(f, 'owner'),
      q: str(f, 'search'),
      minScore: str(f, 'min-score'),
      maxScore: str(f, 'max-score'),
      sort: str(f, 'sort'),
      limit: positiveInt(str(f, 'limit'), 'limit'),
      cursor: str(f, 'cursor'),
    },
  });
  const items = body?.items ?? [];
  ctx.out.result(body, () => {
    if (!items.length) return 'no accounts';
    const text = table(
      items,
      [
        { header: 'ACCOUNT', value: (a) => a.accountId },
        { header: 'NAME', value: (a) => a.name },
        { header: 'TIER', value: (a) => a.tier, align: 'right' },
        { header: 'STAGE', value: (a) => a.stage },
        { header: 'SCORE', value: (a) => trend(a.score), align: 'right' },
        { header: 'FIT', value: (a) => a.fit?.score, align: 'right' },
        {
          header: 'ROLES REACHED/MAPPED',
          value: (a) => `${a.coverage?.reached?.length ?? 0}/${a.coverage?.mapped?.length ?? 0}`,
          align: 'right',
        },
        { header: 'MISSING', value: (a) => a.coverage?.missing },
        { header: 'OWNER', value: (a) => a.ownerSdr },
      ],
      ctx.out.paint,
    );
    return more(text, body.cursor, 'abm accounts list');
  });
  return ExitCode.Ok;
}

interface CampaignRow {
  campaignId?: string;
  name?: string;
  status?: string;
  sequenceId?: string;
  version?: number;
  enrolled?: number;
  heldOut?: number;
  progress?: { active?: number; activeCapped?: boolean; finished?: number; percent?: number };
  createdAt?: string;
}

async function listCampaigns(ctx: CommandContext): Promise<number> {
  const f = ctx.flags;
  const { body } = await ctx.client().send<{ items?: CampaignRow[]; cursor?: string | null }>({
    method: 'GET',
    path: '/campaigns',
    query: {
      status: str(f, 'status'),
      sequenceId: str(f, 'sequence'),
      limit: positiveInt(str(f, 'limit'), 'limit'),
      cursor: str(f, 'cursor'),
    },
  });
  const items = body?.items ?? [];
  ctx.out.result(body, () => {
    if (!items.length) return 'no campaigns';
    const text = table(
      items,
      [
        { header: 'CAMPAIGN', value: (c) => c.campaignId },
        { header: 'NAME', value: (c) => c.name },
        statusColumn({ running: 'green', paused: 'yellow', stopped: 'red', completed: 'cyan' }),
        { header: 'SEQUENCE', value: (c) => `${c.sequenceId} v${c.version}` },
        { header: 'ENROLLED', value: (c) => c.enrolled, align: 'right' },
        { header: 'HELD OUT', value: (c) => c.heldOut, align: 'right' },
        {
          header: 'ACTIVE',
          value: (c) => `${c.progress?.active ?? 0}${c.progress?.activeCapped ? '+' : ''}`,
          align: 'right',
        },
        { header: 'DONE', value: (c) => `${c.progress?.percent ?? 0}%`, align: 'right' },
        { header: 'CREATED', value: (c) => c.createdAt },
      ],
      ctx.out.paint,
    );
    return more(text, body.cursor, 'abm campaigns list');
  });
  return ExitCode.Ok;
}

const catalogList =
  (kind: 'sequences' | 'templates') =>
  async (ctx: CommandContext): Promise<number> => {
    const { body } = await ctx.client().send<{ items?: Record<string, unknown>[]; cursor?: string | null }>({
      method: 'GET',
      path: `/${kind}`,
      query: { limit: positiveInt(str(ctx.flags, 'limit'), 'limit'), cursor: str(ctx.flags, 'cursor') },
    });
    const items = body?.items ?? [];
    ctx.out.result(body, () => {
      if (!items.length) return `no ${kind}`;
      const text =
        kind === 'sequences'
          ? table(
              items,
              [
                { header: 'SEQUENCE', value: (s) => s.sequenceId },
                { header: 'NAME', value: (s) => s.name },
                { header: 'LATEST', value: (s) => s.latestVersion, align: 'right' },
                { header: 'UPDATED', value: (s) => s.updatedAt },
              ],
              ctx.out.paint,
            )
          : table(
              items,
              [
                { header: 'TEMPLATE', value: (t) => t.templateId },
                { header: 'SUBJECT', value: (t) => t.subject },
                { header: 'VERSION', value: (t) => t.version, align: 'right' },
                { header: 'UPDATED', value: (t) => t.updatedAt },
              ],
              ctx.out.paint,
            );
      return more(text, body.cursor, `abm ${kind} list`);
    });
    return ExitCode.Ok;
  };

interface SequenceVersion {
  sequence?: { id?: string; name?: string; steps?: Record<string, unknown>[] };
  version?: number;
  createdAt?: string;
}

async function getSequence(ctx: CommandContext): Promise<number> {
  const version = str(ctx.flags, 'version');
  const { body } = await ctx.client().send<SequenceVersion>({
    method: 'GET',
    path: `/sequences/${seg(ctx.args[0]!)}`,
    query: { version },
  });
  ctx.out.result(body, () => {
    const p = ctx.out.paint;
    const head = keyValues(
      [
        ['sequence', body.sequence?.id],
        ['name', body.sequence?.name],
        ['version', body.version],
        ['created', body.createdAt],
      ],
      p,
    );
    const steps = body.sequence?.steps ?? [];
    const what = (s: Record<string, unknown>) =>
      s.channel
        ? `${String(s.channel)} ${String(s.template ?? s.taskType ?? s.audience ?? s.piece ?? '')} to ${Array.isArray(s.to) ? s.to.join(',') : String(s.to ?? '')}`
        : String(s.type);
    return (
      head +
      table(
        steps,
        [
          { header: 'STEP', value: (s) => s.id },
          { header: 'AFTER', value: (s) => s.after },
          { header: 'WHAT', value: what },
          { header: 'IF', value: (s) => s.if },
        ],
        p,
      )
    );
  });
  return ExitCode.Ok;
}

async function getTemplate(ctx: CommandContext): Promise<number> {
  const { body } = await ctx.client().send<Record<string, unknown>>({
    method: 'GET',
    path: `/templates/${seg(ctx.args[0]!)}`,
  });
  ctx.out.result(body, () => {
    const byRole = Object.keys((body.byRole as object | undefined) ?? {});
    const byAccount = Object.keys((body.byAccount as object | undefined) ?? {});
    return (
      keyValues(
        [
          ['template', body.templateId],
          ['version', body.version],
          ['updated', body.updatedAt],
          ['subject', body.subject],
          ['role variants', byRole.length ? byRole.join(', ') : undefined],
          ['account overrides', byAccount.length ? byAccount.join(', ') : undefined],
        ],
        ctx.out.paint,
      ) + `\n${String(body.text ?? '')}\n`
    );
  });
  return ExitCode.Ok;
}

const page = {
  limit: stringOption('N', 'page size'),
  cursor: stringOption('CURSOR', 'the next page (printed after a full page)'),
};

export const listCommands: Command[] = [
  {
    path: ['accounts', 'list'],
    summary: 'list accounts: tier, stage, score with its 7-day trend, fit, roles reached/mapped',
    options: {
      tier: stringOption('N', '1, 2 or 3'),
      cluster: stringOption('NAME', 'accounts of this cluster'),
      stage: stringOption('STAGE', 'target, engaged, mqa, opportunity, customer or disqualified'),
      owner: stringOption('SDR', 'accounts of this SDR'),
      search: stringOption('TEXT', 'part of the name or the domain'),
      'min-score': stringOption('N', 'score now at least'),
      'max-score': stringOption('N', 'score now at most'),
      sort: stringOption('KEY', 'score, fit or name'),
      ...page,
    },
    examples: [
      'abm accounts list --tier 1 --sort score',
      'abm accounts list --owner sdr-ana --stage engaged',
    ],
    run: listAccounts,
  },
  {
    path: ['campaigns', 'list'],
    summary: 'list campaigns newest first: status, sequence, enrolled, held out, progress',
    options: {
      status: stringOption('STATUS', 'launching, running, paused, stopped or completed'),
      sequence: stringOption('ID', 'campaigns of this sequence'),
      ...page,
    },
    examples: ['abm campaigns list --status running'],
    run: listCampaigns,
  },
  { path: ['sequences', 'list'], summary: 'list sequences', options: page, run: catalogList('sequences') },
  {
    path: ['sequences', 'get'],
    summary: 'one sequence (its latest version, or --version N) with its steps',
    args: [{ name: 'SEQUENCE_ID', required: true, description: 'the sequence id' }],
    options: { version: stringOption('N', 'this version') },
    run: getSequence,
  },
  {
    path: ['templates', 'list'],
    summary: 'list email templates',
    options: page,
    run: catalogList('templates'),
  },
  {
    path: ['templates', 'get'],
    summary: 'one email template: subject, variants, text',
    args: [{ name: 'TEMPLATE_ID', required: true, description: 'the template id' }],
    run: getTemplate,
  },
];
