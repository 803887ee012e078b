/** Reports: a campaign's report as a marketer reads it (percentages, treated against holdout, lift). */
import { enc } from '../api';
import type { CampaignReport, Rate } from '../types';
import { label, Link, num, pct, State, useApi, useModule, when } from '../ui';
import { CampaignList } from './campaigns';
import { distribution } from '../quantiles';

const loadCharts = () => import('../charts');

export function ReportsPage() {
  return (
    <>
      <h1>Reports</h1>
      <p>Choose a campaign to read its report.</p>
      <CampaignList base="/reports" />
    </>
  );
}

const points = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)} pts`;
const ci = (c: { lower: number; upper: number }, scale = 100) =>
  `${(c.lower * scale).toFixed(1)} to ${(c.upper * scale).toFixed(1)}`;

function GroupRow(props: { name: string; r: Rate }) {
  const { r } = props;
  return (
    <tr>
      <th scope="row">{props.name}</th>
      <td class="n">{num(r.accounts)}</td>
      <td class="n">
        {pct(r.engagementRate, 1)} <span class="muted">({num(r.engaged)})</span>
      </td>
      <td class="muted">{ci(r.engagementRateCi95)}%</td>
      <td class="n">
        {pct(r.mqaRate, 1)} <span class="muted">({num(r.mqa)})</span>
      </td>
      <td class="muted">{ci(r.mqaRateCi95)}%</td>
    </tr>
  );
}

export function ReportPage(props: { campaignId: string }) {
  const charts = useModule(loadCharts);
  const report = useApi<CampaignReport>(`/reports/campaigns/${enc(props.campaignId)}`);
  return (
    <State loaded={report} what="the report">
      {(r) => {
        const dist = distribution(r.scoreHistory);
        const byRole = Object.entries(r.coverage.byRole).sort((a, b) => b[1].committee - a[1].committee);
        const eng = r.lift.engagementRate;
        const mqa = r.lift.mqaRate;
        return (
          <>
            <p class="muted">
              <Link href="/reports">Reports</Link> / {r.campaignId}
            </p>
            <h1>Report: {r.campaignId}</h1>
            <p>
              Sequence {r.sequenceId} v{r.version} ·{' '}
              <Link href={`/campaigns/${enc(r.campaignId)}`}>Campaign progress</Link> · generated{' '}
              {when(r.generatedAt)}
            </p>
            <div class="kpis">
              <div class="kpi">
                <div class="k">Enrolled</div>
                <div class="v">{num(r.enrolled)}</div>
              </div>
              <div class="kpi">
                <div class="k">Held out</div>
                <div class="v">{num(r.heldOut)}</div>
              </div>
              <div class="kpi">
                <div class="k">Treated accounts engaged</div>
                <div class="v">{pct(r.treated.engagementRate)}</div>
              </div>
              <div class="kpi">
                <div class="k">Treated accounts MQA</div>
                <div class="v">{pct(r.treated.mqaRate)}</div>
              </div>
              <div class="kpi">
                <div class="k">Committee reached</div>
                <div class="v">{pct(r.coverage.ratio)}</div>
              </div>
            </div>
            <section class="card" aria-labelledby="lift-h">
              <h2 id="lift-h">Treated against holdout</h2>
              <table>
                <caption class="sr-only">Engagement and MQA rates by group with 95% intervals</caption>
                <thead>
                  <tr>
                    <th>Group</th>
                    <th class="n">Accounts (sample)</th>
                    <th class="n">Engaged</th>
                    <th>95% interval</th>
                    <th class="n">MQA</th>
                    <th>95% interval</th>
                  </tr>
                </thead>
                <tbody>
                  <GroupRow name="Treated" r={r.treated} />
                  <GroupRow name="Holdout" r={r.holdout} />
                </tbody>
              </table>
              <h3>Lift</h3>
              {eng ? (
                <ul>
                  <li>
                    Engagement: <strong>{points(eng.value)}</strong> (95% interval {eng.ci95.lower.toFixed(1)}{' '}
                    to {eng.ci95.upper.toFixed(1)} pts)
                    {r.lift.engagement !== null ? `, ${pct(r.lift.engagement)} relative` : ''}
                  </li>
                  {mqa && (
                    <li>
                      MQA: <strong>{points(mqa.value)}</strong> (95% interval {mqa.ci95.lower.toFixed(1)} to{' '}
                      {mqa.ci95.upper.toFixed(1)} pts)
                    </li>
                  )}
                  {r.lift.minimumDetectableLift !== null && (
                    <li>
                      With these sample sizes the smallest lift this test detects is about{' '}
                      {r.lift.minimumDetectableLift.toFixed(1)} pts.
                    </li>
                  )}
                </ul>
              ) : (
                <p>No holdout: lift cannot be measured for this campaign.</p>
              )}
              {r.lift.note && (
                <p class="notice" role="note">
                  <strong>Not conclusive:</strong> {r.lift.note}
                </p>
              )}
            </section>
            <div class="split" style={{ marginTop: '1rem' }}>
              <section class="card" aria-labelledby="cov-h">
                <h2 id="cov-h">Coverage by role</h2>
                {charts && byRole.length > 0 && <charts.CoverageChart byRole={byRole} />}
                <table>
                  <caption class="sr-only">Committee members reached by role</caption>
                  <thead>
                    <tr>
                      <th>Role</th>
                      <th class="n">Reached</th>
                      <th class="n">Share</th>
                    </tr>
                  </thead>
                  <tbody>
                    {byRole.map(([role, v]) => (
                      <tr key={role}>
                        <td>{label(role)}</td>
                        <td class="n">
                          {num(v.reached)} of {num(v.committee)}
                        </td>
                        <td class="n">{pct(v.ratio)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </section>
              <section class="card" aria-labelledby="rfunnel-h">
                <h2 id="rfunnel-h">Funnel</h2>
                {charts && <charts.FunnelChart steps={r.steps} />}
                <table>
                  <caption class="sr-only">Touches per step with the reasons for skips</caption>
                  <thead>
                    <tr>
                      <th>Step</th>
                      <th class="n">Sent</th>
                      <th>Skipped (why)</th>
                      <th class="n">Failed</th>
                      <th class="n">Uncertain</th>
                    </tr>
                  </thead>
                  <tbody>
                    {r.steps.map((s) => (
                      <tr key={s.stepId}>
                        <td>{s.stepId}</td>
                        <td class="n">{num(s.sent)}</td>
                        <td>
                          {num(s.skipped)}
                          {Object.keys(s.skippedByReason).length > 0 && (
                            <span class="muted">
                              {' '}
                              (
                              {Object.entries(s.skippedByReason)
                                .map(([k, v]) => `${label(k)} ${v}`)
                                .join(', ')}
                              )
                            </span>
                          )}
                        </td>
                        <td class="n">{num(s.failed)}</td>
                        <td class="n">{num(s.uncertain)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </section>
            </div>
            <section class="card" aria-labelledby="dist-h" style={{ marginTop: '1rem' }}>
              <h2 id="dist-h">Score distribution over time</h2>
              {dist.length === 0 ? (
                <p class="muted">No scores yet.</p>
              ) : (
                <>
                  {charts && <charts.DistributionChart series={dist} />}
                  <p class="muted">
                    {r.scoreHistory.length} treated accounts: the median score, the middle half (25th-75th
                    percentile) and 80% of accounts (10th-90th).
                  </p>
                </>
              )}
            </section>
          </>
        );
      }}
    </State>
  );
}
