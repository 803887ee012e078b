/** `abm report CAMPAIGN_ID [--html FILE]`. */
import { writeFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { str, stringOption, type Command, type CommandContext } from '../command';
import { ExitCode, inputFileError } from '../errors';
import { keyValues, table } from '../format';
import { seg } from '../http';
import { cleanSeries, reportHtml, summaryRows, type CampaignReport, type StepFunnel } from '../report-html';

async function report(ctx: CommandContext): Promise<number> {
  const id = ctx.args[0]!;
  const { body } = await ctx
    .client()
    .send<CampaignReport>({ method: 'GET', path: `/reports/campaigns/${seg(id)}` });
  const data: CampaignReport = body && typeof body === 'object' ? body : {};
  const htmlPath = str(ctx.flags, 'html');
  if (htmlPath !== undefined) {
    const full = isAbsolute(htmlPath) ? htmlPath : resolve(ctx.io.cwd, htmlPath);
    try {
      await writeFile(full, reportHtml(id, data, ctx.io.now()), 'utf8');
    } catch (err) {
      throw inputFileError(
        htmlPath,
        `cannot write the report (${(err as { code?: string }).code ?? String(err)})`,
      );
    }
  }
  ctx.out.result(htmlPath !== undefined ? { ...data, htmlFile: htmlPath } : data, () => {
    const p = ctx.out.paint;
    const parts = [p('bold', `Campaign report: ${id}`), keyValues(summaryRows(data), p)];
    const steps = Array.isArray(data.steps) ? (data.steps as StepFunnel[]) : [];
    if (steps.length) {
      parts.push(
        table(
          steps,
          [
            { header: 'STEP', value: (s) => s.stepId },
            { header: 'CHANNEL', value: (s) => s.channel },
            { header: 'SENT', value: (s) => s.sent ?? 0, align: 'right' },
            { header: 'SKIPPED', value: (s) => s.skipped ?? 0, align: 'right' },
            { header: 'FAILED', value: (s) => s.failed ?? 0, align: 'right' },
            { header: 'UNCERTAIN', value: (s) => s.uncertain ?? 0, align: 'right' },
          ],
          p,
        ),
      );
    }
    const series = cleanSeries(data.scoreHistory);
    if (series.length) {
      parts.push(
        table(
          series,
          [
            { header: 'ACCOUNT', value: (s) => s.accountId },
            { header: 'POINTS', value: (s) => s.points.length, align: 'right' },
            {
              header: 'MAX SCORE',
              value: (s) => Math.max(...s.points.map((x) => x.value)).toFixed(1),
              align: 'right',
            },
            {
              header: 'LAST SCORE',
              value: (s) => s.points[s.points.length - 1]!.value.toFixed(1),
              align: 'right',
            },
            // A point is the score when the scorer last changed it, not decayed since.
            { header: 'AS OF', value: (s) => new Date(s.points[s.points.length - 1]!.t).toISOString() },
          ],
          p,
        ) +
          'Scores as of the time the scorer computed them (not decayed since); `abm accounts get` shows the score now.\n',
      );
    }
    if (htmlPath !== undefined) parts.push(`HTML report written to ${htmlPath}`);
    return parts.join('\n');
  });
  return ExitCode.Ok;
}

export const reportCommand: Command = {
  path: ['report'],
  summary: 'campaign report: coverage, funnel per step, MQA count, lift; --html writes a page with charts',
  args: [{ name: 'CAMPAIGN_ID', required: true, description: 'the campaign id' }],
  options: {
    html: stringOption('FILE', 'also write a self-contained HTML report (inline SVG charts)'),
  },
  examples: ['abm report q1-tier1', 'abm report q1-tier1 --html q1-tier1.html'],
  run: report,
};
