import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../lib/cli/errors';
import { escapeHtml, funnelChart, scoreChart } from '../../lib/cli/report-html';
import { abm, cliSuite, testIo, type FakeApi } from '../support/cli';

const REPORT = {
  campaignId: 'q1-tier1',
  enrolled: 3,
  mqa: 1,
  coverage: { contactsReached: 7, rolesReached: 4 },
  lift: { treated: 0.33, holdout: 0.1 },
  steps: [
    { stepId: 'intro', channel: 'email', sent: 6, skipped: 1, failed: 0 },
    { stepId: 'call-1', channel: 'sdr_task', sent: 3, skipped: 0, failed: 1 },
  ],
  scoreHistory: [
    {
      accountId: 'northwind-retail',
      points: [
        { at: '2026-11-01T00:00:00Z', value: 5 },
        { at: '2026-11-05T00:00:00Z', value: 42.5 },
      ],
    },
    { accountId: 'contoso<script>', points: [{ at: '2026-11-02T00:00:00Z', value: 12 }] },
  ],
};

describe('abm report', () => {
  let api: FakeApi;
  let dir: string;
  cliSuite((suite) => ({ api, dir } = suite));

  it('prints the summary, the funnel and the score table', async () => {
    api.on('GET /reports/campaigns/q1-tier1', { body: REPORT });
    const { code, stdout } = await abm(api, ['report', 'q1-tier1']);
    expect(code).toBe(ExitCode.Ok);
    expect(stdout).toMatch(/coverage\.contactsReached:\s+7/);
    expect(stdout).toMatch(/call-1\s+sdr_task\s+3\s+0\s+1/);
    expect(stdout).toMatch(/northwind-retail\s+2\s+42\.5\s+42\.5/);
  });

  it('states the time each score in the table is as of', async () => {
    api.on('GET /reports/campaigns/q1-tier1', { body: REPORT });
    const { stdout } = await abm(api, ['report', 'q1-tier1']);
    expect(stdout).toMatch(/LAST SCORE\s+AS OF/);
    expect(stdout).toMatch(/northwind-retail\s+2\s+42\.5\s+42\.5\s+2026-11-05T00:00:00\.000Z/);
    expect(stdout).toContain('not decayed since');
  });

  it('--html writes a self-contained page with SVG charts, text escaped', async () => {
    api.on('GET /reports/campaigns/q1-tier1', { body: REPORT });
    const file = join(dir, 'report.html');
    const { code, stdout } = await abm(
      api,
      ['report', 'q1-tier1', '--html', 'report.html'],
      testIo({ cwd: dir }),
    );
    expect(code).toBe(ExitCode.Ok);
    expect(stdout).toContain('HTML report written to report.html');
    const html = await readFile(file, 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).toContain('<polyline'); // the two-point score series
    // One bar segment per non-zero figure: intro sent+skipped, call-1 sent+failed.
    expect(html.match(/<rect /g)?.length).toBe(4);
    expect(html).toContain('northwind-retail');
    expect(html).toContain('contoso&lt;script&gt;');
    expect(html).not.toContain('<script');
    expect(html).not.toMatch(/(src|href)="http/); // nothing external
  });

  it('skips the charts the report has no data for', async () => {
    api.on('GET /reports/campaigns/bare', { body: { campaignId: 'bare', enrolled: 0 } });
    const file = join(dir, 'bare.html');
    const { code } = await abm(api, ['report', 'bare', '--html', file]);
    expect(code).toBe(ExitCode.Ok);
    const html = await readFile(file, 'utf8');
    expect(html).not.toContain('<svg');
    expect(html).toContain('The report has no per-step figures.');
    expect(html).toContain('The report has no score history.');
  });

  it('exits 6 when the HTML file cannot be written', async () => {
    api.on('GET /reports/campaigns/q1-tier1', { body: REPORT });
    const { code, stderr } = await abm(api, [
      'report',
      'q1-tier1',
      '--html',
      join(dir, 'no/such/dir/r.html'),
    ]);
    expect(code).toBe(ExitCode.InputFile);
    expect(stderr).toContain('no/such/dir/r.html: cannot write the report (ENOENT)');
  });

  it('charts tolerate malformed data', () => {
    expect(scoreChart([{ accountId: 'a', points: [{ at: 'not a date', value: 1 }] }])).toBeUndefined();
    expect(scoreChart('nope')).toBeUndefined();
    expect(funnelChart([])).toBeUndefined();
    expect(funnelChart([{ stepId: 'x' }])).toContain('(none)');
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
