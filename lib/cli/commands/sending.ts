/**
 * `abm sending status DOMAIN` and `abm sending resume DOMAIN`: the sender reputation breaker of a
 * sending domain (docs/architecture.md "Sender reputation"): whether its email is paused, its
 * window's hard-bounce and complaint rates against the thresholds, and the operator's resume.
 */
import type { Command, CommandContext } from '../command';
import { ExitCode } from '../errors';
import { keyValues, type Paint } from '../format';
import { seg } from '../http';

interface SendingDomainView {
  domain?: string;
  status?: string;
  reason?: string;
  pausedAt?: string;
  resumedAt?: string;
  window?: {
    hours?: number;
    from?: string;
    sends?: number;
    bounces?: number;
    complaints?: number;
    bounceRate?: number;
    complaintRate?: number;
  };
  thresholds?: { minSends?: number; maxBounceRate?: number; maxComplaintRate?: number };
}

const percent = (rate: number | undefined) => (rate === undefined ? '-' : `${+(rate * 100).toFixed(3)}%`);

function describe(view: SendingDomainView, paint: Paint): string {
  const w = view.window ?? {};
  const t = view.thresholds ?? {};
  return keyValues(
    [
      ['domain', view.domain],
      ['status', paint(view.status === 'paused' ? 'red' : 'green', view.status ?? '?')],
      ...(view.reason
        ? ([['paused for', `${view.reason} (at ${view.pausedAt})`]] as [string, unknown][])
        : []),
      ...(view.resumedAt ? ([['resumed at', view.resumedAt]] as [string, unknown][]) : []),
      ['window', `${w.hours ?? '?'} h from ${w.from ?? '?'}: ${w.sends ?? 0} sends`],
      ['bounce rate', `${percent(w.bounceRate)} (${w.bounces ?? 0}; pause at ${percent(t.maxBounceRate)})`],
      [
        'complaint rate',
        `${percent(w.complaintRate)} (${w.complaints ?? 0}; pause at ${percent(t.maxComplaintRate)})`,
      ],
      ['judged from', `${t.minSends ?? '?'} sends`],
    ],
    paint,
  );
}

const domainArg = { name: 'DOMAIN', required: true, description: 'the sending domain, e.g. example.com' };

async function status(ctx: CommandContext): Promise<number> {
  const domain = ctx.args[0]!;
  const { body } = await ctx
    .client()
    .send<SendingDomainView>({ method: 'GET', path: `/sending-domains/${seg(domain)}` });
  ctx.out.result(body, () => describe(body, ctx.out.paint));
  return ExitCode.Ok;
}

async function resume(ctx: CommandContext): Promise<number> {
  const domain = ctx.args[0]!;
  const { body } = await ctx
    .client()
    .send<SendingDomainView>({ method: 'POST', path: `/sending-domains/${seg(domain)}/resume` });
  ctx.out.result(
    body,
    () => `email from ${ctx.out.paint('bold', domain)} resumed\n${describe(body, ctx.out.paint)}`,
  );
  return ExitCode.Ok;
}

export const sendingCommands: Command[] = [
  {
    path: ['sending', 'status'],
    summary: "a sending domain's reputation breaker: paused or active, bounce and complaint rates",
    args: [domainArg],
    examples: ['abm sending status example.com'],
    run: status,
  },
  {
    path: ['sending', 'resume'],
    summary: 'resume email from a domain the reputation breaker paused (deferred touches then go out)',
    args: [domainArg],
    examples: ['abm sending resume example.com'],
    run: resume,
  },
];
