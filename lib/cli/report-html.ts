/**
 * The campaign report as one self-contained HTML page (inline CSS and SVG, no scripts, no
 * external resources): summary figures, the funnel per step, each account's score over time.
 * Sections whose data the report does not carry are left out.
 */

export interface ScorePoint {
  readonly at: string;
  readonly value: number;
}
export interface ScoreSeries {
  readonly accountId: string;
  readonly points: readonly ScorePoint[];
}
export interface StepFunnel {
  readonly stepId: string;
  readonly channel?: string;
  readonly sent?: number;
  readonly skipped?: number;
  readonly failed?: number;
  readonly uncertain?: number;
}
export interface CampaignReport {
  readonly campaignId?: string;
  readonly steps?: readonly StepFunnel[];
  readonly scoreHistory?: readonly ScoreSeries[];
  readonly [key: string]: unknown;
}

export const escapeHtml = (value: unknown): string =>
  String(value).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

const PALETTE = [
  '#2563eb',
  '#dc2626',
  '#16a34a',
  '#9333ea',
  '#ea580c',
  '#0891b2',
  '#ca8a04',
  '#db2777',
  '#4b5563',
  '#65a30d',
];
const FUNNEL = [
  { key: 'sent', colour: '#16a34a' },
  { key: 'skipped', colour: '#9ca3af' },
  { key: 'failed', colour: '#dc2626' },
] as const;

const num = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(1));

/** Flattens scalar fields (one level of nesting) into label/value rows for the summary. */
export function summaryRows(report: Readonly<Record<string, unknown>>): [string, string][] {
  const rows: [string, string][] = [];
  const scalar = (v: unknown): v is string | number | boolean =>
    typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
  for (const [k, v] of Object.entries(report)) {
    if (k === 'steps' || k === 'scoreHistory') continue;
    if (scalar(v)) rows.push([k, String(v)]);
    else if (v && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k2, v2] of Object.entries(v as Record<string, unknown>)) {
        if (scalar(v2)) rows.push([`${k}.${k2}`, String(v2)]);
      }
    }
  }
  return rows;
}

/** Well-formed series only (finite values, parseable times), points sorted by time. */
export function cleanSeries(
  history: unknown,
): { accountId: string; points: { t: number; value: number }[] }[] {
  if (!Array.isArray(history)) return [];
  return history
    .map((s) => {
      const points = Array.isArray((s as ScoreSeries)?.points) ? (s as ScoreSeries).points : [];
      return {
        accountId: String((s as ScoreSeries)?.accountId ?? '?'),
        points: points
          .map((p) => ({ t: Date.parse(p?.at), value: Number(p?.value) }))
          .filter((p) => Number.isFinite(p.t) && Number.isFinite(p.value))
          .sort((a, b) => a.t - b.t),
      };
    })
    .filter((s) => s.points.length > 0);
}

export function scoreChart(history: unknown, width = 760, height = 320): string | undefined {
  const series = cleanSeries(history);
  if (!series.length) return undefined;
  const m = { left: 48, right: 16, top: 16, bottom: 40 };
  const w = width - m.left - m.right;
  const h = height - m.top - m.bottom;
  const all = series.flatMap((s) => s.points);
  let t0 = Math.min(...all.map((p) => p.t));
  let t1 = Math.max(...all.map((p) => p.t));
  if (t0 === t1) {
    t0 -= 3_600_000;
    t1 += 3_600_000;
  }
  const vMax = Math.max(1, ...all.map((p) => p.value));
  const vMin = Math.min(0, ...all.map((p) => p.value));
  const x = (t: number): number => m.left + ((t - t0) / (t1 - t0)) * w;
  const y = (v: number): number => m.top + h - ((v - vMin) / (vMax - vMin)) * h;
  const parts: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const v = vMin + ((vMax - vMin) * i) / 4;
    parts.push(
      `<line x1="${m.left}" x2="${m.left + w}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e5e7eb"/>`,
      `<text x="${m.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" font-size="11">${num(v)}</text>`,
    );
  }
  for (let i = 0; i <= 3; i++) {
    const t = t0 + ((t1 - t0) * i) / 3;
    const label = new Date(t).toISOString().slice(0, 16).replace('T', ' ');
    parts.push(
      `<text x="${x(t).toFixed(1)}" y="${m.top + h + 18}" text-anchor="${i === 0 ? 'start' : i === 3 ? 'end' : 'middle'}" font-size="11">${label}</text>`,
    );
  }
  parts.push(`<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${m.top + h}" stroke="#6b7280"/>`);
  parts.push(
    `<line x1="${m.left}" x2="${m.left + w}" y1="${m.top + h}" y2="${m.top + h}" stroke="#6b7280"/>`,
  );
  series.forEach((s, i) => {
    const colour = PALETTE[i % PALETTE.length]!;
    const pts = s.points.map((p) => `${x(p.t).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
    parts.push(
      `<g><title>${escapeHtml(s.accountId)}</title>` +
        (s.points.length > 1
          ? `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${pts}"/>`
          : '') +
        s.points
          .map(
            (p) =>
              `<circle cx="${x(p.t).toFixed(1)}" cy="${y(p.value).toFixed(1)}" r="2.5" fill="${colour}"><title>${escapeHtml(s.accountId)} ${escapeHtml(new Date(p.t).toISOString())}: ${num(p.value)}</title></circle>`,
          )
          .join('') +
        '</g>',
    );
  });
  const legend = series
    .map(
      (s, i) =>
        `<span class="key"><i style="background:${PALETTE[i % PALETTE.length]}"></i>${escapeHtml(s.accountId)} (${num(s.points[s.points.length - 1]!.value)})</span>`,
    )
    .join(' ');
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Account score over time" viewBox="0 0 ${width} ${height}" width="100%" style="max-width:${width}px">${parts.join('')}</svg><p class="legend">${legend}</p>`;
}

