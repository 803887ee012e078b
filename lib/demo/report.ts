/**
 * The demo's final report: plain-text tables from what the driver collected. Pure, and free of
 * real-time figures: in simulate mode the same seed renders the same text, so its digest
 * (`reportDigest`) names a run's outcome.
 */
import { createHash } from 'node:crypto';
import { table } from '../cli/format';
import { ROLES } from '../../functions/kernel/model';
import type { DemoResult } from './driver';

const CHANNELS = ['email', 'ads', 'sdr_task', 'direct_mail'] as const;
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const signedPct = (x: number | null) => (x === null ? 'n/a' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(0)}%`);
const points = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} pts`;

/** The tier-3 campaign's lift against its holdout (the headline of the demo), if it has a holdout. */
export function tier3Lift(
  r: DemoResult,
): { engagement: number | null; engagementPoints: number } | undefined {
  const c = r.campaigns.find((x) => x.key === 'tier3' && x.report.heldOut > 0);
  return c ? c.report.lift : undefined;
}

/** sha256 of the rendered report: two runs with the same digest told the same story. */
export function reportDigest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function renderReport(r: DemoResult): string {
  const out: string[] = [];
  const section = (title: string) => out.push('', title, '-'.repeat(title.length));

  out.push(
    `ABM demo report (run ${r.runTag}): ${r.days} simulated days, ${r.serverStart.slice(0, 10)} to ${r.serverEnd.slice(0, 10)} server time`,
    `Seeded ${r.accounts.tier1} tier-1, ${r.accounts.tier2} tier-2 and ${r.accounts.tier3} tier-3 accounts (${r.accounts.contacts} contacts); ` +
      `local mode's clock: ${r.clock}.`,
  );
  const tier3 = tier3Lift(r);
  out.push(
    `Outcome: ${r.mqa.length} account(s) reached MQA; tier-3 engagement against its holdout: ` +
      (tier3
        ? `${signedPct(tier3.engagement)} (${points(tier3.engagementPoints)})`
        : 'n/a (no tier-3 holdout)') +
      '.',
  );

  section('Campaigns');
  out.push(
    table(r.campaigns, [
      { header: 'campaign', value: (c) => c.campaignId },
      { header: 'sequence', value: (c) => `${c.sequenceId} v${c.report.version}` },
      { header: 'enrolled', value: (c) => c.report.enrolled, align: 'right' },
      { header: 'held out', value: (c) => c.report.heldOut, align: 'right' },
      { header: 'engaged', value: (c) => c.report.accountsEngaged, align: 'right' },
      { header: 'MQA now', value: (c) => c.report.mqa, align: 'right' },
      {
        header: 'committee reached',
        value: (c) =>
          `${c.report.coverage.reached}/${c.report.coverage.committee} (${pct(c.report.coverage.ratio)})`,
        align: 'right',
      },
    ]).trimEnd(),
  );

  section('Touches by channel (sent; from the campaign reports)');
  const channelRows = r.campaigns.map((c) => {
    const sent: Record<string, number> = {};
    let skipped = 0;
    for (const s of c.report.steps) {
      if (!s.channel) continue;
      sent[s.channel] = (sent[s.channel] ?? 0) + s.sent;
      skipped += s.skipped;
    }
    return { name: c.key, sent, skipped };
  });
  const totals = { name: 'total', sent: {} as Record<string, number>, skipped: 0 };
  for (const row of channelRows) {
    for (const ch of CHANNELS) totals.sent[ch] = (totals.sent[ch] ?? 0) + (row.sent[ch] ?? 0);
    totals.skipped += row.skipped;
  }
  out.push(
    table(
      [...channelRows, totals],
      [
        { header: 'tier', value: (x) => x.name },
        ...CHANNELS.map((ch) => ({
          header: ch,
          value: (x: typeof totals) => x.sent[ch] ?? 0,
          align: 'right' as const,
        })),
        {
          header: 'total',
          value: (x) => CHANNELS.reduce((n, ch) => n + (x.sent[ch] ?? 0), 0),
          align: 'right',
        },
        { header: 'skipped', value: (x) => x.skipped, align: 'right' },
      ],
    ).trimEnd(),
  );

  section('Touches by committee role (sent; from the account touch logs)');
  const roles = [...ROLES, 'unknown'].filter((role) => r.touchesByRole[role]);
  const coverage: Record<string, { reached: number; committee: number }> = {};
  for (const c of r.campaigns) {
    for (const [role, v] of Object.entries(c.report.coverage.byRole)) {
      const acc = (coverage[role] ??= { reached: 0, committee: 0 });
      acc.reached += v.reached;
      acc.committee += v.committee;
    }
  }
  out.push(
    table(roles, [
      { header: 'role', value: (role) => role },
      ...CHANNELS.map((ch) => ({
        header: ch,
        value: (role: string) => r.touchesByRole[role]?.[ch] ?? 0,
        align: 'right' as const,
      })),
      {
        header: 'total',
        value: (role) => Object.values(r.touchesByRole[role] ?? {}).reduce((a, b) => a + b, 0),
        align: 'right',
      },
      {
        header: 'people reached',
        value: (role) => (coverage[role] ? `${coverage[role]!.reached}/${coverage[role]!.committee}` : '-'),
        align: 'right',
      },
    ]).trimEnd(),
  );

  section('SDR tasks');
  const t = r.tasks;
  out.push(
    `created ${t.created}: ${
      Object.entries(t.byType)
        .map(([k, v]) => `${v} ${k}`)
        .join(', ') || 'none'
    }; now ${
      Object.entries(t.byStatus)
        .map(([k, v]) => `${v} ${k}`)
        .join(', ') || '-'
    }`,
    `by owner: ${
      Object.entries(t.byOwner)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || '-'
    }`,
    `worked by the simulated SDRs: ${t.completedByDemo} (${
      Object.entries(t.outcomes)
        .map(([k, v]) => `${v} ${k}`)
        .join(', ') || 'none'
    })`,
  );

  section(`MQA accounts (${r.mqa.length} reached MQA during the run)`);
  out.push(
    r.mqa.length === 0
      ? 'none'
      : table(r.mqa, [
          { header: 'account', value: (m) => m.name },
          { header: 'id', value: (m) => m.accountId },
          { header: 'tier', value: (m) => m.tier, align: 'right' },
          { header: 'MQA on day', value: (m) => m.day, align: 'right' },
          { header: 'stage now', value: (m) => m.stageNow },
        ]).trimEnd(),
  );
  out.push(
    `"stage now" and "MQA now" are the stages read at the end of the run (server time ${r.serverNow}): ` +
      'stages follow the score as it decays (a daily re-score), so an account can reach MQA and fall back.',
  );

  for (const c of r.campaigns.filter((x) => x.report.heldOut > 0)) {
    section(`Lift against the holdout: ${c.campaignId} (${c.holdoutPercent}% held out)`);
    const rows = [
      { group: 'treated', ...c.report.treated },
      { group: 'holdout', ...c.report.holdout },
    ];
    out.push(
      table(rows, [
        { header: 'group', value: (x) => x.group },
        { header: 'accounts', value: (x) => x.accounts, align: 'right' },
        { header: 'engaged', value: (x) => x.engaged, align: 'right' },
        { header: 'engagement rate', value: (x) => pct(x.engagementRate), align: 'right' },
        { header: 'MQA', value: (x) => x.mqa, align: 'right' },
        { header: 'MQA rate', value: (x) => pct(x.mqaRate), align: 'right' },
      ]).trimEnd(),
      `lift: engagement ${signedPct(c.report.lift.engagement)} (${points(c.report.lift.engagementPoints)}), ` +
        `MQA ${signedPct(c.report.lift.mqa)} (${points(c.report.lift.mqaPoints)})`,
    );
  }

  section('Engagement sent by the simulator (POST /events)');
  out.push(
    `${r.events.accepted} accepted, ${r.events.rejected} rejected, ${r.events.unresolved} unresolved: ` +
      Object.entries(r.events.byType)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${v} ${k}`)
        .join(', '),
  );
  return `${out.join('\n')}\n`;
}
