/** Campaigns: the list, a campaign's progress with pause, resume and stop, the launch form. */
import { useState } from 'preact/hooks';
import { api, ApiError, enc, query } from '../api';
import { navigate } from '../router';
import type { CampaignView, LaunchResult, Page } from '../types';
import { hasRoute, useOpenApi } from '../openapi';
import {
  Bar,
  ErrorBox,
  Field,
  label,
  Link,
  num,
  onInput,
  pct,
  State,
  Unavailable,
  useApi,
  useModule,
  when,
} from '../ui';

const loadCharts = () => import('../charts');

interface CampaignListItem {
  campaignId: string;
  name: string;
  sequenceId: string;
  version?: number;
  status: string;
  enrolled: number;
  heldOut: number;
  createdAt?: string;
  /** GET /campaigns: finished / enrolled in percent; active counted on a bounded index. */
  progress?: { active: number; activeCapped: boolean; finished: number; percent: number };
}

const FINISHED = new Set(['completed', 'exited', 'stopped', 'failed']);

function Progress(props: { c: CampaignListItem }) {
  const p = props.c.progress;
  if (!p) return <span class="muted">—</span>;
  return (
    <div>
      <Bar value={p.percent} max={100} label={`${p.percent}% of enrollments finished`} />
      <small>
        {p.percent}% finished · {num(p.active)}
        {p.activeCapped ? '+' : ''} active
      </small>
    </div>
  );
}

export function statusBadge(status: string) {
  const tone = status === 'running' ? 'ok' : status === 'paused' ? 'warn' : status === 'stopped' ? 'bad' : '';
  return <span class={`badge ${tone}`}>{status}</span>;
}

function OpenById(props: { base: string }) {
  const [id, setId] = useState('');
  return (
    <form
      class="row"
      onSubmit={(e) => {
        e.preventDefault();
        if (id.trim()) navigate(`${props.base}/${enc(id.trim())}`);
      }}
    >
      <Field label="Campaign id">
        <input value={id} onInput={onInput(setId)} />
      </Field>
      <button type="submit" class="secondary">
        Open
      </button>
    </form>
  );
}