export function funnelChart(steps: unknown, width = 760): string | undefined {
  if (!Array.isArray(steps) || !steps.length) return undefined;
  const rows = (steps as StepFunnel[]).map((s) => ({
    label: `${s?.stepId ?? '?'}${s?.channel ? ` (${s.channel})` : ''}`,
    values: FUNNEL.map((f) => ({ ...f, n: Math.max(0, Number(s?.[f.key] ?? 0) || 0) })),
  }));
  const labelW = 170;
  const barH = 18;
  const rowH = barH + 14;
  const top = 8;
  const max = Math.max(1, ...rows.map((r) => r.values.reduce((n, v) => n + v.n, 0)));
  const scale = (width - labelW - 60) / max;
  const height = top + rows.length * rowH + 8;
  const parts = rows.map((r, i) => {
    const yy = top + i * rowH;
    let xx = labelW;
    const bars = r.values
      .filter((v) => v.n > 0)
      .map((v) => {
        const wdt = Math.max(1, v.n * scale);
        const rect = `<rect x="${xx.toFixed(1)}" y="${yy}" width="${wdt.toFixed(1)}" height="${barH}" fill="${v.colour}"><title>${escapeHtml(r.label)}: ${v.n} ${v.key}</title></rect>`;
        xx += wdt;
        return rect;
      })
      .join('');
    const total = r.values.reduce((n, v) => n + v.n, 0);
    return (
      `<text x="${labelW - 8}" y="${yy + 13}" text-anchor="end" font-size="12">${escapeHtml(r.label)}</text>` +
      bars +
      `<text x="${(xx + 6).toFixed(1)}" y="${yy + 13}" font-size="11">${r.values.map((v) => v.n).join(' / ')}${total ? '' : ' (none)'}</text>`
    );
  });
  const legend = FUNNEL.map(
    (f) => `<span class="key"><i style="background:${f.colour}"></i>${f.key}</span>`,
  ).join(' ');
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Funnel per step" viewBox="0 0 ${width} ${height}" width="100%" style="max-width:${width}px">${parts.join('')}</svg><p class="legend">${legend}</p>`;
}

export function reportHtml(campaignId: string, report: CampaignReport, generatedAt: Date): string {
  const summary = summaryRows(report);
  const funnel = funnelChart(report.steps);
  const scores = scoreChart(report.scoreHistory);
  const sections: string[] = [];
  if (summary.length) {
    sections.push(
      `<section><h2>Summary</h2><table>${summary.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table></section>`,
    );
  }
  sections.push(
    `<section><h2>Funnel per step</h2>${funnel ?? '<p class="none">The report has no per-step figures.</p>'}</section>`,
    `<section><h2>Account score over time</h2>${scores ?? '<p class="none">The report has no score history.</p>'}</section>`,
  );
  const title = `Campaign report: ${escapeHtml(campaignId)}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:820px;color:#111827;padding:0 1rem}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse}th,td{padding:.2rem .8rem;border-bottom:1px solid #e5e7eb;text-align:left}
th{font-weight:600;color:#374151}.legend{font-size:12px;color:#374151}.none{color:#6b7280;font-style:italic}
.key{margin-right:1rem;white-space:nowrap}.key i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
footer{margin-top:2rem;color:#6b7280;font-size:12px}
</style>
</head>
<body>
<h1>${title}</h1>
${sections.join('\n')}
<footer>Generated by abm at ${escapeHtml(generatedAt.toISOString())}.</footer>
</body>
</html>
`;
}