export function CampaignList(props: { base: string; status?: string }) {
  const [status, setStatus] = useState(props.status ?? '');
  const doc = useOpenApi();
  const listed = hasRoute(doc, 'get', '/campaigns');
  const list = useApi<Page<CampaignListItem>>(listed ? `/campaigns${query({ status, limit: 50 })}` : null);
  return (
    <>
      <div class="filters">
        <Field label="Status">
          <select value={status} onChange={onInput(setStatus)}>
            <option value="">any</option>
            {['launching', 'running', 'paused', 'stopped', 'completed'].map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </Field>
        <OpenById base={props.base} />
      </div>
      {doc && !listed && <Unavailable what="the campaign list (GET /campaigns)" />}
      <State loaded={list} what="the campaign list">
        {(page) => (
          <table>
            <caption class="sr-only">Campaigns</caption>
            <thead>
              <tr>
                <th>Campaign</th>
                <th>Status</th>
                <th>Sequence</th>
                <th class="n">Enrolled</th>
                <th class="n">Held out</th>
                <th>Progress</th>
                <th>Launched</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((c) => {
                return (
                  <tr key={c.campaignId}>
                    <td>
                      <Link href={`${props.base}/${enc(c.campaignId)}`}>{c.name}</Link>
                      <div class="muted">{c.campaignId}</div>
                    </td>
                    <td>{statusBadge(c.status)}</td>
                    <td>
                      <Link href={`/sequences/${enc(c.sequenceId)}`}>{c.sequenceId}</Link>
                      {c.version ? ` v${c.version}` : ''}
                    </td>
                    <td class="n">{num(c.enrolled)}</td>
                    <td class="n">{num(c.heldOut)}</td>
                    <td>
                      <Progress c={c} />
                    </td>
                    <td>{when(c.createdAt)}</td>
                  </tr>
                );
              })}
              {page.items.length === 0 && (
                <tr>
                  <td colSpan={7} class="muted">
                    No campaigns yet.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        )}
      </State>
    </>
  );
}

export function CampaignsPage() {
  return (
    <>
      <div class="row" style={{ justifyContent: 'space-between' }}>
        <h1>Campaigns</h1>
        <Link href="/campaigns/new" class="button">
          Launch a campaign
        </Link>
      </div>
      <CampaignList base="/campaigns" />
    </>
  );
}

function Controls(props: { campaign: CampaignView; onDone(): void }) {
  const { campaign } = props;
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [result, setResult] = useState<string>();
  const act = async (action: 'pause' | 'resume' | 'stop') => {
    if (action === 'stop' && !confirm(`Stop ${campaign.name}? Every enrollment ends; this cannot be undone.`))
      return;
    setBusy(action);
    setError(undefined);
    try {
      const r = await api<{ changed: number; unchanged: number; status?: string }>(
        'POST',
        `/campaigns/${enc(campaign.campaignId)}/${action}`,
      );
      setResult(
        `${label(action).replace(/^./, (ch) => ch.toUpperCase())}: ${r.changed} enrollment(s) changed, ${r.unchanged} unchanged.`,
      );
      props.onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(undefined);
    }
  };
  const s = campaign.status;
  const live = s === 'running' || s === 'launching' || s === 'paused';
  return (
    <div class="row" role="group" aria-label="Campaign controls">
      <button
        type="button"
        onClick={() => act('pause')}
        disabled={!!busy || !(s === 'running' || s === 'launching')}
      >
        Pause
      </button>
      <button type="button" onClick={() => act('resume')} disabled={!!busy || s !== 'paused'}>
        Resume
      </button>
      <button type="button" class="danger" onClick={() => act('stop')} disabled={!!busy || !live}>
        Stop
      </button>
      {busy && <span role="status">Working…</span>}
      {result && !busy && <span role="status">{result}</span>}
      {error !== undefined && <ErrorBox error={error} />}
    </div>
  );
}

export function CampaignPage(props: { campaignId: string }) {
  const charts = useModule(loadCharts);
  const campaign = useApi<CampaignView>(`/campaigns/${enc(props.campaignId)}`, 2000);
  return (
    <State loaded={campaign} what="the campaign">
      {(c) => {
        const finished = Object.entries(c.byStatus)
          .filter(([st]) => FINISHED.has(st))
          .reduce((n, [, v]) => n + v, 0);
        return (
          <>
            <p class="muted">
              <Link href="/campaigns">Campaigns</Link> / {c.campaignId}
            </p>
            <h1>
              {c.name} {statusBadge(c.status)}
            </h1>
            <p>
              Sequence <Link href={`/sequences/${enc(c.sequenceId)}`}>{c.sequenceId}</Link> v{c.version} ·
              launched {when(c.createdAt)} · <Link href={`/reports/${enc(c.campaignId)}`}>Report</Link>
            </p>
            <Controls campaign={c} onDone={campaign.reload} />
            <div class="kpis">
              <div class="kpi">
                <div class="k">Enrolled</div>
                <div class="v">{num(c.enrolled)}</div>
              </div>
              <div class="kpi">
                <div class="k">Held out ({c.holdoutPercent}%)</div>
                <div class="v">{num(c.heldOut)}</div>
              </div>
              <div class="kpi">
                <div class="k">Finished</div>
                <div class="v">{c.enrolled ? pct(finished / c.enrolled) : '—'}</div>
              </div>
              <div class="kpi">
                <div class="k">Touches sent</div>
                <div class="v">{num(c.steps.reduce((n, s) => n + s.sent, 0))}</div>
              </div>
            </div>
            <div class="split">
              <section class="card" aria-labelledby="where-h">
                <h2 id="where-h">Where enrollments are now</h2>
                <table>
                  <caption class="sr-only">Enrollments by status</caption>
                  <thead>
                    <tr>
                      <th>Status</th>
                      <th class="n">Accounts</th>
                    </tr>
                  </thead>
                  <tbody>
                    {Object.entries(c.byStatus)
                      .filter(([, v]) => v > 0)
                      .map(([st, v]) => (
                        <tr key={st}>
                          <td>{label(st)}</td>
                          <td class="n">{num(v)}</td>
                        </tr>
                      ))}
                  </tbody>
                </table>
                {c.byStep ? (
                  <>
                    <h3>At each step (active enrollments)</h3>
                    {Object.values(c.byStep).every((n) => n === 0) ? (
                      <p class="muted">No enrollment is active.</p>
                    ) : (
                      <table>
                        <caption class="sr-only">Active enrollments by the step they are at</caption>
                        <thead>
                          <tr>
                            <th>Step</th>
                            <th class="n">Accounts</th>
                          </tr>
                        </thead>
                        <tbody>
                          {c.steps
                            .filter((s) => (c.byStep?.[s.stepId] ?? 0) > 0)
                            .map((s) => (
                              <tr key={s.stepId}>
                                <td>{s.stepId}</td>
                                <td class="n">{num(c.byStep?.[s.stepId] ?? 0)}</td>
                              </tr>
                            ))}
                        </tbody>
                      </table>
                    )}
                  </>
                ) : (
                  <p class="muted">Per-step positions are not reported by this server.</p>
                )}
              </section>
              <section class="card" aria-labelledby="funnel-h">
                <h2 id="funnel-h">Per-step funnel</h2>
                {charts ? <charts.FunnelChart steps={c.steps} /> : <p class="muted">Loading the chart…</p>}
              </section>
            </div>
            <h2>Steps</h2>
            <table>
              <caption class="sr-only">Touches per step</caption>
              <thead>
                <tr>
                  <th>Step</th>
                  <th>Channel</th>
                  <th class="n">Sent</th>
                  <th class="n">Skipped</th>
                  <th class="n">Deferred</th>
                  <th class="n">Failed</th>
                  <th class="n">Uncertain</th>
                  <th class="n">In flight</th>
                </tr>
              </thead>
              <tbody>
                {c.steps.map((s) => (
                  <tr key={s.stepId}>
                    <td>{s.stepId}</td>
                    <td>{s.channel ? label(s.channel) : '—'}</td>
                    <td class="n">{num(s.sent)}</td>
                    <td class="n">{num(s.skipped)}</td>
                    <td class="n">{num(s.deferred)}</td>
                    <td class="n">{num(s.failed)}</td>
                    <td class="n">{num(s.uncertain)}</td>
                    <td class="n">{num(s.inFlight)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p class="muted">Updated every 2 seconds; last change {when(c.updatedAt)}.</p>
          </>
        );
      }}
    </State>
  );
}

function AccountNames(props: { title: string; ids: string[]; total: number }) {
  return (
    <details>
      <summary>
        {props.title}: {num(props.total)}
      </summary>
      <p>{props.ids.join(', ') || 'none'}</p>
    </details>
  );
}

export function LaunchPage(props: { sequenceId: string }) {
  const sequences =
    useApi<Page<{ sequenceId: string; name: string; latestVersion: number }>>('/sequences?limit=100');
  const [name, setName] = useState('');
  const [campaignId, setCampaignId] = useState('');
  const [sequenceId, setSequenceId] = useState(props.sequenceId);
  const [kind, setKind] = useState<'tier' | 'cluster' | 'accountIds'>('tier');
  const [tier, setTier] = useState('1');
  const [cluster, setCluster] = useState('');
  const [ids, setIds] = useState('');
  const [holdout, setHoldout] = useState('10');
  const [dry, setDry] = useState<{ result: LaunchResult; key: string }>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const body = () => ({
    name,
    sequenceId,
    ...(campaignId ? { campaignId } : {}),
    holdoutPercent: Number(holdout),
    audience:
      kind === 'tier'
        ? { tier: Number(tier) }
        : kind === 'cluster'
          ? { cluster }
          : {
              accountIds: ids
                .split(/[\s,]+/)
                .map((s) => s.trim())
                .filter(Boolean),
            },
  });
  const key = JSON.stringify(body());
  const run = async (dryRun: boolean) => {
    setBusy(true);
    setError(undefined);
    try {
      const result = await api<LaunchResult>('POST', '/campaigns', { ...body(), dryRun });
      if (dryRun) setDry({ result, key });
      else navigate(`/campaigns/${enc(result.campaignId)}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const r = dry?.result;
  return (
    <>
      <p class="muted">
        <Link href="/campaigns">Campaigns</Link> / launch
      </p>
      <h1>Launch a campaign</h1>
      <form
        class="card"
        onSubmit={(e) => {
          e.preventDefault();
          void run(true);
        }}
      >
        <div class="grid">
          <Field label="Name">
            <input value={name} onInput={onInput(setName)} required />
          </Field>
          <Field label="Campaign id" hint="optional; a launch with the same id is not repeated">
            <input value={campaignId} onInput={onInput(setCampaignId)} />
          </Field>
          <Field label="Sequence">
            <select value={sequenceId} onChange={onInput(setSequenceId)} required>
              <option value="">choose a sequence</option>
              {sequences.data?.items.map((s) => (
                <option key={s.sequenceId} value={s.sequenceId}>
                  {s.name} ({s.sequenceId} v{s.latestVersion})
                </option>
              ))}
            </select>
          </Field>
          <Field label="Audience">
            <select value={kind} onChange={(e) => setKind(e.currentTarget.value as typeof kind)}>
              <option value="tier">a tier</option>
              <option value="cluster">a cluster</option>
              <option value="accountIds">listed accounts</option>
            </select>
          </Field>
          {kind === 'tier' && (
            <Field label="Tier">
              <select value={tier} onChange={onInput(setTier)}>
                <option value="1">1</option>
                <option value="2">2</option>
                <option value="3">3</option>
              </select>
            </Field>
          )}
          {kind === 'cluster' && (
            <Field label="Cluster">
              <input value={cluster} onInput={onInput(setCluster)} required />
            </Field>
          )}
          {kind === 'accountIds' && (
            <Field label="Account ids" hint="separated by commas or spaces">
              <textarea value={ids} onInput={onInput(setIds)} rows={3} required />
            </Field>
          )}
          <Field label="Holdout %" hint="accounts kept out to measure lift">
            <input type="number" min={0} max={90} step="any" value={holdout} onInput={onInput(setHoldout)} />
          </Field>
        </div>
        <div class="row" style={{ marginTop: '0.8rem' }}>
          <button type="submit" class="secondary" disabled={busy}>
            Dry run
          </button>
          <button
            type="button"
            disabled={busy || !dry || dry.key !== key}
            onClick={() => void run(false)}
            aria-describedby="launch-hint"
          >
            Launch
          </button>
          <span id="launch-hint" class="muted">
            {!dry || dry.key !== key
              ? 'Run a dry run of these settings first.'
              : 'Ready to launch what the dry run shows.'}
          </span>
        </div>
      </form>
      {error !== undefined && <ErrorBox error={error} />}
      {error instanceof ApiError && error.code === 'over_budget' && (
        <p>The forecast costs more than this deployment's launch budget (config.launch.maxUsd).</p>
      )}
      {r && (
        <section class="card" aria-labelledby="dry-h" style={{ marginTop: '1rem' }}>
          <h2 id="dry-h">Dry run: what the launch would do</h2>
          <div class="kpis">
            <div class="kpi">
              <div class="k">Audience</div>
              <div class="v">{num(r.audienceSize)}</div>
            </div>
            <div class="kpi">
              <div class="k">Would enroll</div>
              <div class="v">{num(r.enrolled)}</div>
            </div>
            <div class="kpi">
              <div class="k">Would hold out</div>
              <div class="v">{num(r.heldOut)}</div>
            </div>
            <div class="kpi">
              <div class="k">Skipped</div>
              <div class="v">{num(r.skippedTotal)}</div>
            </div>
          </div>
          <AccountNames title="Would be enrolled" ids={r.wouldEnroll ?? []} total={r.enrolled} />
          <AccountNames title="Would be held out" ids={r.wouldHoldOut ?? []} total={r.heldOut} />
          <details>
            <summary>Skipped: {num(r.skippedTotal)}</summary>
            <ul>
              {r.skipped.map((s) => (
                <li key={s.accountId}>
                  {s.accountId}: {label(s.reason)}
                </li>
              ))}
            </ul>
          </details>
          {r.forecast && (
            <p>
              Forecast with no engagement:{' '}
              {Object.entries(r.forecast.touches.byChannel)
                .map(([ch, n]) => `${num(n)} ${label(ch)}`)
                .join(', ')}{' '}
              touches; about ${r.forecast.cost.usd.toFixed(2)}; the last enrollment ends by{' '}
              {when(r.forecast.finish.latest)}.
            </p>
          )}
          {r.minimumDetectableLift && (
            <p>
              {r.minimumDetectableLift.points === null
                ? 'No holdout: the lift cannot be measured.'
                : `With ${r.minimumDetectableLift.treated} treated and ${r.minimumDetectableLift.holdout} held out, the smallest engagement lift this campaign can detect is ${r.minimumDetectableLift.points.toFixed(1)} percentage points.`}
            </p>
          )}
        </section>
      )}
    </>
  );
}
